/**
 * Real PostgreSQL clients for the tests. Each one logs in from the libpq-style
 * environment alone (`PGHOST`, `PGPORT`, `PGUSER`, `PGDATABASE`,
 * `PGSSLMODE`, `PGPASSFILE`), never with a password of its own, runs
 * `select current_user` and prints the result.
 */
import {
  clientCommand,
  type ClientName,
  type ClientOptions,
} from "./commands.ts";

export { checkClientsAvailable } from "./available.ts";
export {
  ALL_CLIENTS,
  type ClientName,
  type ClientOptions,
  PYTHON,
} from "./commands.ts";

/** How a client run ended. */
export interface ClientResult {
  /** The exit code; 124 when the run timed out. */
  code: number;
  stdout: string;
  stderr: string;
}

/** The parent's variables a client may need to start at all. */
const PASSED_THROUGH = [
  "PATH",
  "HOME",
  "DENO_DIR",
  "XDG_CACHE_HOME",
  "NPM_CONFIG_REGISTRY",
  "HTTPS_PROXY",
  "HTTP_PROXY",
  "NO_PROXY",
];

/**
 * Runs one client and collects its output. The client gets a clean
 * environment: a stray `PGPASSWORD` or `PGSERVICE` must not log it in.
 */
export async function runClient(
  name: ClientName,
  options: ClientOptions,
): Promise<ClientResult> {
  const argv = await clientCommand(name, options);
  return await spawn(argv, name, options);
}

/**
 * Starts `copies` runs of one client at the same moment (after any build) and
 * waits for all of them.
 */
export async function runClientCopies(
  name: ClientName,
  options: ClientOptions,
  copies: number,
): Promise<ClientResult[]> {
  const argv = await clientCommand(name, options);
  return await Promise.all(
    Array.from({ length: copies }, () => spawn(argv, name, options)),
  );
}

/**
 * Tells whether a run shows a login as `user`: `current_user` on stdout, or
 * for `pg_dump` a complete dump.
 */
export function loggedIn(
  name: ClientName,
  result: ClientResult,
  user: string,
): boolean {
  if (result.code !== 0) return false;
  if (name === "pg_dump") {
    return result.stdout.includes("-- PostgreSQL database dump complete");
  }
  return result.stdout.trim() === user;
}

function clientEnv(
  name: ClientName,
  options: ClientOptions,
): Record<string, string> {
  const env: Record<string, string> = { LANG: "C.UTF-8" };
  for (const key of PASSED_THROUGH) {
    const value = Deno.env.get(key);
    if (value !== undefined) env[key] = value;
  }
  let sslmode = options.sslmode;
  // pg treats "require" as "verify-full"; "no-verify" is libpq's "require".
  if (name === "node-postgres" && sslmode === "require") sslmode = "no-verify";
  return {
    ...env,
    PGHOST: options.host,
    PGPORT: String(options.port),
    PGUSER: options.user,
    PGDATABASE: options.database,
    PGSSLMODE: sslmode,
    PGPASSFILE: options.passfile,
    ...options.env,
  };
}

async function spawn(
  argv: string[],
  name: ClientName,
  options: ClientOptions,
): Promise<ClientResult> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const timeout = AbortSignal.timeout(timeoutMs);
  const [command, ...args] = argv;
  const output = await new Deno.Command(command, {
    args,
    clearEnv: true,
    env: clientEnv(name, options),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: timeout,
  }).output();
  const decoder = new TextDecoder();
  const stdout = decoder.decode(output.stdout);
  const stderr = decoder.decode(output.stderr);
  if (timeout.aborted) {
    return {
      code: 124,
      stdout,
      stderr: `${stderr}${name} timed out after ${timeoutMs} ms\n`,
    };
  }
  return { code: output.code, stdout, stderr };
}
