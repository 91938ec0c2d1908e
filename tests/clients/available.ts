/** Which clients can run on this machine, and why the others cannot. */
import { buildGo, buildJava, PGJDBC_JAR } from "./build.ts";
import {
  ALL_CLIENTS,
  type ClientName,
  DENO_FLAGS,
  NODE_POSTGRES_PROGRAM,
  PYTHON,
} from "./commands.ts";

const GO_PACKAGES = "golang-go, golang-github-lib-pq-dev and " +
  "golang-github-jackc-pgx-v4-dev";

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
        [Deno.execPath(), "cache", ...DENO_FLAGS, NODE_POSTGRES_PROGRAM],
        "npm:pg (from the npm registry)",
      ),
    "pgjdbc": async () => {
      await probe(["java", "-version"], "default-jdk-headless");
      await Deno.stat(PGJDBC_JAR).catch(() => {
        throw new Error(
          `'${PGJDBC_JAR}' is missing (install libpostgresql-jdbc-java)`,
        );
      });
      await hint(buildJava(), "a JDK");
    },
    "go-libpq": () => hint(buildGo("go_libpq"), GO_PACKAGES),
    "go-pgx": () => hint(buildGo("go_pgx"), GO_PACKAGES),
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
  return new Map(ALL_CLIENTS.flatMap((name) => {
    const reason = missing.get(name);
    return reason === undefined ? [] : [[name, reason] as const];
  }));
}

/** Adds the packages to install to a failed build's error. */
async function hint(build: Promise<unknown>, packages: string): Promise<void> {
  try {
    await build;
  } catch (error) {
    if (!(error instanceof Error) || error instanceof Deno.errors.NotCapable) {
      throw error;
    }
    throw new Error(`${error.message} (install ${packages})`);
  }
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
      throw new Error(`'${command}' is not installed (install ${pkg})`);
    }
    throw error;
  }
  if (!output.success) {
    const stderr = new TextDecoder().decode(output.stderr).trim();
    const last = stderr.split("\n").at(-1);
    throw new Error(`'${argv.join(" ")}' failed: ${last} (install ${pkg})`);
  }
}
