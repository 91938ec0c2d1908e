/**
 * The program: parse settings, prepare the pipe, serve until told to stop.
 * Throws the errors in `errors.ts`; `main.ts` turns them into exit codes.
 */
import denoConfig from "../deno.json" with { type: "json" };
import {
  credentialProvider,
  describeCredentialSource,
  profileName,
  signingRegion,
} from "./aws.ts";
import { EXIT } from "./errors.ts";
import { HELP } from "./help.ts";
import { createLineSource } from "./line_source.ts";
import { createLogger, type Logger } from "./log.ts";
import { preparePipe, removePipe } from "./fifo.ts";
import { servePipe } from "./pipe_server.ts";
import { type Env, parseSettings, type ServeSettings } from "./settings.ts";

/** What the program needs from the outside world. */
export interface Runtime {
  args: string[];
  env: Env;
  /** Aborted on SIGINT or SIGTERM, with the signal's name as its reason. */
  signal: AbortSignal;
  /** Prints to stdout (help and version). */
  print: (text: string) => void;
  /** Builds the logger once the log level is known. */
  createLogger?: typeof createLogger;
}

/** Runs the program and returns its exit code, or throws. */
export async function run(runtime: Runtime): Promise<number> {
  const settings = parseSettings(runtime.args, runtime.env);
  if (settings.command === "help") {
    runtime.print(HELP);
    return EXIT.ok;
  }
  if (settings.command === "version") {
    runtime.print(`iam-pgpass ${denoConfig.version}\n`);
    return EXIT.ok;
  }
  const log = (runtime.createLogger ?? createLogger)(settings.logLevel);
  await serve(settings, runtime, log);
  return exitCodeForStop(runtime.signal);
}

async function serve(settings: ServeSettings, runtime: Runtime, log: Logger) {
  const { endpoint } = settings;
  const profile = profileName(settings.profile, runtime.env);
  const region = await signingRegion(
    endpoint.host,
    settings.region,
    profile,
    runtime.env,
  );
  if (region.warning) log.warn(region.warning);
  const content = createLineSource({
    endpoint,
    region: region.region,
    credentials: credentialProvider(settings.profile, region.region),
    log,
  });
  const pipe = await preparePipe(settings.path);
  try {
    log.info("Serving IAM tokens", {
      pipe: settings.path,
      created: pipe.created,
      endpoint: `${endpoint.host}:${endpoint.port}`,
      database: endpoint.database ?? "*",
      user: endpoint.user,
      region: `${region.region} (${region.source})`,
      credentials: describeCredentialSource(settings.profile, runtime.env),
    });
    await servePipe(settings.path, { content, log, signal: runtime.signal });
    log.info("Stopped", { reason: String(runtime.signal.reason) });
  } finally {
    await removePipe(pipe);
  }
}

function exitCodeForStop(signal: AbortSignal): number {
  if (signal.reason === "SIGINT") return EXIT.interrupted;
  if (signal.reason === "SIGTERM") return EXIT.terminated;
  return EXIT.ok;
}
