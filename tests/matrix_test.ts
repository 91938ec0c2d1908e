/**
 * The client matrix, end to end: each of the nine real clients against the
 * bed (RDS in a box with TLS as root, the stand-in otherwise), through a
 * file kept by `--file`, under `exec`, and through the pipe, each with the
 * token escaped and, where the option exists, raw. The measured table is
 * printed on stderr for the README; `EXPECTED` holds it, so any change in
 * behaviour fails. Also: 32 logins at the same moment through the file, and
 * the same through the pipe, measured.
 */
import assert from "node:assert/strict";
import {
  type Bed,
  startBed,
  TEST_DATABASE,
  TEST_REGION,
  TEST_USERS,
} from "./bed/mod.ts";
import { clientCommand } from "./clients/commands.ts";
import {
  ALL_CLIENTS,
  checkClientsAvailable,
  type ClientName,
  type ClientOptions,
  loggedIn,
  runClient,
  runClientCopies,
} from "./clients/mod.ts";
import {
  type RunningServer,
  startIamPgpass,
  TEST_AWS_ENV,
} from "./fixtures.ts";
import {
  markdownTable,
  type Mode,
  MODES,
  type Outcome,
  outcomeOf,
  type Row,
  runExec,
} from "./matrix.ts";

const USER = TEST_USERS[0]!;
const OK = "logs in";
const PIPE = "refuses the pipe";
const BAD = "token rejected";
const NONE = "no password";

/**
 * What each client does, per mode in `MODES` order: `--file`,
 * `--file --no-escape-password`, `exec`, `exec --no-escape-password`, pipe.
 * Measured with Debian 12's packages against the bed. `BAD`: the verifier
 * rejected the password, because libpq and pgjdbc cut an unescaped token at
 * its first ":" and asyncpg keeps the backslashes of an escaped one. `NONE`:
 * lib/pq and pgx skip an unescaped line and send an empty password. `PIPE`:
 * "not a plain file", and asyncpg then fails with an `InternalClientError`.
 */
const EXPECTED: Record<ClientName, Row> = {
  "psql": [OK, BAD, OK, BAD, PIPE],
  "pg_dump": [OK, BAD, OK, BAD, PIPE],
  "psycopg2": [OK, BAD, OK, BAD, PIPE],
  "psycopg3": [OK, BAD, OK, BAD, PIPE],
  "asyncpg": [BAD, OK, BAD, OK, PIPE],
  "node-postgres": [OK, OK, OK, OK, PIPE],
  "pgjdbc": [OK, BAD, OK, BAD, OK],
  "go-libpq": [OK, NONE, OK, NONE, OK],
  "go-pgx": [OK, NONE, OK, NONE, OK],
};

/** Clients started at the same moment in the concurrency steps. */
const COPIES = 32;
/** Rounds of concurrent pipe readers, to see how the result varies. */
const PIPE_ROUNDS = 3;

const missing = await checkClientsAvailable();
for (const [name, reason] of missing) {
  console.error(`\n!!! CLIENT NOT TESTED: ${name}: ${reason} !!!\n`);
}

