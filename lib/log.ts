/**
 * The one logger: leveled lines on stderr. It is the only module that touches
 * `console`. Callers never pass tokens or secrets; at most a fingerprint.
 */

/** Log levels, most severe first. */
export const LOG_LEVELS = ["error", "warn", "info", "debug"] as const;

/** One of {@link LOG_LEVELS}. */
export type LogLevel = typeof LOG_LEVELS[number];

/** Extra values printed after the message as `key=value`. */
export type LogFields = Record<string, string | number | boolean | undefined>;

/** A leveled logger. */
export interface Logger {
  error(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
}

/** Whether `value` names a log level. */
export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

function formatValue(value: string | number | boolean): string {
  const text = String(value);
  return /^[^\s"=]+$/.test(text) ? text : JSON.stringify(text);
}

/** Renders one log line: `iam-pgpass: <level>: <message> key=value...`. */
export function formatLogLine(
  level: LogLevel,
  message: string,
  fields: LogFields = {},
): string {
  const extra = Object.entries(fields)
    .filter((entry): entry is [string, string | number | boolean] =>
      entry[1] !== undefined
    )
    .map(([key, value]) => ` ${key}=${formatValue(value)}`)
    .join("");
  return `iam-pgpass: ${level}: ${message}${extra}`;
}

/**
 * Creates a logger that prints lines at `level` and above. `write` defaults to
 * stderr; tests pass their own to collect lines.
 */
export function createLogger(
  level: LogLevel,
  write: (line: string) => void = (line) => console.error(line),
): Logger {
  const threshold = LOG_LEVELS.indexOf(level);
  const at = (lineLevel: LogLevel) => (message: string, fields?: LogFields) => {
    if (LOG_LEVELS.indexOf(lineLevel) <= threshold) {
      write(formatLogLine(lineLevel, message, fields));
    }
  };
  return {
    error: at("error"),
    warn: at("warn"),
    info: at("info"),
    debug: at("debug"),
  };
}

/** A short, non-reversible fingerprint of a secret, for logs. */
export async function fingerprint(secret: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(secret),
  );
  return Array.from(new Uint8Array(digest).slice(0, 4))
    .map((byte) => byte.toString(16).padStart(2, "0"))
    .join("");
}
