/**
 * The modes that keep running: a pipe server and a password file, with the
 * entries they serve read from flags, PG* variables or a config file, and
 * reloaded on SIGHUP when a config file is in use.
 */
import { readConfig } from "./config.ts";
import { createReloader, watchHangup } from "./endpoints_reload.ts";
import {
  cachedProviders,
  type PreparedEntries,
  prepareEntries,
  type Providers,
  readAll,
} from "./endpoints_sources.ts";
import { type FreshFile, startFileMode } from "./file_mode.ts";
import { openPasswordFile } from "./file_writer.ts";
import type { LogFields, Logger } from "./log.ts";
import { preparePipe, removePipe } from "./fifo.ts";
import { servePipe } from "./pipe_server.ts";
import type { Clock } from "./refresh.ts";
import type {
  FileSettings,
  ServeSettings,
  SigningSettings,
} from "./settings.ts";
import type { Runtime } from "./runtime.ts";

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
export async function prepare(
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

export async function serve(
  settings: ServeSettings,
  runtime: Runtime,
  log: Logger,
) {
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

export async function keepFile(
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
