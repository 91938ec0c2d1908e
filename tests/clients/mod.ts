/**
 * Real PostgreSQL clients for the tests. Each one logs in from the libpq-style
 * environment alone (`PGHOST`, `PGPORT`, `PGUSER`, `PGDATABASE`,
 * `PGSSLMODE`, `PGPASSFILE`), never with a password of its own, runs
 * `select current_user` and prints the result.
 */
import { buildGo, buildJava, PGJDBC_JAR } from "./build.ts";

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

/** How a client run ended. */
export interface ClientResult {
  /** The exit code; 124 when the run timed out. */
  code: number;
  stdout: string;
  stderr: string;
}

/** Debian's Python, which has the drivers; `python3` on PATH may not. */
export const PYTHON = "/usr/bin/python3";

const PROGRAMS = new URL("./programs/", import.meta.url).pathname;
const DENO_CONFIG = new URL("../../deno.json", import.meta.url).pathname;

/** The parent's variables a client may need to start at all. */
const PASSED_THROUGH = [
  "PATH",
  "HOME",
  "DENO_DIR",
  "XDG_CACHE_HOME",
  "NPM_CONFIG_REGISTRY",
  "HTTPS_PROXY",
  "HTTP_PROXY",
  "NO_PROXY",
];

/**
 * Runs one client and collects its output. The client gets a clean
 * environment: a stray `PGPASSWORD` or `PGSERVICE` must not log it in.
 */
export async function runClient(
  name: ClientName,
  options: ClientOptions,
): Promise<ClientResult> {
  const argv = await commandLine(name, options);
  return await spawn(argv, name, options);
}

/**
 * Starts `copies` runs of one client at the same moment (after any build) and
 * waits for all of them.
 */
export async function runClientCopies(
  name: ClientName,
  options: ClientOptions,
  copies: number,
): Promise<ClientResult[]> {
  const argv = await commandLine(name, options);
  return await Promise.all(
    Array.from({ length: copies }, () => spawn(argv, name, options)),
  );
}

/**
 * Tells whether a run shows a login as `user`: `current_user` on stdout, or
 * for `pg_dump` a complete dump.
 */
export function loggedIn(
  name: ClientName,
  result: ClientResult,
  user: string,
): boolean {
  if (result.code !== 0) return false;
  if (name === "pg_dump") {
    return result.stdout.includes("-- PostgreSQL database dump complete");
  }
  return result.stdout.trim() === user;
}

/**
 * Finds the clients that cannot run here, building the compiled ones on the
 * way. Maps each such client to the reason, naming the package to install.
 */
export async function checkClientsAvailable(): Promise<
  Map<ClientName, string>
> {
  const probes: Record<ClientName, () => Promise<void>> = {
    "psql": () => probe(["psql", "--version"], "postgresql-client"),
    "pg_dump": () => probe(["pg_dump", "--version"], "postgresql-client"),
    "psycopg2": () =>
      probe([PYTHON, "-c", "import psycopg2"], "python3-psycopg2"),
    "psycopg3": () =>
      probe([PYTHON, "-c", "import psycopg"], "python3-psycopg"),
    "asyncpg": () => probe([PYTHON, "-c", "import asyncpg"], "python3-asyncpg"),
    "node-postgres": () =>
      probe(
        [Deno.execPath(), "cache", ...denoFlags(), nodePostgresProgram()],
        "npm:pg (from the npm registry)",
      ),
    "pgjdbc": async () => {
      await probe(["java", "-version"], "default-jdk-headless");
      await Deno.stat(PGJDBC_JAR).catch(() => {
        throw new Error(`'${PGJDBC_JAR}' is missing`);
      });
      await buildJava();
    },
    "go-libpq": async () => void await buildGo("go_libpq"),
    "go-pgx": async () => void await buildGo("go_pgx"),
  };
  const missing = new Map<ClientName, string>();
  await Promise.all(ALL_CLIENTS.map(async (name) => {
    try {
      await probes[name]();
    } catch (error) {
      // Missing permissions are the caller's mistake, not a missing client.
      if (error instanceof Deno.errors.NotCapable) throw error;
      missing.set(name, error instanceof Error ? error.message : String(error));
    }
  }));
  if (missing.has("go-libpq") || missing.has("go-pgx")) {
    const hint = "(Debian: golang-go, golang-github-lib-pq-dev, " +
      "golang-github-jackc-pgx-v4-dev)";
    for (const name of ["go-libpq", "go-pgx"] as const) {
      if (missing.has(name)) missing.set(name, `${missing.get(name)} ${hint}`);
    }
  }
  if (missing.has("pgjdbc")) {
    missing.set(
      "pgjdbc",
      `${missing.get("pgjdbc")} (Debian: libpostgresql-jdbc-java and a JDK)`,
    );
  }
  return new Map(ALL_CLIENTS.flatMap((name) => {
    const reason = missing.get(name);
    return reason === undefined ? [] : [[name, reason] as const];
  }));
}

