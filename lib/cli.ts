/**
 * The program: parse settings, then serve a pipe, keep a file, run a command
 * or print a token. Throws the errors in `errors.ts`; `main.ts` turns them
 * into exit codes.
 */
import denoConfig from "../deno.json" with { type: "json" };
import { checkCommand } from "./check_command.ts";
import {
  credentialProvider,
  describeCredentialSource,
  profileName,
  signingRegion,
} from "./aws.ts";
import { EXIT, SigningError } from "./errors.ts";
import { execWithPasswordFile, type SignalSubscriber } from "./exec.ts";
import { startFileMode } from "./file_mode.ts";
import { openPasswordFile } from "./file_writer.ts";
import { helpFor } from "./help.ts";
import { createLineSource, type LineSource } from "./line_source.ts";
import { createLogger, type Logger } from "./log.ts";
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
      await serve(settings, runtime, log);
      return exitCodeForStop(runtime.signal);
    case "file":
      await keepFile(settings, runtime, log, clock);
      return exitCodeForStop(runtime.signal);
    case "token":
      return await printToken(settings, runtime, log);
    case "exec": {
      const prepared = await prepareSigning(settings, runtime, log);
      return await execWithPasswordFile({
        argv: settings.argv,
        sources: [prepared.source],
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

interface Prepared {
  source: LineSource;
  /** The start-up summary's fields. */
  summary: Record<string, string>;
}

/**
 * Resolves the region and builds the line source. `sourceLog` receives the
 * source's own lines (signing failures); `token` reports those itself.
 */
async function prepareSigning(
  settings: SigningSettings & { escapePassword?: boolean },
  runtime: Runtime,
  log: Logger,
  sourceLog: Logger = log,
): Promise<Prepared> {
  const { endpoint } = settings;
  const profile = profileName(settings.profile, runtime.env);
  const region = await signingRegion(
    endpoint.host,
    settings.region,
    profile,
    runtime.env,
  );
  if (region.warning) log.warn(region.warning);
  const source = createLineSource({
    endpoint,
    region: region.region,
    credentials: credentialProvider(settings.profile, region.region),
    log: sourceLog,
    escapePassword: settings.escapePassword,
  });
  return {
    source,
    summary: {
      endpoint: `${endpoint.host}:${endpoint.port}`,
      database: endpoint.database ?? "*",
      user: endpoint.user,
      region: `${region.region} (${region.source})`,
      credentials: describeCredentialSource(settings.profile, runtime.env),
    },
  };
}

async function serve(settings: ServeSettings, runtime: Runtime, log: Logger) {
  const { source, summary } = await prepareSigning(settings, runtime, log);
  const pipe = await preparePipe(settings.path);
  try {
    log.info("Serving IAM tokens", {
      pipe: settings.path,
      created: pipe.created,
      ...summary,
    });
    await servePipe(settings.path, {
      content: async () => (await source.read()).text,
      log,
      signal: runtime.signal,
    });
    log.info("Stopped", { reason: String(runtime.signal.reason) });
  } finally {
    await removePipe(pipe);
  }
}

async function keepFile(
  settings: FileSettings,
  runtime: Runtime,
  log: Logger,
  clock: Clock,
) {
  const { source, summary } = await prepareSigning(settings, runtime, log);
  const file = await openPasswordFile(settings.path, {
    replace: settings.replace,
  });
  try {
    const fresh = await startFileMode({
      file,
      sources: [source],
      log,
      clock,
      intervalMs: settings.refreshMs,
    });
    log.info("Keeping a password file", {
      file: settings.path,
      escaped: settings.escapePassword,
      ...summary,
    });
    const stop = () => fresh.stop();
    runtime.signal.addEventListener("abort", stop, { once: true });
    try {
      await fresh.done;
    } finally {
      runtime.signal.removeEventListener("abort", stop);
    }
    log.info("Stopped", { reason: String(runtime.signal.reason) });
  } finally {
    await file.remove();
  }
}

async function printToken(
  settings: TokenSettings,
  runtime: Runtime,
  log: Logger,
): Promise<number> {
  const { source, summary } = await prepareSigning(
    settings,
    runtime,
    log,
    createLogger("warn", () => {}),
  );
  const content = await source.sign();
  if (!content.ok) {
    throw new SigningError(
      `Cannot sign a token for ${summary.endpoint} user "${settings.endpoint.user}": ${content.reason}`,
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
