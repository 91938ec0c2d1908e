/**
 * The program: parse settings, then serve a pipe, keep a file, run a command
 * or print a token. Throws the errors in `errors.ts`; `main.ts` turns them
 * into exit codes.
 */
import denoConfig from "../deno.json" with { type: "json" };
import { checkCommand } from "./check_command.ts";
import { EXIT, SigningError } from "./errors.ts";
import { execWithPasswordFile } from "./exec.ts";
import { helpFor } from "./help.ts";
import { createLogger, type Logger } from "./log.ts";
import { systemClock } from "./refresh.ts";
import type { Runtime } from "./runtime.ts";
import { keepFile, prepare, serve } from "./serve_modes.ts";
import type { TokenSettings } from "./settings.ts";
import { parseSettings } from "./settings.ts";

export type { Runtime } from "./runtime.ts";

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
