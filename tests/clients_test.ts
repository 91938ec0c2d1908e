/**
 * Each real client against a throwaway PostgreSQL with password logins: it
 * must log in from a 0600 password file, and what it does with a named pipe,
 * a group-readable file and `\:` escaping is asserted as measured, because
 * the product's modes and formatting rely on it.
 */
import assert from "node:assert/strict";
import { startPostgres } from "./bed/postgres.ts";
import { feedPipe } from "./clients/fifo.ts";
import {
  ALL_CLIENTS,
  checkClientsAvailable,
  type ClientName,
  type ClientOptions,
  loggedIn,
  runClient,
  runClientCopies,
} from "./clients/mod.ts";

const DATABASE = "appdb";
const PLAIN = { user: "appuser", password: "plain-Secret-1" };
/** Shaped like an IAM token: colons, no backslash. */
const TOKENISH = {
  user: "tokenuser",
  password: "db.example:5432/?Action=connect&DBUser=tokenuser",
};
/** A colon and a backslash. */
const TRICKY = { user: "trickyuser", password: "a:b\\c" };
/** May log in over TLS only, as IAM users on RDS. */
const TLS_ONLY = { user: "tlsuser", password: "tls-Secret-1" };

/** What each client says when the server or the file refused the login. */
const LOGIN_REFUSED =
  /password authentication failed|no password supplied|password must be a string/;

/** Whether a client logged in, per way of giving it the password. */
interface Behaviour {
  /** A named pipe fed by a plain writer loop. */
  pipe: boolean;
  /** A regular file with mode 0644. */
  groupReadable: boolean;
  /** Token-like password, `:` written as `\:`. */
  tokenEscaped: boolean;
  /** Token-like password written as it is. */
  tokenRaw: boolean;
  /** `a:b\c` written as `a\:b\\c`. */
  trickyEscaped: boolean;
  /** `a:b\c` written as it is. */
  trickyRaw: boolean;
}

const LIBPQ: Behaviour = {
  pipe: false,
  groupReadable: false,
  tokenEscaped: true,
  tokenRaw: false,
  trickyEscaped: true,
  trickyRaw: false,
};

/** Measured with Debian 12's packages; see the table DESIGN.md keeps. */
const EXPECTED: Record<ClientName, Behaviour> = {
  "psql": LIBPQ,
  "pg_dump": LIBPQ,
  "psycopg2": LIBPQ,
  "psycopg3": LIBPQ,
  "asyncpg": {
    pipe: false,
    groupReadable: false,
    tokenEscaped: false,
    tokenRaw: true,
    trickyEscaped: false,
    trickyRaw: true,
  },
  "node-postgres": {
    pipe: false,
    groupReadable: false,
    tokenEscaped: true,
    tokenRaw: true,
    trickyEscaped: true,
    trickyRaw: true,
  },
  "pgjdbc": {
    pipe: true,
    groupReadable: true,
    tokenEscaped: true,
    tokenRaw: false,
    trickyEscaped: true,
    trickyRaw: false,
  },
  "go-libpq": {
    pipe: true,
    groupReadable: false,
    tokenEscaped: true,
    tokenRaw: false,
    trickyEscaped: true,
    trickyRaw: false,
  },
  "go-pgx": {
    pipe: true,
    groupReadable: true,
    tokenEscaped: true,
    tokenRaw: false,
    trickyEscaped: true,
    trickyRaw: false,
  },
};

Deno.test("real clients read the password file as measured", async (t) => {
  const missing = await checkClientsAvailable();
  for (const [name, reason] of missing) {
    console.error(`\n!!! CLIENT NOT TESTED: ${name}: ${reason} !!!\n`);
  }
  // CI must have every client; a developer's machine may lack some.
  if (Deno.env.get("CI") === "true") {
    assert.deepEqual([...missing.keys()], [], "Every client must be installed");
  }

  const cluster = await startCluster();
  const dir = await Deno.makeTempDir({ prefix: "iam-pgpass-pgpass-" });
  const measured: Partial<Record<ClientName, Behaviour>> = {};
  try {
    await createRoles(cluster);
    for (const name of ALL_CLIENTS) {
      await t.step({
        name: `${name} logs in from a 0600 file, pipe and escaping as measured`,
        ignore: missing.has(name),
        fn: async () => {
          const plain = await tryFile(cluster, dir, name, PLAIN, 0o600, false);
          assert.ok(plain.ok, `${name} must log in: ${plain.stderr}`);
          const tls = await tryFile(cluster, dir, name, TLS_ONLY, 0o600, false);
          assert.ok(tls.ok, `${name} must log in over TLS: ${tls.stderr}`);
          const row = await measure(cluster, dir, name);
          measured[name] = row;
          assert.deepEqual(row, EXPECTED[name]);
        },
      });
    }

    await t.step({
      name: "four psql runs at once all log in from one file",
      ignore: missing.has("psql"),
      fn: async () => {
        const passfile = `${dir}/concurrent`;
        await writePassfile(passfile, cluster, PLAIN, 0o600, false);
        const results = await runClientCopies(
          "psql",
          options(cluster, PLAIN.user, passfile),
          4,
        );
        for (const result of results) {
          assert.ok(loggedIn("psql", result, PLAIN.user), result.stderr);
        }
      },
    });
  } finally {
    printTable(measured);
    await Deno.remove(dir, { recursive: true });
    await cluster.stop();
  }
});