async function commandLine(
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
        ...denoFlags(),
        "--no-prompt",
        // The variables pg reads; it asks for no others.
        "--allow-env=PG*",
        `--allow-net=${options.host}:${options.port}`,
        `--allow-read=${options.passfile}`,
        nodePostgresProgram(),
      ];
    case "pgjdbc":
      return ["java", "-cp", await buildJava(), "PgjdbcClient"];
    case "go-libpq":
      return [await buildGo("go_libpq")];
    case "go-pgx":
      return [await buildGo("go_pgx")];
  }
}

function denoFlags(): string[] {
  // The project's import map and lock file; --frozen keeps the lock as it is.
  return ["--config", DENO_CONFIG, "--frozen"];
}

function nodePostgresProgram(): string {
  return `${PROGRAMS}node_postgres_client.ts`;
}

function clientEnv(
  name: ClientName,
  options: ClientOptions,
): Record<string, string> {
  const env: Record<string, string> = { LANG: "C.UTF-8" };
  for (const key of PASSED_THROUGH) {
    const value = Deno.env.get(key);
    if (value !== undefined) env[key] = value;
  }
  let sslmode = options.sslmode;
  // pg treats "require" as "verify-full"; "no-verify" is libpq's "require".
  if (name === "node-postgres" && sslmode === "require") sslmode = "no-verify";
  return {
    ...env,
    PGHOST: options.host,
    PGPORT: String(options.port),
    PGUSER: options.user,
    PGDATABASE: options.database,
    PGSSLMODE: sslmode,
    PGPASSFILE: options.passfile,
    ...options.env,
  };
}

async function spawn(
  argv: string[],
  name: ClientName,
  options: ClientOptions,
): Promise<ClientResult> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const timeout = AbortSignal.timeout(timeoutMs);
  const [command, ...args] = argv;
  const output = await new Deno.Command(command, {
    args,
    clearEnv: true,
    env: clientEnv(name, options),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: timeout,
  }).output();
  const decoder = new TextDecoder();
  const stdout = decoder.decode(output.stdout);
  const stderr = decoder.decode(output.stderr);
  if (timeout.aborted) {
    return {
      code: 124,
      stdout,
      stderr: `${stderr}${name} timed out after ${timeoutMs} ms\n`,
    };
  }
  return { code: output.code, stdout, stderr };
}

async function probe(argv: string[], pkg: string): Promise<void> {
  const [command, ...args] = argv;
  let output;
  try {
    output = await new Deno.Command(command, {
      args,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(`'${command}' is not installed (Debian: ${pkg})`);
    }
    throw error;
  }
  if (!output.success) {
    const stderr = new TextDecoder().decode(output.stderr).trim();
    const last = stderr.split("\n").at(-1);
    throw new Error(`'${argv.join(" ")}' failed: ${last} (install ${pkg})`);
  }
}
