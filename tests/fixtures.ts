/**
 * Shared test helpers: deterministic randomness, temporary directories, and
 * starting iam-pgpass exactly as a user does (`deno task start` permissions).
 */
import denoConfig from "../deno.json" with { type: "json" };
import { TEST_CREDENTIALS, TEST_REGION } from "./bed/fixtures.ts";

/** A deterministic pseudo-random generator (mulberry32) in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The repository root. */
export const ROOT = new URL("..", import.meta.url).pathname;

/** The permission flags of `deno task start`, the way users run the tool. */
export function userPermissionFlags(): string[] {
  const task = denoConfig.tasks.start;
  return task.split(/\s+/).filter((word) => word.startsWith("--allow-"));
}

/** Test AWS credentials; the test bed's verifier knows the same key. */
export const TEST_AWS_ENV = {
  AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
  AWS_REGION: TEST_REGION,
};

/** The environment a spawned iam-pgpass starts from: no AWS or PG settings. */
export function baseEnv(): Record<string, string> {
  const keep = ["PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME", "TMPDIR"];
  const env: Record<string, string> = {
    // An empty config directory keeps the developer's ~/.aws out of tests.
    AWS_CONFIG_FILE: "/nonexistent/iam-pgpass-test/config",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/iam-pgpass-test/credentials",
    AWS_EC2_METADATA_DISABLED: "true",
  };
  for (const name of keep) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/** A running iam-pgpass process started the way users start it. */
export interface RunningServer {
  child: Deno.ChildProcess;
  /** Resolves with the first stderr line matching `pattern`. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Sends `signal` and waits for the exit code. */
  stop(signal?: Deno.Signal): Promise<number>;
}

/** Starts `main.ts` with the task's permissions and the given arguments. */
export function startIamPgpass(
  args: string[],
  env: Record<string, string>,
): RunningServer {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...userPermissionFlags(), `${ROOT}main.ts`, ...args],
    env: { ...baseEnv(), ...env },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  const waiters: (() => void)[] = [];
  const pump = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child.stderr) {
      text += decoder.decode(chunk, { stream: true });
      waiters.splice(0).forEach((wake) => wake());
    }
    waiters.splice(0).forEach((wake) => wake());
  })();
  const drainStdout = child.stdout.pipeTo(new WritableStream());
  let exited = false;
  const status = child.status.then(async (status) => {
    exited = true;
    await Promise.all([pump, drainStdout]);
    return status.code;
  });
  return {
    child,
    stderr: () => text,
    async waitForLog(pattern, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (true) {
        const line = text.split("\n").find((l) => pattern.test(l));
        if (line !== undefined) return line;
        if (exited || Date.now() > deadline) {
          throw new Error(`No log line matching ${pattern}; stderr:\n${text}`);
        }
        await new Promise<void>((wake) => {
          waiters.push(wake);
          setTimeout(wake, 100);
        });
      }
    },
    async stop(signal = "SIGTERM") {
      if (!exited) child.kill(signal);
      return await status;
    },
  };
}

/** Runs `main.ts` to completion and returns its exit code and output. */
export async function runIamPgpass(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...userPermissionFlags(), `${ROOT}main.ts`, ...args],
    env: { ...baseEnv(), ...env },
    clearEnv: true,
    stdin: "null",
  }).output();
  const decoder = new TextDecoder();
  return {
    code,
    stdout: decoder.decode(stdout),
    stderr: decoder.decode(stderr),
  };
}

/** Reads a pipe or file to end of file. */
export async function readToEnd(path: string): Promise<string> {
  return await Deno.readTextFile(path);
}
