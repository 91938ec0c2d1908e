/** What the program needs from the outside world, injected by `main.ts`. */

import type { SignalSubscriber } from "./exec.ts";
import type { createLogger } from "./log.ts";
import type { Clock } from "./refresh.ts";
import type { Env } from "./settings.ts";

/** Arguments, environment, signals, output and clock of the process. */
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
