/**
 * File mode with credentials from a stand-in that lives seconds: tokens are
 * re-signed before the credentials behind them expire, and a source that
 * fails is logged once with what to check, never leaves a token signed by
 * expired credentials in the file, and recovers on its own.
 */
import assert from "node:assert/strict";
import { startContainer } from "./aws/container.ts";
import {
  assertSignedBy,
  ENDPOINT,
  PG_ENV,
  sessionTokenOf,
  USER,
} from "./aws/expect.ts";
import { startImds } from "./aws/imds.ts";
import type { CredentialIssuer, StandInServer } from "./aws/server.ts";
import { startSts } from "./aws/sts.ts";
import { libpqPassword } from "./libpq_rules.ts";
import { type RunningServer, startIamPgpass } from "./fixtures.ts";

const LIFE_MS = 4_000;
/** How long a failing sign attempt may take: the SDK's HTTP retries. */
const STALE_WINDOW_MS = 500;
const CONN = {
  host: ENDPOINT.hostname,
  port: String(ENDPOINT.port),
  database: "appdb",
  user: USER,
};

type Read =
  | { kind: "token"; session: string; at: number; staleMs: number }
  | { kind: "comment"; text: string; at: number };

/**
 * Reads the file once. A token must verify now against the stand-in's key
 * that signed it, and those credentials must not have expired more than
 * `allowStaleMs` ago.
 */
async function readFile(
  path: string,
  issuer: CredentialIssuer,
  allowStaleMs: number,
): Promise<Read> {
  const text = await Deno.readTextFile(path);
  const at = Date.now();
  const token = libpqPassword(text, CONN);
  if (!token) {
    assert.match(
      text,
      /^# iam-pgpass: (no token for |the tokens expired)/m,
      text,
    );
    return { kind: "comment", text, at };
  }
  const session = sessionTokenOf(token)!;
  const credentials = issuer.bySessionToken(session);
  assert.ok(credentials, `unknown session ${session}`);
  const staleMs = Math.max(0, at - credentials.expiration.getTime());
  assert.ok(
    staleMs <= allowStaleMs,
    `read at ${new Date(at).toISOString()} a token whose credentials ` +
      `expired at ${credentials.expiration.toISOString()}`,
  );
  assertSignedBy(token, credentials, new Date(at));
  return { kind: "token", session, at, staleMs };
}

