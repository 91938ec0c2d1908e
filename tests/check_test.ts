import assert from "node:assert/strict";
import {
  assertNoSecret,
  CHECK_FAILED,
  checkContent,
  ENV,
  line,
  token,
  unwrap,
} from "./check_fixtures.ts";
import { runIamPgpass, startIamPgpass } from "./fixtures.ts";

Deno.test("check passes a file written by iam-pgpass --file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "iam-pgpass-check-" });
  const path = `${dir}/pgpass`;
  const server = startIamPgpass(["--file", path], ENV);
  try {
    await server.waitForLog(/Keeping a password file/);
    const content = await Deno.readTextFile(path);
    const result = await runIamPgpass(["check"], { ...ENV, PGPASSFILE: path });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(result.stderr, "");
    assertNoSecret(result.stdout, content);
    const text = unwrap(result.stdout);
    assert.match(
      text,
      /^Checking db\.local:6432 database "app" user "app" \(user from PGUSER\)$/m,
    );
    assert.match(text, /^ok {4}PGPASSFILE ".*": a regular file, mode 0600$/m);
    assert.match(text, /^ok {4}Line 2 matches: db\.local:6432:\*:app$/m);
    assert.match(text, /^ok {4}Token signed \d+ s ago, valid \d+ s more/m);
    assert.match(
      text,
      /^info {2}Signed for db\.local:6432 user "app" in eu-central-1 with access key AKIDIAMPGPASSTEST01$/m,
    );
    assert.match(
      text,
      /^warn {2}asyncpg: keeps the backslashes of an escaped token/m,
    );
    assert.match(
      text,
      /^ok {4}Gets a valid token: libpq \(psql, pg_dump, psycopg\), node-postgres, pgjdbc, Go lib\/pq, Go pgx$/m,
    );
    assert.match(text, /^ok {4}sslmode require requires TLS$/m);
    assert.match(
      text,
      /^info {2}AWS credentials here: access key AKIDIAMPGPASSTEST01, from environment/m,
    );
    assert.match(text, /^Result: a client gets a valid token\n$/m);
  } finally {
    assert.equal(await server.stop(), 143);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("check reads one line from a pipe and names the clients that read pipes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "iam-pgpass-check-" });
  const path = `${dir}/pgpass`;
  const server = startIamPgpass([path], ENV);
  try {
    await server.waitForLog(/Serving IAM tokens/);
    const result = await runIamPgpass(["check"], { ...ENV, PGPASSFILE: path });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assertNoSecret(result.stdout, "");
    const text = unwrap(result.stdout);
    assert.match(text, /^ok {4}PGPASSFILE ".*": a named pipe, mode 0600$/m);
    assert.match(
      text,
      /^info {2}Reading the pipe took one line from its server/m,
    );
    assert.match(
      text,
      /^ok {4}Gets a valid token: pgjdbc, Go lib\/pq, Go pgx$/m,
    );
    assert.match(
      text,
      /^warn {2}libpq \(psql, pg_dump, psycopg\), asyncpg, node-postgres: does not read a pipe$/m,
    );
  } finally {
    assert.equal(await server.stop(), 143);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("check says when no server answers a pipe, without hanging", async () => {
  const dir = await Deno.makeTempDir({ prefix: "iam-pgpass-check-" });
  const path = `${dir}/pgpass`;
  await new Deno.Command("mkfifo", { args: ["-m", "600", path] }).output();
  try {
    const result = await runIamPgpass(["check"], { ...ENV, PGPASSFILE: path });
    assert.equal(result.code, CHECK_FAILED);
    assert.match(
      unwrap(result.stdout),
      /^error Cannot read the file: no server opened the pipe for writing within 3 s$/m,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("check warns about mode 0644 and names who still reads it", async () => {
  const result = await checkContent(line(await token()), { mode: 0o644 });
  assert.equal(result.code, 0, result.stdout);
  assert.match(
    result.text,
    /^ok {4}PGPASSFILE ".*": a regular file, mode 0644$/m,
  );
  assert.match(
    result.text,
    /^warn {2}Mode 0644 lets group or others in: libpq, asyncpg, node-postgres and Go lib\/pq ignore the file; chmod 600 it$/m,
  );
  assert.match(result.text, /^ok {4}Gets a valid token: pgjdbc, Go pgx$/m);
});

Deno.test("check explains lines that do not match", async (t) => {
  const fresh = await token();
  const cases: [string, Record<string, unknown>, RegExp][] = [
    [
      "host in other case",
      { host: "DB.Local" },
      /^info {2}Line 1: host "DB\.Local" differs from "db\.local" only in case, and libpq compares exactly$/m,
    ],
    ["port", { port: 5432 }, /^info {2}Line 1: port "5432" is not "6432"$/m],
    [
      "database",
      { database: "other" },
      /^info {2}Line 1: database "other" is not "app"$/m,
    ],
    ["user", { user: "bob" }, /^info {2}Line 1: user "bob" is not "app"$/m],
  ];
  for (const [name, match, pattern] of cases) {
    await t.step(name, async () => {
      const result = await checkContent(line(fresh, match));
      assert.equal(result.code, CHECK_FAILED, result.text);
      assert.match(result.text, pattern);
      assert.match(
        result.text,
        /^error No line matches db\.local:6432 database "app" user "app"$/m,
      );
      assert.match(result.text, /^Result: no client gets a valid token$/m);
    });
  }
});

Deno.test("check refuses an expired token, saying how old it is", async () => {
  const result = await checkContent(line(await token(20 * 60)));
  assert.equal(result.code, CHECK_FAILED, result.text);
  // Signed 20 minutes before check runs; a slow start adds a second or two.
  const ages = /^error Token expired (\d+) s ago \(signed (\d+) s ago\)$/m
    .exec(result.text);
  assert.ok(ages, result.text);
  const [expired, signed] = [Number(ages[1]), Number(ages[2])];
  assert.ok(signed >= 1200 && signed <= 1210, result.text);
  assert.equal(signed - expired, 900);
  assert.match(
    result.text,
    /^error libpq \(psql, pg_dump, psycopg\), node-postgres, pgjdbc, Go lib\/pq, Go pgx: the token is refused \(see above\)$/m,
  );
});

Deno.test("check refuses a token for another user", async () => {
  const result = await checkContent(line(await token(0, { user: "bob" })));
  assert.equal(result.code, CHECK_FAILED, result.text);
  assert.match(
    result.text,
    /^error Token is for user "bob" but the client logs in as "app": RDS refuses it$/m,
  );
});

Deno.test("check warns when the token is signed for another endpoint", async () => {
  const rds = "db.abc.eu-central-1.rds.amazonaws.com";
  const result = await checkContent(
    line(await token(0, { host: rds, port: 5432 })),
  );
  assert.equal(result.code, 0, result.text);
  assert.match(
    result.text,
    new RegExp(
      `^warn  The client dials db\\.local:6432 but the token is signed for ${rds}:5432: fine through a tunnel`,
      "m",
    ),
  );
});

Deno.test("check warns that an unescaped token is cut by libpq", async () => {
  const result = await checkContent(line(await token(), {}, false));
  assert.equal(result.code, 0, result.text);
  assert.match(
    result.text,
    /^warn {2}Line 1 holds an unescaped token: libpq and pgjdbc read it cut at its first ":", the Go drivers skip the line$/m,
  );
  assert.match(
    result.text,
    /^ok {4}Gets a valid token: asyncpg, node-postgres$/m,
  );
  assert.match(
    result.text,
    /^warn {2}libpq \(psql, pg_dump, psycopg\), pgjdbc: reads the password cut at its first unescaped ":"$/m,
  );
  assert.match(
    result.text,
    /^warn {2}Go lib\/pq, Go pgx: skips the line: its token is not escaped$/m,
  );
});

Deno.test("check relays why a failing server wrote no token", async () => {
  const result = await checkContent(
    '# iam-pgpass: no token for db.local:6432 user "app": Could not load credentials from any providers\n',
  );
  assert.equal(result.code, CHECK_FAILED, result.text);
  assert.match(
    result.text,
    /^error The server wrote no token: no token for db\.local:6432 user "app": Could not load credentials from any providers$/m,
  );
});

Deno.test("check fails when PGPASSFILE does not exist", async () => {
  const result = await runIamPgpass(["check"], {
    ...ENV,
    PGPASSFILE: "/nonexistent/iam-pgpass/pgpass",
  });
  assert.equal(result.code, CHECK_FAILED);
  assert.match(
    result.stdout,
    /^error PGPASSFILE "\/nonexistent\/iam-pgpass\/pgpass" does not exist$/m,
  );
  assert.doesNotMatch(result.stdout, /Line \d/);
});

Deno.test("check warns when sslmode lets the token travel without TLS", async (t) => {
  const fresh = line(await token());
  for (const mode of ["disable", "allow", "prefer"]) {
    await t.step(mode, async () => {
      const result = await checkContent(fresh, { env: { PGSSLMODE: mode } });
      assert.equal(result.code, 0, result.text);
      assert.match(
        result.text,
        new RegExp(
          `^warn  sslmode ${mode} \\(from PGSSLMODE\\) can send the token without TLS, and RDS refuses IAM logins without TLS: use require or verify-full$`,
          "m",
        ),
      );
    });
  }
  await t.step("unset", async () => {
    const result = await checkContent(fresh, { env: { PGSSLMODE: "" } });
    assert.match(
      result.text,
      /^warn {2}sslmode prefer \(PGSSLMODE unset, libpq's default\)/m,
    );
  });
});
