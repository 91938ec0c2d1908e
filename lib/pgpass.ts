/**
 * The PostgreSQL password-file format, as libpq reads it: five fields
 * separated by `:`, where `\` escapes the next character and a field that is
 * exactly `*` matches anything.
 */

/** What a pgpass line matches: `null` stands for the `*` wildcard. */
export interface PgpassMatch {
  host: string | null;
  port: number | null;
  database: string | null;
  user: string | null;
}

/**
 * Escapes one field so libpq reads back exactly `value`: `\` and `:` get a
 * backslash, and a literal `*` field becomes `\*` so it is not a wildcard.
 */
export function escapeField(value: string): string {
  const escaped = value.replace(/[\\:]/g, (char) => `\\${char}`);
  return escaped === "*" ? "\\*" : escaped;
}

function matchField(value: string | number | null): string {
  return value === null ? "*" : escapeField(String(value));
}

/** Options for {@link formatLine}. */
export interface FormatOptions {
  /**
   * Escape the password too (the default). libpq, pgjdbc and the Go drivers
   * undo it; asyncpg keeps the backslashes and needs the raw token.
   */
  escapePassword?: boolean;
}

/** Renders one `host:port:database:user:password` line, newline included. */
export function formatLine(
  match: PgpassMatch,
  password: string,
  options: FormatOptions = {},
): string {
  const secret = options.escapePassword === false
    ? password
    : escapeField(password);
  // A line starting with "#" is a comment to libpq: escape a leading "#".
  const host = matchField(match.host).replace(/^#/, "\\#");
  return [
    host,
    matchField(match.port),
    matchField(match.database),
    matchField(match.user),
    secret,
  ].join(":") + "\n";
}

/**
 * Renders a comment line. libpq and the other parsers skip lines starting
 * with `#`; line breaks in `text` are folded so it stays one line.
 */
export function formatComment(text: string): string {
  return `# ${text.replace(/[\r\n]+/g, " ")}\n`;
}
