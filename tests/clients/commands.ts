/** The clients, and the command line that runs each of them. */
import { buildGo, buildJava } from "./build.ts";

/** The clients the tests drive. */
export type ClientName =
  | "psql"
  | "pg_dump"
  | "psycopg2"
  | "psycopg3"
  | "asyncpg"
  | "node-postgres"
  | "pgjdbc"
  | "go-libpq"
  | "go-pgx";

/** Every client, libpq-based ones first. */
export const ALL_CLIENTS: readonly ClientName[] = [
  "psql",
  "pg_dump",
  "psycopg2",
  "psycopg3",
  "asyncpg",
  "node-postgres",
  "pgjdbc",
  "go-libpq",
  "go-pgx",
];

/** Where and how a client connects. */
export interface ClientOptions {
  host: string;
  port: number;
  user: string;
  database: string;
  /** libpq's meaning: `require` encrypts without verifying the server. */
  sslmode: string;
  /** Becomes `PGPASSFILE`: a regular file or a named pipe. */
  passfile: string;
  /** More environment for the client, applied last. */
  env?: Record<string, string>;
  /** The client is killed after this long; default 30,000. */
  timeoutMs?: number;
}

/** Debian's Python, which has the drivers; `python3` on PATH may not. */
export const PYTHON = "/usr/bin/python3";

const PROGRAMS = new URL("./programs/", import.meta.url).pathname;
const DENO_CONFIG = new URL("../../deno.json", import.meta.url).pathname;

/** The node-postgres program, run by Deno. */
export const NODE_POSTGRES_PROGRAM = `${PROGRAMS}node_postgres_client.ts`;

/**
 * Deno flags for the node-postgres program: the project's import map and lock
 * file; `--frozen` keeps the lock file as it is.
 */
export const DENO_FLAGS: readonly string[] = [
  "--config",
  DENO_CONFIG,
  "--frozen",
];

/** The command line that runs `name`, building it first when it must be. */
export async function clientCommand(
  name: ClientName,
  options: ClientOptions,
): Promise<string[]> {
  switch (name) {
    case "psql":
      // -w: fail rather than prompt on the terminal for a password.
      return ["psql", "-XwAtc", "select current_user"];
    case "pg_dump":
      return ["pg_dump", "--no-password", "--schema-only", "--no-privileges"];
    case "psycopg2":
      return [PYTHON, `${PROGRAMS}psycopg2_client.py`];
    case "psycopg3":
      return [PYTHON, `${PROGRAMS}psycopg3_client.py`];
    case "asyncpg":
      return [PYTHON, `${PROGRAMS}asyncpg_client.py`];
    case "node-postgres":
      return [
        Deno.execPath(),
        "run",
        ...DENO_FLAGS,
        "--no-prompt",
        // The variables pg reads; it asks for no others.
        "--allow-env=PG*",
        `--allow-net=${options.host}:${options.port}`,
        `--allow-read=${options.passfile}`,
        NODE_POSTGRES_PROGRAM,
      ];
    case "pgjdbc":
      return ["java", "-cp", await buildJava(), "PgjdbcClient"];
    case "go-libpq":
      return [await buildGo("go_libpq")];
    case "go-pgx":
      return [await buildGo("go_pgx")];
  }
}
