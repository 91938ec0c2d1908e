/**
 * SIGHUP with a config file: read the file again and switch to its entries
 * without stopping. SIGINT and SIGTERM still stop; a bad new file leaves the
 * old entries in place and is logged once per attempt.
 */
import type { SignalSubscriber } from "./exec.ts";
import type { Logger } from "./log.ts";

/** The signals a long-running mode watches. */
export interface SignalSources {
  /** Aborted by the first SIGINT, SIGTERM or SIGHUP, with its name. */
  signal: AbortSignal;
  /** Every signal, also after the first one. */
  onSignal?: SignalSubscriber | undefined;
}

/** A stop signal that SIGHUP does not abort, and a way to stop watching. */
export interface HangupWatch {
  /** Aborted by SIGINT or SIGTERM, with the signal's name. */
  signal: AbortSignal;
  dispose(): void;
}

/**
 * Calls `onHangup` for each SIGHUP and aborts the returned signal on any
 * other. Without a subscriber to every signal, SIGHUP stops as before.
 */
export function watchHangup(
  sources: SignalSources,
  onHangup: () => void,
): HangupWatch {
  if (!sources.onSignal) return { signal: sources.signal, dispose: () => {} };
  const controller = new AbortController();
  const handle = (name: string) => {
    if (name === "SIGHUP") onHangup();
    else controller.abort(name);
  };
  // A signal that came before this subscription is only in `signal`.
  const early = () => handle(String(sources.signal.reason));
  if (sources.signal.aborted) early();
  else sources.signal.addEventListener("abort", early, { once: true });
  const unsubscribe = sources.onSignal((name) => {
    sources.signal.removeEventListener("abort", early);
    handle(name);
  });
  return {
    signal: controller.signal,
    dispose: () => {
      sources.signal.removeEventListener("abort", early);
      unsubscribe();
    },
  };
}

/** Runs reloads one after another. */
export interface Reloader {
  /** Starts a reload after any that is running. */
  request(): void;
  /** Settles once every requested reload has finished. */
  idle(): Promise<void>;
}

/**
 * Creates a reloader: `load` reads and prepares the new entries (throwing
 * when they are bad) and `apply` switches to them. A failed `load` is logged
 * and the old entries stay; a failed `apply` is kept for `idle()` to throw.
 */
export function createReloader<T>(options: {
  load: () => Promise<T>;
  apply: (next: T) => Promise<void>;
  log: Logger;
}): Reloader {
  const { log } = options;
  let chain: Promise<void> = Promise.resolve();
  const once = async () => {
    log.info("Reloading the config file (SIGHUP)");
    let next: T;
    try {
      next = await options.load();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log.error(`Reload failed, serving the previous entries: ${message}`);
      return;
    }
    await options.apply(next);
  };
  return {
    request: () => {
      chain = chain.then(once);
    },
    idle: () => chain,
  };
}
