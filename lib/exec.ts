/**
 * `exec`: runs one command with `PGPASSFILE` pointing at a private password
 * file that is kept fresh while the command runs and removed, with its
 * directory, when the command ends.
 */
import { constants } from "node:os";
import { EXIT, SigningError } from "./errors.ts";
import { startFileMode } from "./file_mode.ts";
import { openPasswordFile } from "./file_writer.ts";
import type { LineSource } from "./line_source.ts";
import type { Logger } from "./log.ts";
import type { Clock } from "./refresh.ts";

/** The signals passed on to the command. */
export const FORWARDED_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/** One of {@link FORWARDED_SIGNALS}. */
export type ForwardedSignal = typeof FORWARDED_SIGNALS[number];

/** Subscribes to the signals this process receives; returns an unsubscribe. */
export type SignalSubscriber = (
  listener: (signal: ForwardedSignal) => void,
) => () => void;

/** What {@link execWithPasswordFile} needs. */
export interface ExecOptions {
  argv: string[];
  sources: LineSource[];
  log: Logger;
  clock: Clock;
  intervalMs?: number | undefined;
  onSignal: SignalSubscriber;
  /** `XDG_RUNTIME_DIR`, used when it is a directory; else the temp dir. */
  runtimeDir?: string | undefined;
  /** Aborted by a signal to us: if before the start, nothing is run. */
  stopped?: AbortSignal;
}

/**
 * Runs the command and returns its exit status, or 128 + the signal number
 * when a signal ended it. Throws a `SigningError`, running nothing, when the
 * first token cannot be signed.
 */
export async function execWithPasswordFile(
  options: ExecOptions,
): Promise<number> {
  const { argv, log } = options;
  // The directory is made 0700, so nobody else can even see the file's name.
  const dir = await Deno.makeTempDir({
    dir: await usableDir(options.runtimeDir),
    prefix: "iam-pgpass-",
  });
  try {
    await Deno.chmod(dir, 0o700);
    const file = await openPasswordFile(`${dir}/pgpass`);
    const fresh = await startFileMode({ ...options, file });
    const done = fresh.done.catch((error) => {
      log.error(`Stopped refreshing "${file.path}": ${message(error)}`);
    });
    try {
      if (!fresh.first.ok) {
        throw new SigningError(
          `Cannot run "${
            argv[0]
          }": no token could be signed: ${fresh.first.reason}`,
        );
      }
      if (options.stopped?.aborted) return exitCodeFor(options.stopped.reason);
      log.debug("Running the command", { command: argv[0], file: file.path });
      return await runCommand(argv, file.path, options);
    } finally {
      await fresh.stop().catch(() => {});
      await done;
      await file.remove();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function runCommand(
  argv: string[],
  passfile: string,
  options: ExecOptions,
): Promise<number> {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(argv[0]!, {
      args: argv.slice(1),
      // Everything else of our environment is inherited as it is.
      env: { PGPASSFILE: passfile },
      stdin: "inherit",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn();
  } catch (error) {
    const notFound = error instanceof Deno.errors.NotFound;
    options.log.error(
      `Cannot run "${argv[0]}": ${
        notFound ? "command not found" : message(error)
      }`,
    );
    return notFound ? EXIT.notFound : EXIT.cannotRun;
  }
  const unsubscribe = options.onSignal((signal) => {
    try {
      child.kill(signal);
    } catch {
      // It has just exited; its status says how.
    }
  });
  try {
    const status = await child.status;
    return status.signal === null ? status.code : exitCodeFor(status.signal);
  } finally {
    unsubscribe();
  }
}

/** 128 + the signal's number, as shells report a death by signal. */
function exitCodeFor(signal: unknown): number {
  const number = constants.signals[signal as keyof typeof constants.signals];
  return 128 + (number ?? 0);
}

async function usableDir(dir: string | undefined) {
  if (!dir) return undefined;
  const info = await Deno.stat(dir).catch(() => null);
  return info?.isDirectory ? dir : undefined;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