/** Reads every 50 ms until `done` says stop or `timeoutMs` passes. */
async function readUntil(
  path: string,
  issuer: CredentialIssuer,
  done: (read: Read) => boolean,
  timeoutMs: number,
  reads: Read[],
  allowStaleMs = 0,
): Promise<Read> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const read = await readFile(path, issuer, allowStaleMs);
    reads.push(read);
    if (done(read)) return read;
    assert.ok(Date.now() < deadline, `gave up after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function startFileMode(
  dir: string,
  env: Record<string, string>,
): Promise<{ server: RunningServer; path: string; firstMs: number }> {
  const path = `${dir}/pgpass`;
  const started = performance.now();
  const server = startIamPgpass(
    ["--file", path, "--verbose", "--refresh-interval", "1"],
    { ...PG_ENV, PGDATABASE: CONN.database, ...env },
  );
  await server.waitForLog(/Keeping a password file/);
  return { server, path, firstMs: Math.round(performance.now() - started) };
}

Deno.test(`role credentials living ${LIFE_MS / 1000} s are renewed before any token in the file outlives them`, async () => {
  const dir = await Deno.makeTempDir({ prefix: "iam-pgpass-renew-" });
  const key = {
    accessKeyId: "AKIASOURCEUSER000002",
    secretAccessKey: "renew/source/secret/not+a+real+one",
  };
  const roleArn = "arn:aws:iam::123456789012:role/short";
  await using sts = startSts({ roleArn, sourceKey: key, lifeMs: LIFE_MS });
  await Deno.writeTextFile(
    `${dir}/credentials`,
    `[base]\naws_access_key_id = ${key.accessKeyId}\n` +
      `aws_secret_access_key = ${key.secretAccessKey}\n`,
  );
  await Deno.writeTextFile(
    `${dir}/config`,
    `[profile short]\nrole_arn = ${roleArn}\nsource_profile = base\n`,
  );
  const { server, path, firstMs } = await startFileMode(dir, {
    AWS_CONFIG_FILE: `${dir}/config`,
    AWS_SHARED_CREDENTIALS_FILE: `${dir}/credentials`,
    AWS_ENDPOINT_URL_STS: sts.url,
    AWS_PROFILE: "short",
  });
  try {
    console.log(`time to first file, role_arn (STS): ${firstMs} ms`);
    const reads: Read[] = [];
    const started = Date.now();
    await readUntil(
      path,
      sts.issuer,
      () => Date.now() - started > 3 * LIFE_MS,
      4 * LIFE_MS,
      reads,
    );
    assert.ok(reads.every((read) => read.kind === "token"));
    const sessions = new Set(reads.map((r) => r.kind === "token" && r.session));
    assert.ok(
      sessions.size >= 3,
      `${sessions.size} sessions in ${reads.length} reads`,
    );
    assert.ok(sts.calls.every((call) => call.problem === undefined));
    assert.doesNotMatch(server.stderr(), /error:|warn:/);
  } finally {
    assert.equal(await server.stop(), 143, server.stderr());
    await Deno.remove(dir, { recursive: true });
  }
});

/** An outage of a stand-in, and how the credentials test sets it up. */
interface Outage {
  name: string;
  start(): {
    standIn: StandInServer;
    issuer: CredentialIssuer;
    env: Record<string, string>;
  };
  fail(standIn: StandInServer): Promise<void>;
  recover(standIn: StandInServer): void;
  /** What the one error line says after "Could not sign a token for ...: ". */
  logged: (standIn: StandInServer) => string;
}

const OUTAGES: Outage[] = [
  {
    name: "container credentials answering 500",
    start() {
      const standIn = startContainer(LIFE_MS);
      return {
        standIn,
        issuer: standIn.issuer,
        env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: standIn.fullUri },
      };
    },
    fail: (standIn) => {
      standIn.failing = true;
      return Promise.resolve();
    },
    recover: (standIn) => standIn.failing = false,
    logged: (standIn) =>
      `Could not get container credentials from "${standIn.url}/v2/credentials/stand-in"; check that it answers and the authorization token (AWS_CONTAINER_AUTHORIZATION_TOKEN or _FILE)`,
  },
  {
    name: "instance metadata that is down",
    start() {
      const standIn = startImds("short-role", LIFE_MS);
      return {
        standIn,
        issuer: standIn.issuer,
        env: {
          AWS_EC2_METADATA_DISABLED: "false",
          AWS_EC2_METADATA_SERVICE_ENDPOINT: standIn.url,
        },
      };
    },
    fail: (standIn) => standIn.down(),
    recover: (standIn) => standIn.up(),
    logged: (standIn) =>
      "Found no AWS credentials: set AWS_ACCESS_KEY_ID and " +
      "AWS_SECRET_ACCESS_KEY, or name a profile with --profile or " +
      "AWS_PROFILE; on EC2, check the instance's IAM role and that " +
      `instance metadata at "${standIn.url}" answers`,
  },
];

for (const outage of OUTAGES) {
  Deno.test(`file mode keeps valid tokens through ${outage.name}, logs it once and recovers`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "iam-pgpass-outage-" });
    const { standIn, issuer, env } = outage.start();
    const { server, path, firstMs } = await startFileMode(dir, env);
    try {
      console.log(`time to first file, ${outage.name}: ${firstMs} ms`);
      const reads: Read[] = [];
      await readUntil(path, issuer, (r) => r.kind === "token", 1000, reads);
      await outage.fail(standIn);
      const failedAt = Date.now();
      const comment = await readUntil(
        path,
        issuer,
        // First a placeholder at expiry, then the reason signing fails.
        (r) => r.kind === "comment" && r.text.includes(outage.logged(standIn)),
        20_000,
        reads,
        // TODO(#4): the file keeps a token past its credentials' expiry for
        // as long as the failing sign attempt takes (the SDK retries
        // container credentials for over 4 s); it should be gone at expiry.
        STALE_WINDOW_MS,
      );
      const kept = reads.filter((r) => r.kind === "token" && r.at > failedAt);
      const stale = kept.filter((r) => r.kind === "token" && r.staleMs > 0);
      console.log(
        `tokens read during the outage: ${kept.length} ` +
          `(${stale.length} after their credentials expired), ` +
          `comment after ${comment.at - failedAt} ms`,
      );
      assert.ok(kept.length > stale.length, "no valid token kept");

      outage.recover(standIn);
      const recoveredAt = Date.now();
      const back = await readUntil(
        path,
        issuer,
        (r) => r.kind === "token",
        20_000,
        reads,
      );
      console.log(`token again ${back.at - recoveredAt} ms after recovery`);
      await server.waitForLog(/Signing works again/);

      const errors = server.stderr().split("\n").filter((l) =>
        l.includes("error: Could not sign")
      );
      assert.deepEqual(errors, [
        `iam-pgpass: error: Could not sign a token for ${ENDPOINT.hostname}:${ENDPOINT.port} user "${USER}": ${
          outage.logged(standIn)
        }`,
      ]);
      assert.ok(comment.kind === "comment");
      assert.ok(comment.text.includes(outage.logged(standIn)), comment.text);
    } finally {
      assert.equal(await server.stop(), 143, server.stderr());
      await standIn.close();
      await Deno.remove(dir, { recursive: true });
    }
  });
}
