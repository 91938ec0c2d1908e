import assert from "node:assert/strict";
import {
  startBed,
  TEST_CREDENTIALS,
  TEST_DATABASE,
  TEST_REGION,
  TEST_USERS,
} from "./bed/mod.ts";
import { verifyToken } from "./bed/verifier.ts";
import { runClient } from "./clients/mod.ts";
import { startIamPgpass } from "./fixtures.ts";
import { libpqPassword } from "./libpq_rules.ts";

const RUN_MS = 15_000;
const CREDENTIALS_LIFE_S = 6;

/**
 * A `credential_process` that hands out the test key with a session token
 * naming its expiry, CREDENTIALS_LIFE_S seconds from each call.
 */
async function shortCredentialsConfig(dir: string): Promise<string> {
  const script = `${dir}/credentials.sh`;
  await Deno.writeTextFile(
    script,
    `#!/bin/sh
exp=$(( $(date +%s) + ${CREDENTIALS_LIFE_S} ))
printf '{"Version":1,"AccessKeyId":"%s","SecretAccessKey":"%s",' \\
  '${TEST_CREDENTIALS.accessKeyId}' '${TEST_CREDENTIALS.secretAccessKey}'
printf '"SessionToken":"expires-%s","Expiration":"%s"}\\n' \\
  "$exp" "$(date -u -d "@$exp" +%Y-%m-%dT%H:%M:%SZ)"
`,
    { mode: 0o700 },
  );
  await Deno.chmod(script, 0o700);
  const config = `${dir}/config`;
  await Deno.writeTextFile(
    config,
    `[profile short]\ncredential_process = ${script}\n`,
  );
  return config;
}

Deno.test(`file mode with credentials that expire in ${CREDENTIALS_LIFE_S} s never serves an expired token`, async () => {
  await using bed = await startBed({
    region: TEST_REGION,
    users: TEST_USERS,
    database: TEST_DATABASE,
  });
  const dir = await Deno.makeTempDir({ prefix: "iam-pgpass-refresh-" });
  const path = `${dir}/pgpass`;
  const user = TEST_USERS[0]!;
  const server = startIamPgpass(["--file", path, "--verbose"], {
    AWS_CONFIG_FILE: await shortCredentialsConfig(dir),
    AWS_PROFILE: "short",
    AWS_REGION: TEST_REGION,
    PGHOST: bed.endpoint.hostname,
    PGPORT: String(bed.endpoint.port),
    PGUSER: user,
    PGDATABASE: TEST_DATABASE,
  });
  const conn = {
    host: bed.endpoint.hostname,
    port: String(bed.endpoint.port),
    database: TEST_DATABASE,
    user,
  };
  const expect = { ...bed.endpoint, region: TEST_REGION, ...TEST_CREDENTIALS };
  try {
    await server.waitForLog(/Keeping a password file/);
    const sessions = new Set<string>();
    let reads = 0;
    let logins = 0;
    const started = Date.now();
    while (Date.now() - started < RUN_MS) {
      const text = await Deno.readTextFile(path);
      const readAt = Date.now();
      const token = libpqPassword(text, conn);
      assert.ok(token, text);
      const session = new URLSearchParams(token.split("?")[1])
        .get("X-Amz-Security-Token")!;
      const credentialsExpiry = Number(session.replace("expires-", "")) * 1000;
      assert.ok(
        readAt < credentialsExpiry,
        `read at ${readAt}: credentials expired at ${credentialsExpiry}`,
      );
      assert.deepEqual(
        verifyToken(token, user, expect, new Date(readAt)),
        { ok: true },
      );
      sessions.add(session);
      reads++;
      if (reads % 40 === 0) {
        const result = await runClient("psql", {
          host: bed.host,
          port: bed.port,
          user,
          database: TEST_DATABASE,
          sslmode: bed.sslmode,
          passfile: path,
        });
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.stdout.trim(), user);
        logins++;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const refreshes = server.stderr().split("\n")
      .filter((line) => /debug: Refreshed /.test(line)).length;
    console.log(
      `${reads} reads, ${logins} psql logins, ${sessions.size} credential ` +
        `sessions, ${refreshes} refreshes in ${RUN_MS / 1000} s`,
    );
    assert.ok(logins >= 3, `${logins} logins`);
    // Credentials living 6 s are renewed at half that: about every 3 s.
    assert.ok(refreshes >= RUN_MS / 4_000, `${refreshes} refreshes`);
    assert.ok(sessions.size >= RUN_MS / 4_000, `${sessions.size} sessions`);
  } finally {
    assert.equal(await server.stop(), 143, server.stderr());
    await Deno.remove(dir, { recursive: true });
  }
});
