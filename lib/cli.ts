/**
 * The program: parse settings, then serve a pipe, keep a file, run a command
 * or print a token. Throws the errors in `errors.ts`; `main.ts` turns them
 * into exit codes.
 */
import denoConfig from "../deno.json" with { type: "json" };
import { checkCommand } from "./check_command.ts";
import { readConfig } from "./config.ts";
import { createReloader, watchHangup } from "./endpoints_reload.ts";
import {
  cachedProviders,
  type PreparedEntries,
  prepareEntries,
  type Providers,
  readAll,
} from "./endpoints_sources.ts";
import { EXIT, SigningError } from "./errors.ts";
import { execWithPasswordFile, type SignalSubscriber } from "./exec.ts";
import { type FreshFile, startFileMode } from "./file_mode.ts";
import { openPasswordFile } from "./file_writer.ts";
import { helpFor } from "./help.ts";
import { createLogger, type LogFields, type Logger } from "./log.ts";
import { preparePipe, removePipe } from "./fifo.ts";
import { servePipe } from "./pipe_server.ts";
import { type Clock, systemClock } from "./refresh.ts";
import type {
  Env,
  FileSettings,
  ServeSettings,
  SigningSettings,
  TokenSettings,
} from "./settings.ts";
import { parseSettings } from "./settings.ts";

/** What the program needs from the outside world. */
export interface Runtime {
  args: string[];
  env: Env;
  /** Aborted on SIGINT, SIGTERM or SIGHUP, with the signal's name. */
  signal: AbortSignal;
  /** Every SIGINT, SIGTERM and SIGHUP, for `exec` to pass on. */
  onSignal?: SignalSubscriber;
  /** Prints to stdout (help, version and tokens). */
  print: (text: string) => void;
  /** Builds the logger once the log level is known. */
  createLogger?: typeof createLogger;
  /** The clock for refreshes; tests inject one. */
  clock?: Clock;
}

/** Runs the program and returns its exit code, or throws. */
export async function run(runtime: Runtime): Promise<number> {
  if (runtime.args[0] === "check") {
    return await checkCommand(
      runtime.args.slice(1),
      runtime.env,
      runtime.print,
    );
  }
  const settings = parseSettings(runtime.args, runtime.env);
  if (settings.command === "help") {
    runtime.print(helpFor("topic" in settings ? settings.topic : undefined));
    return EXIT.ok;
  }
  if (settings.command === "version") {
    runtime.print(`iam-pgpass ${denoConfig.version}\n`);
    return EXIT.ok;
  }
  const log = (runtime.createLogger ?? createLogger)(settings.logLevel);
  const clock = runtime.clock ?? systemClock;
  switch (settings.command) {
    case "serve":
      return exitCodeForStop(await serve(settings, runtime, log));
    case "file":
      return exitCodeForStop(await keepFile(settings, runtime, log, clock));
    case "token":
      return await printToken(settings, runtime, log);
    case "exec": {
      const prepared = await prepare(settings, runtime, log);
      return await execWithPasswordFile({
        argv: settings.argv,
        sources: prepared.sources,
        log,
        clock,
        intervalMs: settings.refreshMs,
        onSignal: runtime.onSignal ?? (() => () => {}),
        runtimeDir: runtime.env("XDG_RUNTIME_DIR"),
        stopped: runtime.signal,
      });
    }
  }
}

/** How a mode that keeps running reads and prepares its entries. */
interface Loader {
  /** Reads the entries (the config file again, if any) and prepares them. */
  load(): Promise<PreparedEntries>;
  /** Logs where the region settings disagree. */
  warnRegions(prepared: PreparedEntries): void;
  /** Logs hosts that are not RDS endpoint names, at debug when `quiet`. */
  warnHosts(prepared: PreparedEntries, quiet?: boolean): void;
}

function loader(
  settings: SigningSettings & { escapePassword?: boolean },
  runtime: Runtime,
  log: Logger,
  sourceLog: Logger = log,
): Loader {
  const providers: Providers = cachedProviders();
  return {
    load: async () =>
      await prepareEntries(
        settings.config === undefined
          ? settings.entries
          : await readConfig(settings.config),
        {
          env: runtime.env,
          providers,
          sourceLog,
          escapePassword: settings.escapePassword,
          endpointHint: settings.config === undefined
            ? "give the RDS endpoint with --endpoint"
            : 'give the RDS endpoint in the entry\'s "endpoint"',
        },
      ),
    warnRegions: (prepared) => {
      prepared.warnings.forEach((warning) => log.warn(warning));
    },
    warnHosts: (prepared, quiet = false) => {
      const at = quiet ? log.debug : log.warn;
      prepared.hostWarnings.forEach((warning) => at(warning));
    },
  };
}

/** Prepares the entries once, for `exec` and `token`. */
async function prepare(
  settings: SigningSettings & { escapePassword?: boolean },
  runtime: Runtime,
  log: Logger,
  sourceLog: Logger = log,
): Promise<PreparedEntries> {
  const entries = loader(settings, runtime, log, sourceLog);
  const prepared = await entries.load();
  entries.warnRegions(prepared);
  // exec and token keep stderr for the command and for scripts.
  entries.warnHosts(prepared, true);
  return prepared;
}

