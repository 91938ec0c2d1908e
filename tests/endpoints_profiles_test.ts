/**
 * Per-entry AWS profiles: one iam-pgpass process signs each entry of its
 * config file with that entry's account.
 */
import assert from "node:assert/strict";
import { TEST_REGION } from "./bed/fixtures.ts";
import { verifyToken } from "./bed/verifier.ts";
import { startIamPgpass } from "./fixtures.ts";
import { libpqPassword } from "./libpq_rules.ts";

const ACCOUNTS = {
  orders: {
    accessKeyId: "AKIAORDERSACCOUNT001",
    secretAccessKey: "orders/account/secret/not+a+real+one",
  },
  reports: {
    accessKeyId: "AKIAREPORTSACCOUNT01",
    secretAccessKey: "reports/account/secret/not+a+real+one",
  },
};
const HOSTS = {
  orders: "orders.abc123.eu-central-1.rds.amazonaws.com",
  reports: "reports.def456.eu-central-1.rds.amazonaws.com",
};

Deno.test("one process signs two entries with two accounts' profiles", async () => {
  const dir = await Deno.makeTempDir({ prefix: "iam-pgpass-profiles-" });
  const credentials = Object.entries(ACCOUNTS).map(([name, key]) =>
    `[${name}]\naws_access_key_id = ${key.accessKeyId}\n` +
    `aws_secret_access_key = ${key.secretAccessKey}\n`
  ).join("\n");
  await Deno.writeTextFile(`${dir}/credentials`, credentials);
  const config = Object.entries(HOSTS).map(([name, host]) =>
    `[[entry]]\nhost = "${host}"\nuser = "app"\nprofile = "${name}"\n`
  ).join("\n");
  await Deno.writeTextFile(`${dir}/config.toml`, config);
  const path = `${dir}/pgpass`;
  const server = startIamPgpass(
    ["--config", `${dir}/config.toml`, "--file", path],
    { AWS_SHARED_CREDENTIALS_FILE: `${dir}/credentials` },
  );
  try {
    await server.waitForLog(/Keeping a password file/);
    const content = await Deno.readTextFile(path);
    for (const name of ["orders", "reports"] as const) {
      const conn = {
        host: HOSTS[name],
        port: "5432",
        database: "d",
        user: "app",
      };
      const token = libpqPassword(content, conn);
      assert.ok(token, content);
      const expect = { hostname: HOSTS[name], port: 5432, region: TEST_REGION };
      const verdict = verifyToken(token, "app", {
        ...expect,
        ...ACCOUNTS[name],
      }, new Date());
      assert.deepEqual(verdict, { ok: true }, name);
      const other = name === "orders" ? ACCOUNTS.reports : ACCOUNTS.orders;
      assert.equal(
        verifyToken(token, "app", { ...expect, ...other }, new Date()).ok,
        false,
      );
    }
  } finally {
    assert.equal(await server.stop(), 143, server.stderr());
    await Deno.remove(dir, { recursive: true });
  }
});
