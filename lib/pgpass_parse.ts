/**
 * Reading password files the way libpq does (`passwordFromFile` and
 * `pwdfMatchesString` in fe-connect.c), step by step: the first line whose
 * host, port, database and user fields match wins, `*` alone matches
 * anything, `\` makes the next character literal, and the password runs to
 * the next unescaped `:`. Also says why each other line does not match.
 */

/** The four values libpq compares with each line, as strings. */
export interface Connection {
  host: string;
  port: string;
  database: string;
  user: string;
}

/** The match fields in the order they appear on a line. */
export const MATCH_FIELDS = ["host", "port", "database", "user"] as const;

/** One of {@link MATCH_FIELDS}. */
export type MatchField = typeof MATCH_FIELDS[number];

/** A line that matched, with the password as libpq and others read it. */
export interface MatchedLine {
  /** 1-based line number in the content. */
  line: number;
  /** The match fields as written, without the password. */
  fields: string;
  /** The password libpq sends: unescaped, up to the first unescaped `:`. */
  password: string;
  /** Everything after the user field, escapes and all. */
  rest: string;
}

/** Why one line does not match: the first field that differs. */
export interface MissedLine {
  line: number;
  field: MatchField;
  /** The field as written, unescaped, or `null` when the line ends early. */
  found: string | null;
}

/** The matching line, if any, and the lines before it that missed. */
export interface Lookup {
  match: MatchedLine | null;
  misses: MissedLine[];
}

/** What libpq would send as the password for `conn`, or `null`. */
export function libpqPassword(
  content: string,
  conn: Connection,
): string | null {
  return lookup(content, conn).match?.password ?? null;
}

/** Finds the line libpq uses for `conn` and explains the lines before it. */
export function lookup(content: string, conn: Connection): Lookup {
  const misses: MissedLine[] = [];
  const lines = content.split("\n");
  for (let index = 0; index < lines.length; index++) {
    // libpq strips the newline and a carriage return before it.
    const line = lines[index]!.replace(/\r$/, "");
    if (line === "" || line.startsWith("#")) continue;
    let rest: string | null = line;
    for (const field of MATCH_FIELDS) {
      const next: string | null = matchesString(rest, conn[field]);
      if (next === null) {
        misses.push({ line: index + 1, field, found: fieldText(rest) });
        break;
      }
      rest = next;
    }
    if (misses.at(-1)?.line === index + 1) continue;
    const fields = line.slice(0, line.length - rest!.length - 1);
    const password = unescapePassword(rest!);
    return {
      match: { line: index + 1, fields, password, rest: rest! },
      misses,
    };
  }
  return { match: null, misses };
}

/**
 * The rest of the line after a field matching `token`, else `null`. A
 * field that is exactly `*` matches any value; comparison is exact, case
 * included.
 */
function matchesString(buf: string, token: string): string | null {
  if (buf.startsWith("*:")) return buf.slice(2);
  let b = 0;
  let t = 0;
  let backslash = false;
  while (b < buf.length) {
    const char = buf[b]!;
    if (char === "\\" && !backslash) {
      backslash = true;
      b++;
      continue;
    }
    if (char === ":" && t === token.length && !backslash) {
      return buf.slice(b + 1);
    }
    backslash = false;
    if (t === token.length || char !== token[t]) return null;
    b++;
    t++;
  }
  return null;
}

/** The password runs to the first unescaped `:` or the end of the line. */
function unescapePassword(text: string): string {
  let out = "";
  for (let i = 0; i < text.length && text[i] !== ":"; i++) {
    if (text[i] === "\\" && i + 1 < text.length) i++;
    out += text[i];
  }
  return out;
}

/** The next field, unescaped, or `null` when no `:` ends it. */
function fieldText(buf: string): string | null {
  let out = "";
  for (let i = 0; i < buf.length; i++) {
    if (buf[i] === ":") return out;
    if (buf[i] === "\\" && i + 1 < buf.length) i++;
    out += buf[i];
  }
  return null;
}
