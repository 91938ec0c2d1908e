/**
 * What each PostgreSQL client does with a password file, as measured (see
 * the client table in DESIGN.md): whether it reads a named pipe, whether it
 * refuses group or other access, and how it reads the password field.
 */
import type { MatchedLine } from "./pgpass_parse.ts";

/** How a client reads the password after the four match fields. */
type PasswordRule =
  /** To the first unescaped `:`, undoing escapes (libpq, pgjdbc). */
  | "libpq"
  /** The rest of the line as written, backslashes kept (asyncpg). */
  | "raw"
  /** The rest of the line with escapes undone (node-postgres). */
  | "unescape"
  /** Escapes undone; a line with a sixth field is skipped (Go drivers). */
  | "five-fields";

/** One client family. */
export interface Client {
  id: string;
  name: string;
  readsPipe: boolean;
  /** Ignores the file when group or others have any access to it. */
  refusesOpenMode: boolean;
  password: PasswordRule;
}

/** The clients measured, in the order the output lists them. */
export const CLIENTS: readonly Client[] = [
  {
    id: "libpq",
    name: "libpq (psql, pg_dump, psycopg)",
    readsPipe: false,
    refusesOpenMode: true,
    password: "libpq",
  },
  {
    id: "asyncpg",
    name: "asyncpg",
    readsPipe: false,
    refusesOpenMode: true,
    password: "raw",
  },
  {
    id: "node-postgres",
    name: "node-postgres",
    readsPipe: false,
    refusesOpenMode: true,
    password: "unescape",
  },
  {
    id: "pgjdbc",
    name: "pgjdbc",
    readsPipe: true,
    refusesOpenMode: false,
    password: "libpq",
  },
  {
    id: "lib/pq",
    name: "Go lib/pq",
    readsPipe: true,
    refusesOpenMode: true,
    password: "five-fields",
  },
  {
    id: "pgx",
    name: "Go pgx",
    readsPipe: true,
    refusesOpenMode: false,
    password: "five-fields",
  },
];

/** Why `client` ignores a file of this kind and mode, or `null` if it reads it. */
export function refusal(
  client: Client,
  kind: "file" | "pipe",
  mode: number,
): string | null {
  if (kind === "pipe" && !client.readsPipe) return "does not read a pipe";
  if (client.refusesOpenMode && (mode & 0o077) !== 0) {
    return "ignores a file that group or others may access";
  }
  return null;
}

/**
 * The password `client` takes from the matching line, or `null` when it
 * skips the line.
 */
export function passwordFor(client: Client, match: MatchedLine): string | null {
  switch (client.password) {
    case "libpq":
      return match.password;
    case "raw":
      return match.rest;
    case "unescape":
      return unescape(match.rest);
    case "five-fields":
      return hasUnescapedColon(match.rest) ? null : unescape(match.rest);
  }
}

function unescape(text: string): string {
  return text.replace(/\\(.)/g, "$1");
}

function hasUnescapedColon(text: string): boolean {
  return /(^|[^\\])(\\\\)*:/.test(text);
}
