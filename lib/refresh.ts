/**
 * Keeps password-file content fresh: signs new lines well before the tokens
 * in the current ones expire, at once when the credentials change, and with
 * backoff while signing fails. Time comes from an injected clock.
 */
import type { Content, FailedContent } from "./line_source.ts";
import type { Logger } from "./log.ts";
import { formatComment } from "./pgpass.ts";

/** Time and waiting; tests inject a simulated one. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Waits `ms`, or less when `signal` aborts; never rejects. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener("abort", done, { once: true });
    }),
};

/** Refresh at least every five minutes: a third of a token's 15. */
export const DEFAULT_REFRESH_MS = 300_000;

/** Credentials are looked at this often to notice a change. */
export const CHECK_MS = 30_000;

/** Retries after a failure wait 1 s, 2 s, 4 s... up to a minute. */
export const RETRY_FIRST_MS = 1_000;
export const RETRY_MAX_MS = 60_000;

/**
 * When to sign again after signing at `signedAt` tokens that expire at
 * `expiresAt`: at half their life, and no later than `intervalMs` after
 * signing. Credentials that expire soon shorten the life, and so the wait.
 */
export function nextRefreshAt(
  signedAt: number,
  expiresAt: number,
  intervalMs: number = DEFAULT_REFRESH_MS,
): number {
  const life = Math.max(0, expiresAt - signedAt);
  const floor = Math.min(RETRY_FIRST_MS, intervalMs);
  return signedAt + Math.max(floor, Math.min(intervalMs, life / 2));
}

/** The wait before retry number `failures` (1, 2...) after a failure. */
export function retryDelay(failures: number, intervalMs: number): number {
  const first = Math.min(RETRY_FIRST_MS, intervalMs);
  return Math.min(RETRY_MAX_MS, first * 2 ** Math.max(0, failures - 1));
}

/** What {@link keepFresh} works with. */
export interface KeepFreshOptions {
  /** Signs new content now. */
  sign: () => Promise<Content>;
  /** The identity of the current credentials, or `null` when unknown. */
  credentialsId: () => Promise<string | null>;
  /** Replaces what clients read. */
  write: (content: Content) => Promise<void>;
  /** What was written last, if anything: the loop starts from it. */
  initial?: Content | undefined;
  /** Names the file in log lines. */
  label: string;
  clock: Clock;
  log: Logger;
  /** Sign at least this often (default five minutes). */
  intervalMs?: number;
  /** Stops the loop. */
  signal: AbortSignal;
}

/** Refreshes until `signal` aborts; throws only when a write fails. */
export async function keepFresh(options: KeepFreshOptions): Promise<void> {
  const { clock, log, signal, label } = options;
  const intervalMs = options.intervalMs ?? DEFAULT_REFRESH_MS;
  const checkMs = Math.min(CHECK_MS, intervalMs);
  let good = options.initial?.ok ? options.initial : null;
  // The reason in the file when it holds one instead of tokens.
  let writtenFailure = options.initial?.ok === false
    ? options.initial.reason
    : null;
  let failures = writtenFailure === null ? 0 : 1;
  let dueAt = good
    ? nextRefreshAt(good.signedAt, good.expiresAt, intervalMs)
    : clock.now() + (failures ? retryDelay(failures, intervalMs) : 0);

  let lastFailure: FailedContent | null = null;

  // An expired token fails with a misleading "PAM authentication failed";
  // a comment makes clients fail for want of a password instead.
  const expire = async (failure: FailedContent) => {
    if (writtenFailure !== failure.reason) {
      await options.write(failure);
      if (writtenFailure === null) {
        log.error(
          good
            ? `The tokens in "${label}" expired at ${
              new Date(good.expiresAt).toISOString()
            }: it now holds only the reason signing fails`
            : `"${label}" holds no token: it now holds only the reason signing fails`,
        );
      }
      writtenFailure = failure.reason;
    }
    good = null;
  };

  const refresh = async () => {
    // Signing can take seconds while a credential source fails (the SDK
    // retries), so expired tokens go before the attempt, not after it.
    if (good && clock.now() >= good.expiresAt) {
      const reason = "the tokens expired and new ones are not signed yet";
      await expire(
        lastFailure ??
          { ok: false, reason, text: formatComment(`iam-pgpass: ${reason}`) },
      );
    }
    const content = await options.sign();
    const now = clock.now();
    if (content.ok) {
      await options.write(content);
      if (failures > 0) log.info(`Refreshed "${label}" again`);
      good = content;
      failures = 0;
      writtenFailure = null;
      // Never later than expiry, whatever the floor of nextRefreshAt says.
      dueAt = Math.min(
        nextRefreshAt(content.signedAt, content.expiresAt, intervalMs),
        content.expiresAt,
      );
      log.debug("Refreshed", {
        file: label,
        next: new Date(dueAt).toISOString(),
      });
      return;
    }
    failures++;
    lastFailure = content;
    const delay = retryDelay(failures, intervalMs);
    if (good && now < good.expiresAt) {
      const until = new Date(good.expiresAt).toISOString();
      log.warn(
        `Could not refresh "${label}": keeping tokens valid until ${until}; retrying in ${
          seconds(delay)
        }`,
      );
      dueAt = Math.min(now + delay, good.expiresAt);
      return;
    }
    await expire(content);
    log.warn(`Could not refresh "${label}": retrying in ${seconds(delay)}`);
    dueAt = now + delay;
  };

  if (!good && writtenFailure === null) await refresh();
  while (!signal.aborted) {
    const now = clock.now();
    await clock.sleep(
      Math.max(0, Math.min(dueAt, now + checkMs) - now),
      signal,
    );
    if (signal.aborted) break;
    if (clock.now() >= dueAt) {
      await refresh();
      continue;
    }
    const id = await options.credentialsId();
    if (good && id !== null && id !== good.credentialsId) {
      log.info(`Credentials changed: refreshing "${label}" now`);
      await refresh();
    }
  }
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}
