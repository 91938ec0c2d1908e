/** The settings each command runs with, as `settings.ts` parses them. */
import type { Entry } from "./endpoints.ts";
import type { LogLevel } from "./log.ts";

/** What the client dials and logs in as; `database: null` is any database. */
export interface Endpoint {
  host: string;
  port: number;
  user: string;
  database: string | null;
}

/** What every signing command needs. */
export interface SigningSettings {
  /** What a client with these flags and `PG*` variables dials (first host). */
  endpoint: Endpoint;
  /** The entries to serve: one per host of a list; none with `config`. */
  entries: Entry[];
  /** `--config`: the entries come from this file instead. */
  config?: string | undefined;
  region?: string | undefined;
  profile?: string | undefined;
  logLevel: LogLevel;
}

/** Everything the pipe server needs to start. */
export interface ServeSettings extends SigningSettings {
  command: "serve";
  path: string;
}

/** Options of the commands that write a password file. */
export interface WriterSettings extends SigningSettings {
  /** Escape `\` and `:` in tokens; asyncpg needs them raw. */
  escapePassword: boolean;
  /** Sign at least this often, in milliseconds; default five minutes. */
  refreshMs?: number | undefined;
}

/** File mode: a regular password file at `path`. */
export interface FileSettings extends WriterSettings {
  command: "file";
  path: string;
  /** Take over an existing file that iam-pgpass did not write. */
  replace: boolean;
}

/** `exec`: run `argv` with a private password file. */
export interface ExecSettings extends WriterSettings {
  command: "exec";
  argv: string[];
}

/** `token`: print one token, or one line with `line`. */
export interface TokenSettings extends SigningSettings {
  command: "token";
  line: boolean;
  escapePassword: boolean;
}

/** What the command line asks for. */
export type Settings =
  | ServeSettings
  | FileSettings
  | ExecSettings
  | TokenSettings
  | { command: "help" }
  | { command: "help"; topic: "exec" | "token" }
  | { command: "version" };
