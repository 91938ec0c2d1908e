/**
 * The main job end to end: iam-pgpass serves a pipe, real clients read it
 * and log in to a server that verifies the IAM token as RDS does.
 */
import assert from "node:assert/strict";
import {
  type Bed,
  startBed,
  TEST_DATABASE,
  TEST_REGION,
  TEST_USERS,
} from "./bed/mod.ts";
import {
  checkClientsAvailable,
  type ClientName,
  loggedIn,
  runClient,
} from "./clients/mod.ts";
import { startIamPgpass, TEST_AWS_ENV } from "./fixtures.ts";

const PIPE_READERS: ClientName[] = ["pgjdbc", "go-libpq", "go-pgx"];
const USER = TEST_USERS[0]!;

const missing = await checkClientsAvailable();
for (const [name, reason] of missing) {
  console.error(`\n!!! CLIENT NOT TESTED: ${name}: ${reason} !!!\n`);
}

// As root both forms of the bed run; otherwise only the stand-in can.
const kinds: Bed["kind"][] = Deno.uid() === 0
  ? ["rds-box", "stand-in"]
  : ["stand-in"];

for (const kind of kinds) {
  Deno.test(`real clients log in through the pipe (${kind})`, async (t) => {
    if (Deno.env.get("CI") === "true") {
      assert.deepEqual([...missing.keys()], [], "CI must have every client");
    }
    await using bed = await startBed({
      ...(Deno.uid() === 0 ? { kind } : {}),
      region: TEST_REGION,
      users: TEST_USERS,
      database: TEST_DATABASE,
    });
    await pipeLogins(t, bed);
  });
}

async function pipeLogins(t: Deno.TestContext, bed: Bed) {
  const dir = await Deno.makeTempDir({ prefix: "iam-pgpass-e2e-" });
  const pipe = `${dir}/pgpass`;
  const server = startIamPgpass([pipe], {
    ...TEST_AWS_ENV,
    PGHOST: bed.host,
    PGPORT: String(bed.port),
    PGUSER: USER,
    PGDATABASE: TEST_DATABASE,
  });
  try {
    await server.waitForLog(/Serving IAM tokens/);
    const options = {
      host: bed.host,
      port: bed.port,
      user: USER,
      database: TEST_DATABASE,
      sslmode: bed.sslmode,
      passfile: pipe,
    };
    for (const name of PIPE_READERS) {
      await t.step({
        name: `${name} reads the pipe and logs in`,
        ignore: missing.has(name),
        fn: async () => {
          const result = await runClient(name, options);
          assert.ok(loggedIn(name, result, USER), JSON.stringify(result));
          const log = await bed.verifierLog();
          assert.match(log.at(-1)!, new RegExp(`user="${USER}".* ok$`));
        },
      });
    }
    await t.step("psql refuses the pipe as 'not a plain file'", async () => {
      const result = await runClient("psql", options);
      assert.notEqual(result.code, 0);
      assert.match(
        result.stderr,
        new RegExp(`password file "${pipe}" is not a plain file`),
      );
    });
  } finally {
    assert.equal(await server.stop(), 143, server.stderr());
    await Deno.remove(dir, { recursive: true });
  }
}
