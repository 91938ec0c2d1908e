/** Helpers for the `check` tests: tokens of a given age and check runs. */

import assert from "node:assert/strict";
import { runIamPgpass, TEST_AWS_ENV } from "./fixtures.ts";
import { TEST_CREDENTIALS, TEST_REGION } from "./bed/fixtures.ts";
import { formatLine } from "../lib/pgpass.ts";
import { signToken } from "../lib/token.ts";

export const CHECK_FAILED = 6;
export const ENDPOINT = { host: "db.local", port: 6432, user: "app" };
export const ENV = {
  ...TEST_AWS_ENV,
  PGHOST: "db.local",
  PGPORT: "6432",
  PGUSER: "app",
  PGSSLMODE: "require",
};

/** A token for `ENDPOINT` (or `overrides`) signed `ageSeconds` ago. */
export async function token(ageSeconds = 0, overrides = {}): Promise<string> {
  const { host, port, user } = { ...ENDPOINT, ...overrides };
  return await signToken({
    hostname: host,
    port,
    username: user,
    region: TEST_REGION,
    credentials: TEST_CREDENTIALS,
    signingDate: new Date(Date.now() - ageSeconds * 1000),
  });
}

/** Runs `check` on a password file holding `content` with `mode`. */
export async function checkContent(
  content: string,
  options: { mode?: number; env?: Record<string, string>; json?: boolean } = {},
) {
  const dir = await Deno.makeTempDir({ prefix: "iam-pgpass-check-" });
  const path = `${dir}/pgpass`;
  try {
    await Deno.writeTextFile(path, content);
    await Deno.chmod(path, options.mode ?? 0o600);
    const result = await runIamPgpass(
      ["check", ...(options.json ? ["--json"] : [])],
      { ...ENV, PGPASSFILE: path, ...options.env },
    );
    assertNoSecret(result.stdout + result.stderr, content);
    return { ...result, text: unwrap(result.stdout), path };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Joins wrapped continuation lines, so patterns see whole findings. */
export function unwrap(text: string): string {
  return text.replace(/\n {6}/g, " ");
}

/** No signature or secret key appears in what check printed. */
export function assertNoSecret(output: string, content: string) {
  assert.ok(!output.includes(TEST_CREDENTIALS.secretAccessKey));
  for (const [, signature] of content.matchAll(/X-Amz-Signature=(\w+)/g)) {
    assert.ok(!output.includes(signature!), "check printed a signature");
  }
}

export const line = (password: string, match = {}, escape = true) =>
  formatLine({ ...ENDPOINT, database: null, ...match }, password, {
    escapePassword: escape,
  });