/** A TLS cluster where TCP logins must prove a password. */
interface Cluster {
  host: string;
  port: number;
  sql(statement: string): Promise<string>;
  stop(): Promise<void>;
}

async function startCluster(): Promise<Cluster> {
  const pg = await startPostgres({
    ssl: true,
    hbaLines: [
      `hostnossl all ${TLS_ONLY.user} 127.0.0.1/32 reject`,
      "host all all 127.0.0.1/32 scram-sha-256",
    ],
  });
  return { host: "127.0.0.1", port: pg.port, sql: pg.admin, stop: pg.stop };
}

async function createRoles(cluster: Cluster): Promise<void> {
  for (const { user, password } of [PLAIN, TOKENISH, TRICKY, TLS_ONLY]) {
    const literal = password.replaceAll("'", "''");
    await cluster.sql(`create role ${user} login password '${literal}'`);
  }
  await cluster.sql(`create database ${DATABASE} owner ${PLAIN.user}`);
}

async function measure(
  cluster: Cluster,
  dir: string,
  name: ClientName,
): Promise<Behaviour> {
  const file = (login: Login, mode: number, escape: boolean) =>
    tryFile(cluster, dir, name, login, mode, escape).then(refusedOrOk);
  const pipe = await tryPipe(cluster, dir, name);
  if (!pipe.ok) {
    // A refused pipe is never opened, and the client says why.
    assert.equal(pipe.writes, 0, `${name} read the pipe yet failed`);
    assert.match(pipe.stderr, /is not a plain file/);
  }
  return {
    pipe: refusedOrOk(pipe),
    groupReadable: await file(PLAIN, 0o644, true),
    tokenEscaped: await file(TOKENISH, 0o600, true),
    tokenRaw: await file(TOKENISH, 0o600, false),
    trickyEscaped: await file(TRICKY, 0o600, true),
    trickyRaw: await file(TRICKY, 0o600, false),
  };
}

interface Login {
  user: string;
  password: string;
}

interface Attempt {
  ok: boolean;
  stderr: string;
}

/**
 * Whether the login worked, having made sure that a failure is a refused
 * login and not a timeout or a broken harness.
 */
function refusedOrOk(attempt: Attempt): boolean {
  if (!attempt.ok) assert.match(attempt.stderr, LOGIN_REFUSED);
  return attempt.ok;
}

async function tryFile(
  cluster: Cluster,
  dir: string,
  name: ClientName,
  login: Login,
  mode: number,
  escape: boolean,
): Promise<Attempt> {
  const passfile = `${dir}/${name}-pgpass`;
  await writePassfile(passfile, cluster, login, mode, escape);
  try {
    const result = await runClient(
      name,
      options(cluster, login.user, passfile),
    );
    return { ok: loggedIn(name, result, login.user), stderr: result.stderr };
  } finally {
    await Deno.remove(passfile);
  }
}

async function tryPipe(
  cluster: Cluster,
  dir: string,
  name: ClientName,
): Promise<Attempt & { writes: number }> {
  const passfile = `${dir}/${name}-pipe`;
  const feeder = await feedPipe(passfile, pgpassLine(cluster, PLAIN, true));
  try {
    const result = await runClient(
      name,
      options(cluster, PLAIN.user, passfile),
    );
    return {
      ok: loggedIn(name, result, PLAIN.user),
      stderr: result.stderr,
      writes: feeder.writes,
    };
  } finally {
    await feeder.stop();
  }
}

function options(
  cluster: Cluster,
  user: string,
  passfile: string,
): ClientOptions {
  return {
    host: cluster.host,
    port: cluster.port,
    user,
    database: DATABASE,
    // Every client must encrypt for the TLS-only user.
    sslmode: user === TLS_ONLY.user ? "require" : "disable",
    passfile,
    timeoutMs: 20_000,
  };
}

async function writePassfile(
  path: string,
  cluster: Cluster,
  login: Login,
  mode: number,
  escape: boolean,
): Promise<void> {
  await Deno.writeTextFile(path, pgpassLine(cluster, login, escape));
  // writeTextFile's mode is filtered by the umask; chmod is not.
  await Deno.chmod(path, mode);
}

function pgpassLine(cluster: Cluster, login: Login, escape: boolean): string {
  const password = escape
    ? login.password.replace(/[\\:]/g, "\\$&")
    : login.password;
  return `${cluster.host}:${cluster.port}:${DATABASE}:${login.user}:` +
    `${password}\n`;
}

function printTable(measured: Partial<Record<ClientName, Behaviour>>): void {
  const columns = Object.keys(LIBPQ) as (keyof Behaviour)[];
  const lines = [
    `| client | ${columns.join(" | ")} |`,
    `| --- |${" --- |".repeat(columns.length)}`,
  ];
  for (const [name, row] of Object.entries(measured)) {
    const cells = columns.map((column) => row[column] ? "yes" : "no");
    lines.push(`| ${name} | ${cells.join(" | ")} |`);
  }
  console.log(`\nMeasured logins:\n${lines.join("\n")}\n`);
}
