import assert from "node:assert/strict";
import { checkContent, ENV, line, token } from "./check_fixtures.ts";
import { runIamPgpass } from "./fixtures.ts";
import { TEST_CREDENTIALS } from "./bed/fixtures.ts";

Deno.test("check --json prints one stable object", async () => {
  const content = "# a comment\n" + line(await token(), { port: 1 }) +
    line(await token());
  const result = await checkContent(content, { json: true });
  assert.equal(result.code, 0, result.stdout);
  const report = JSON.parse(result.stdout);
  assert.deepEqual(Object.keys(report), [
    "ok",
    "connection",
    "passfile",
    "match",
    "token",
    "clients",
    "identity",
    "findings",
  ]);
  assert.equal(report.ok, true);
  assert.deepEqual(report.connection, {
    host: "db.local",
    port: 6432,
    database: "app",
    user: "app",
    sslmode: "require",
  });
  assert.deepEqual(report.passfile, {
    path: result.path,
    kind: "file",
    mode: "0600",
    uid: Deno.uid(),
  });
  assert.deepEqual(report.match, { line: 3, fields: "db.local:6432:*:app" });
  assert.deepEqual(
    Object.keys(report.token),
    [
      "host",
      "port",
      "user",
      "region",
      "accessKeyId",
      "signedAt",
      "expiresAt",
      "temporary",
      "signedAtIso",
      "expiresAtIso",
    ],
  );
  assert.equal(report.token.expiresAt - report.token.signedAt, 900_000);
  assert.deepEqual(
    report.clients.map((c: { id: string; ok: boolean }) => [c.id, c.ok]),
    [
      ["libpq", true],
      ["asyncpg", false],
      ["node-postgres", true],
      ["pgjdbc", true],
      ["lib/pq", true],
      ["pgx", true],
    ],
  );
  assert.deepEqual(report.identity, {
    accessKeyId: TEST_CREDENTIALS.accessKeyId,
    source: "environment (AWS_ACCESS_KEY_ID)",
  });
  assert.deepEqual(
    report.findings.map((f: { level: string; code: string }) =>
      `${f.level} ${f.code}`
    ),
    [
      "ok file-regular",
      "info miss-port",
      "ok match",
      "ok token-fresh",
      "info token-signed-for",
      "ok clients",
      "warn clients-refused",
      "ok tls",
      "info identity",
    ],
  );
});

Deno.test("check without AWS credentials still checks the file", async () => {
  const result = await checkContent(line(await token()), {
    env: { AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "" },
  });
  assert.equal(result.code, 0, result.text);
  assert.match(result.text, /^warn {2}No AWS credentials here \(tried /m);
});

Deno.test("check --help, and its usage errors exit 2", async () => {
  const help = await runIamPgpass(["check", "--help"], {});
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^iam-pgpass check:/);
  assert.match(help.stdout, /6 no\s+client would/);
  const main = await runIamPgpass(["--help"], {});
  assert.match(main.stdout, /iam-pgpass check \[options\]/);
  assert.match(main.stdout, /6 +check: no client would get a valid token/);
  const cases: [string[], string][] = [
    [
      ["check", "extra"],
      'Unexpected argument "extra": iam-pgpass check takes only options',
    ],
    [
      ["check", "--sslmode", "maybe"],
      'Invalid sslmode "maybe": expected one of disable, allow, prefer, require, verify-ca, verify-full',
    ],
    [
      ["check", "--port", "0"],
      'Invalid port "0" from --port: expected a whole number from 1 to 65535',
    ],
  ];
  for (const [args, message] of cases) {
    const result = await runIamPgpass(args, ENV);
    assert.equal(result.code, 2, result.stdout);
    assert.equal(result.stderr.trim(), `iam-pgpass: error: ${message}`);
  }
});