Deno.test("each client logs in or is refused as the matrix says, in every mode", async (t) => {
  if (Deno.env.get("CI") === "true") {
    assert.deepEqual([...missing.keys()], [], "CI must have every client");
  }
  await using bed = await startBed({
    region: TEST_REGION,
    users: TEST_USERS,
    database: TEST_DATABASE,
  });
  const dir = await Deno.makeTempDir({ prefix: "iam-pgpass-matrix-" });
  const runtimeDir = `${dir}/runtime`;
  await Deno.mkdir(runtimeDir, { mode: 0o700 });
  const paths = { file: `${dir}/file`, raw: `${dir}/raw`, pipe: `${dir}/pipe` };
  const env = {
    ...TEST_AWS_ENV,
    PGHOST: bed.host,
    PGPORT: String(bed.port),
    PGUSER: USER,
    PGDATABASE: TEST_DATABASE,
  };
  const servers = {
    file: startIamPgpass(["--file", paths.file], env),
    raw: startIamPgpass(["--file", paths.raw, "--no-escape-password"], env),
    pipe: startIamPgpass([paths.pipe], env),
  };
  const measured = new Map<ClientName, Outcome[]>(
    ALL_CLIENTS.map((name) => [name, []]),
  );
  const timings: string[] = [];
  try {
    await Promise.all([
      servers.file.waitForLog(/Keeping a password file/),
      servers.raw.waitForLog(/Keeping a password file/),
      servers.pipe.waitForLog(/Serving IAM tokens/),
    ]);
    const options = (passfile: string): ClientOptions => ({
      host: bed.host,
      port: bed.port,
      user: USER,
      database: TEST_DATABASE,
      sslmode: bed.sslmode,
      passfile,
      timeoutMs: 20_000,
    });
    const cell = async (name: ClientName, mode: Mode): Promise<Outcome> => {
      if (missing.has(name)) return "not tested";
      switch (mode) {
        case "file":
        case "pipe":
          return outcomeOf(
            name,
            await runClient(name, options(paths[mode])),
            USER,
          );
        case "file-raw":
          return outcomeOf(
            name,
            await runClient(name, options(paths.raw)),
            USER,
          );
        case "exec":
        case "exec-raw":
          return outcomeOf(
            name,
            await execClient(bed, name, options(runtimeDir), mode),
            USER,
          );
      }
    };

    for (const [column, mode] of MODES.entries()) {
      await t.step(`${mode}: every client as the matrix says`, async () => {
        const started = performance.now();
        const before = await attempts(bed);
        const got: Partial<Record<ClientName, Outcome>> = {};
        const want: Partial<Record<ClientName, Outcome>> = {};
        // One at a time: concurrent readers of one pipe race (see below).
        for (const name of ALL_CLIENTS) {
          got[name] = await cell(name, mode);
          measured.get(name)!.push(got[name]);
          want[name] = missing.has(name)
            ? "not tested"
            : EXPECTED[name][column];
        }
        timings.push(
          `${mode} ${((performance.now() - started) / 1000).toFixed(1)} s`,
        );
        assert.deepEqual(got, want);
        // Every login and every rejection went through the bed's verifier.
        const after = await attempts(bed);
        const outcomes = Object.values(got);
        assert.equal(
          after.ok - before.ok,
          outcomes.filter((o) => o === OK).length,
          "logins seen by the verifier",
        );
        assert.equal(
          after.rejected - before.rejected,
          outcomes.filter((o) => o === BAD).length,
          "rejections seen by the verifier",
        );
      });
    }

    await t.step({
      name: `${COPIES} psql runs at once through --file all log in`,
      ignore: missing.has("psql"),
      fn: async () => {
        const before = await attempts(bed);
        const results = await runClientCopies(
          "psql",
          options(paths.file),
          COPIES,
        );
        const failed = results.filter((r) => !loggedIn("psql", r, USER));
        assert.deepEqual(failed, []);
        assert.equal((await attempts(bed)).ok - before.ok, COPIES);
      },
    });

    await t.step({
      name: `${COPIES} go-libpq runs at once through the pipe: measured`,
      ignore: missing.has("go-libpq"),
      fn: async () => {
        const rounds: string[] = [];
        for (let round = 0; round < PIPE_ROUNDS; round++) {
          const results = await runClientCopies(
            "go-libpq",
            options(paths.pipe),
            COPIES,
          );
          const tally = new Map<Outcome, number>();
          for (const result of results) {
            const outcome = outcomeOf("go-libpq", result, USER);
            tally.set(outcome, (tally.get(outcome) ?? 0) + 1);
          }
          const ok = tally.get(OK) ?? 0;
          tally.delete(OK);
          const rest = [...tally].map(([o, n]) => `${n} ${o}`).join(", ");
          rounds.push(`${ok}/${COPIES} logged in${rest ? ` (${rest})` : ""}`);
          // A pipe is one stream: only "some" is promised, never "all".
          assert.ok(ok >= 1, rounds.at(-1));
        }
        console.error(
          `\n${COPIES} go-libpq clients at once through one pipe, ` +
            `${PIPE_ROUNDS} rounds:\n${rounds.join("\n")}\n`,
        );
      },
    });
  } finally {
    console.error(
      `\nClient matrix (${bed.kind}, tests/matrix_test.ts; ` +
        `${timings.join(", ")}):\n\n${markdownTable(measured)}\n`,
    );
    const codes = await Promise.all(
      Object.values(servers).map((server) => server.stop()),
    );
    assert.deepEqual(codes, [143, 143, 143], stderrOf(servers));
    await Deno.remove(dir, { recursive: true });
  }
});

/**
 * Runs a client as the command of `iam-pgpass exec`, with the environment
 * the client harness gives it. `options.passfile` is the runtime directory:
 * exec makes the private file there, and node-postgres may read under it.
 */
async function execClient(
  bed: Bed,
  name: ClientName,
  options: ClientOptions,
  mode: "exec" | "exec-raw",
) {
  const env: Record<string, string> = {
    ...TEST_AWS_ENV,
    LANG: "C.UTF-8",
    XDG_RUNTIME_DIR: options.passfile,
    PGHOST: bed.host,
    PGPORT: String(bed.port),
    PGUSER: options.user,
    PGDATABASE: options.database,
    // pg reads "require" as "verify-full"; "no-verify" is libpq's "require".
    PGSSLMODE: name === "node-postgres" && options.sslmode === "require"
      ? "no-verify"
      : options.sslmode,
  };
  for (const key of ["NPM_CONFIG_REGISTRY", "HTTPS_PROXY", "HTTP_PROXY"]) {
    const value = Deno.env.get(key);
    if (value !== undefined) env[key] = value;
  }
  const result = await runExec({
    flags: mode === "exec-raw" ? ["--no-escape-password"] : [],
    argv: await clientCommand(name, options),
    env,
  });
  // exec removes its private directory whatever the command did.
  assert.deepEqual(await Array.fromAsync(Deno.readDir(options.passfile)), []);
  return result;
}

/** How many logins the bed's verifier accepted and rejected so far. */
async function attempts(bed: Bed): Promise<{ ok: number; rejected: number }> {
  const lines = await bed.verifierLog();
  return {
    ok: lines.filter((line) => / ok$/.test(line)).length,
    rejected: lines.filter((line) => / rejected: /.test(line)).length,
  };
}

function stderrOf(servers: Record<string, RunningServer>): string {
  return Object.entries(servers)
    .map(([name, server]) => `${name}:\n${server.stderr()}`)
    .join("\n");
}