/**
 * Logs the start-up summary: one line as before for a single entry from
 * flags, else a line with the count and one line per entry.
 */
function logStart(
  log: Logger,
  message: string,
  fields: LogFields,
  settings: SigningSettings,
  prepared: PreparedEntries,
) {
  if (settings.config === undefined && prepared.summaries.length === 1) {
    log.info(message, { ...fields, ...prepared.summaries[0] });
    return;
  }
  log.info(message, {
    ...fields,
    config: settings.config,
    entries: prepared.summaries.length,
  });
  logEntries(log, prepared);
}

function logEntries(log: Logger, prepared: PreparedEntries) {
  prepared.summaries.forEach((summary, index) =>
    log.info(`Entry ${index + 1}`, summary)
  );
}

async function serve(settings: ServeSettings, runtime: Runtime, log: Logger) {
  const entries = loader(settings, runtime, log);
  let current = await entries.load();
  entries.warnRegions(current);
  const reloader = createReloader({
    load: entries.load,
    apply: (next) => {
      entries.warnRegions(next);
      entries.warnHosts(next);
      current = next;
      log.info("Reloaded", {
        config: settings.config,
        entries: next.summaries.length,
      });
      logEntries(log, next);
      return Promise.resolve();
    },
    log,
  });
  const stop = stopWatch(settings, runtime, reloader.request);
  const pipe = await preparePipe(settings.path);
  try {
    entries.warnHosts(current);
    logStart(
      log,
      "Serving IAM tokens",
      {
        pipe: settings.path,
        created: pipe.created,
      },
      settings,
      current,
    );
    await servePipe(settings.path, {
      content: () => readAll(current.sources),
      log,
      signal: stop.signal,
    });
    log.info("Stopped", { reason: String(stop.signal.reason) });
  } finally {
    stop.dispose();
    await removePipe(pipe);
  }
  return stop.signal;
}

async function keepFile(
  settings: FileSettings,
  runtime: Runtime,
  log: Logger,
  clock: Clock,
) {
  const entries = loader(settings, runtime, log);
  const prepared = await entries.load();
  entries.warnRegions(prepared);
  const file = await openPasswordFile(settings.path, {
    replace: settings.replace,
  });
  const start = (next: PreparedEntries) =>
    startFileMode({
      file,
      sources: next.sources,
      log,
      clock,
      intervalMs: settings.refreshMs,
    });
  let fresh: FreshFile | null = null;
  let stop = { signal: runtime.signal, dispose: () => {} };
  try {
    entries.warnHosts(prepared);
    fresh = await start(prepared);
    logStart(
      log,
      "Keeping a password file",
      {
        file: settings.path,
        escaped: settings.escapePassword,
      },
      settings,
      prepared,
    );
    const reloader = createReloader({
      load: entries.load,
      apply: async (next) => {
        if (stop.signal.aborted) return;
        entries.warnRegions(next);
        entries.warnHosts(next);
        // The old loop must be stopped before anything new is written.
        await fresh?.stop();
        fresh = null;
        fresh = await start(next);
        log.info("Reloaded", {
          config: settings.config,
          entries: next.summaries.length,
        });
        logEntries(log, next);
      },
      log,
    });
    stop = stopWatch(settings, runtime, reloader.request);
    const stopped = new Promise<void>((resolve) =>
      stop.signal.addEventListener("abort", () => resolve(), { once: true })
    );
    while (!stop.signal.aborted) {
      const running: FreshFile = fresh!;
      // `done` settles early only when a reload stops this loop, or rejects
      // when a write fails.
      await Promise.race([running.done, stopped]);
      if (stop.signal.aborted) break;
      await reloader.idle();
    }
    await reloader.idle();
    log.info("Stopped", { reason: String(stop.signal.reason) });
  } finally {
    stop.dispose();
    await (fresh as FreshFile | null)?.stop();
    await file.remove();
  }
  return stop.signal;
}

/** With a config file, SIGHUP reloads it; otherwise it stops as before. */
function stopWatch(
  settings: SigningSettings,
  runtime: Runtime,
  reload: () => void,
) {
  if (settings.config === undefined) {
    return { signal: runtime.signal, dispose: () => {} };
  }
  return watchHangup(runtime, reload);
}

async function printToken(
  settings: TokenSettings,
  runtime: Runtime,
  log: Logger,
): Promise<number> {
  const { sources, summaries } = await prepare(
    settings,
    runtime,
    log,
    createLogger("warn", () => {}),
  );
  const content = await sources[0]!.sign();
  if (!content.ok) {
    throw new SigningError(
      `Cannot sign a token for ${
        summaries[0]!.endpoint
      } user "${settings.endpoint.user}": ${content.reason}`,
    );
  }
  runtime.print(settings.line ? content.text : `${content.token}\n`);
  return EXIT.ok;
}

function exitCodeForStop(signal: AbortSignal): number {
  if (signal.reason === "SIGINT") return EXIT.interrupted;
  if (signal.reason === "SIGTERM") return EXIT.terminated;
  if (signal.reason === "SIGHUP") return EXIT.hangup;
  return EXIT.ok;
}
