import assert from "node:assert/strict";
import { TEST_CREDENTIALS, TEST_REGION } from "./bed/fixtures.ts";
import { verifyToken } from "./bed/verifier.ts";
import { runIamPgpass, TEST_AWS_ENV } from "./fixtures.ts";
import { libpqPassword } from "./libpq_rules.ts";

const ENV = {
  ...TEST_AWS_ENV,
  PGHOST: "db.local",
  PGPORT: "6432",
  PGUSER: "app",
};
const EXPECT = {
  hostname: "db.local",
  port: 6432,
  region: TEST_REGION,
  ...TEST_CREDENTIALS,
};

Deno.test("token prints one token the bed's verifier accepts", async () => {
  const result = await runIamPgpass(["token"], ENV);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, "");
  const lines = result.stdout.split("\n");
  assert.deepEqual(lines.slice(1), [""]);
  assert.deepEqual(
    verifyToken(lines[0]!, "app", EXPECT, new Date()),
    { ok: true },
  );
});

Deno.test("token --line prints a line libpq reads back as the token", async () => {
  const result = await runIamPgpass(["token", "--line", "--user", "a:b"], ENV);
  assert.equal(result.code, 0, result.stderr);
  const token = libpqPassword(result.stdout, {
    host: "db.local",
    port: "6432",
    database: "x",
    user: "a:b",
  });
  assert.ok(token, result.stdout);
  assert.deepEqual(
    verifyToken(token, "a:b", EXPECT, new Date()),
    { ok: true },
  );
});

Deno.test("token without credentials exits 5, printing nothing on stdout", async () => {
  const result = await runIamPgpass(["token"], {
    AWS_REGION: TEST_REGION,
    PGUSER: "app",
  });
  assert.equal(result.code, 5);
  assert.equal(result.stdout, "");
  const lines = result.stderr.trim().split("\n");
  assert.equal(lines.length, 1, result.stderr);
  assert.match(
    lines[0]!,
    /^iam-pgpass: error: Cannot sign a token for localhost:5432 user "app": .*credentials/,
  );
});

Deno.test("each subcommand has its own --help, and the main one names them", async (t) => {
  const cases: [string[], RegExp[]][] = [
    [["--help"], [
      /iam-pgpass exec \[options\] -- <command>/,
      /--file <path>/,
      /iam-pgpass token/,
      /--no-escape-password/,
      /asyncpg/,
      /5 +no token could be signed/,
    ]],
    [["exec", "--help"], [
      /^iam-pgpass exec:/,
      /XDG_RUNTIME_DIR/,
      /128 \+ the signal number/,
      /--allow-run/,
    ]],
    [["token", "--help"], [
      /^iam-pgpass token:/,
      /--line/,
      /5 no token\s+could be signed/,
    ]],
  ];
  for (const [args, patterns] of cases) {
    await t.step(args.join(" "), async () => {
      const result = await runIamPgpass(args, {});
      assert.equal(result.code, 0);
      for (const pattern of patterns) assert.match(result.stdout, pattern);
    });
  }
});

Deno.test("subcommand mistakes are usage errors naming the fix", async (t) => {
  const cases: [string[], string][] = [
    [
      ["exec", "psql"],
      'Unexpected argument "psql" before "--": usage is iam-pgpass exec [options] -- <command> [args...]',
    ],
    [
      ["exec", "--"],
      'Missing the command after "--": usage is iam-pgpass exec [options] -- <command> [args...]',
    ],
    [
      ["token", "--replace"],
      'Unknown option "--replace": see iam-pgpass token --help',
    ],
    [
      ["--replace", "/tmp/p"],
      "Option --replace needs --file: a named pipe is served as it is",
    ],
    [
      ["--file", "/tmp/p", "/tmp/q"],
      'Unexpected argument "/tmp/q": --file names the path, so no pipe path is expected',
    ],
    [
      ["--file", "/tmp/p", "--refresh-interval", "0"],
      'Invalid interval "0" for --refresh-interval: expected seconds from 0.001 to 600',
    ],
  ];
  for (const [args, message] of cases) {
    await t.step(args.join(" "), async () => {
      const result = await runIamPgpass(args, TEST_AWS_ENV);
      assert.equal(result.code, 2);
      assert.equal(result.stderr.trim(), `iam-pgpass: error: ${message}`);
    });
  }
});
