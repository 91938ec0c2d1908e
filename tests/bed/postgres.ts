/**
 * A throwaway PostgreSQL 15 cluster in a temporary directory, on a free
 * loopback port, with its unix socket beside it. The admin role `postgres`
 * has trust over the socket; everything else comes from the options.
 */
import { freePort, isRoot, run, SERVER_OS_USER } from "./exec.ts";

/** Where Debian installs the PostgreSQL 15 server programs. */
export const PG_BIN = "/usr/lib/postgresql/15/bin";

/** How to set up the cluster. */
export interface PostgresOptions {
  /** Turn on TLS with a self-signed certificate made for this run. */
  ssl?: boolean;
  /** `pg_hba.conf` lines placed before the admin's socket trust line. */
  hbaLines?: string[];
  /** Login roles to create. */
  roles?: readonly string[];
  /** Databases to create; every role may connect to them. */
  databases?: readonly string[];
}

/** A running cluster; `stop()` always removes it. */
export interface Postgres extends AsyncDisposable {
  /** The temporary directory holding data, socket, certificate and log. */
  dir: string;
  /** The TCP port on 127.0.0.1, also the unix socket's number. */
  port: number;
  /** The directory of the unix socket, for `host=` in libpq. */
  socketDir: string;
  /** The OS user the server runs as, when it is not the current user. */
  osUser: string | undefined;
  /** Runs SQL as the admin over the socket; returns unaligned output. */
  admin(sql: string): Promise<string>;
  /** Stops the server at once and removes its directory. */
  stop(): Promise<void>;
}

/** Starts a cluster; as root the server runs as the `postgres` OS user. */
export async function startPostgres(
  options: PostgresOptions = {},
): Promise<Postgres> {
  const osUser = isRoot() ? SERVER_OS_USER : undefined;
  const dir = await Deno.makeTempDir({ prefix: "iam-pgpass-pg-" });
  const data = `${dir}/data`;
  const port = freePort();
  const as = { asUser: osUser };
  let started = false;
  const stop = async () => {
    if (started) {
      started = false;
      await run(`${PG_BIN}/pg_ctl`, ["stop", "-D", data, "-m", "immediate"], as)
        .catch(() => {});
    }
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  try {
    await Deno.chmod(dir, 0o755);
    if (osUser) await run("chown", [osUser, dir]);
    await run(`${PG_BIN}/initdb`, [
      "-D",
      data,
      "-U",
      "postgres",
      "--auth=trust",
      "--no-sync",
      "--no-instructions",
      "-E",
      "UTF8",
      "--locale=C",
    ], as);
    if (options.ssl) await makeCertificate(dir, osUser);
    await Deno.writeTextFile(`${data}/pg_hba.conf`, hba(options.hbaLines));
    await Deno.writeTextFile(
      `${data}/postgresql.conf`,
      settings(dir, port, options),
      {
        append: true,
      },
    );
    await run(`${PG_BIN}/pg_ctl`, [
      "start",
      "-D",
      data,
      "-w",
      "-t",
      "30",
      "-l",
      `${dir}/server.log`,
    ], as);
    started = true;
    const admin = (sql: string) =>
      run("/usr/bin/psql", [
        `host=${dir} port=${port} user=postgres dbname=postgres`,
        "-X",
        "-A",
        "-t",
        "-q",
        "-v",
        "ON_ERROR_STOP=1",
        "-c",
        sql,
      ]);
    await createObjects(admin, options);
    return {
      dir,
      port,
      socketDir: dir,
      osUser,
      admin,
      stop,
      [Symbol.asyncDispose]: stop,
    };
  } catch (error) {
    const log = await Deno.readTextFile(`${dir}/server.log`).catch(() => "");
    await stop();
    throw new Error(`Failed to start PostgreSQL: ${log.trim()}`, {
      cause: error,
    });
  }
}

function hba(extra: string[] = []): string {
  return [...extra, "local all postgres trust", ""].join("\n");
}

function settings(dir: string, port: number, options: PostgresOptions) {
  const lines = [
    `port = ${port}`,
    "listen_addresses = '127.0.0.1'",
    `unix_socket_directories = '${dir}'`,
    "fsync = off",
    "max_connections = 100",
    "shared_buffers = 16MB",
  ];
  if (options.ssl) {
    lines.push(
      "ssl = on",
      `ssl_cert_file = '${dir}/server.crt'`,
      `ssl_key_file = '${dir}/server.key'`,
    );
  }
  return `\n${lines.join("\n")}\n`;
}

async function makeCertificate(dir: string, osUser: string | undefined) {
  await run("openssl", [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-days",
    "2",
    "-subj",
    "/CN=localhost",
    "-keyout",
    `${dir}/server.key`,
    "-out",
    `${dir}/server.crt`,
  ]);
  // PostgreSQL refuses a key that others can read or that it does not own.
  await Deno.chmod(`${dir}/server.key`, 0o600);
  if (osUser) {
    await run("chown", [osUser, `${dir}/server.key`, `${dir}/server.crt`]);
  }
}

async function createObjects(
  admin: (sql: string) => Promise<string>,
  options: PostgresOptions,
) {
  for (const role of options.roles ?? []) {
    await admin(`CREATE ROLE ${quoteIdent(role)} LOGIN`);
  }
  for (const database of options.databases ?? []) {
    await admin(`CREATE DATABASE ${quoteIdent(database)}`);
  }
}

/** Quotes an SQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
