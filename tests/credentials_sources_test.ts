/**
 * Each AWS credential source, alone, gives `iam-pgpass token` a token the
 * verifier accepts for the key that source handed out. The real SDK runs in
 * the real program; STS, instance metadata and container endpoints are local
 * stand-ins. Each test prints its source's time to first token.
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
import { startSts } from "./aws/sts.ts";
import { runIamPgpass } from "./fixtures.ts";

const ROLE_ARN = "arn:aws:iam::123456789012:role/iam-pgpass-test";
const LIFE_MS = 3_600_000;

/** Long-lived keys of an IAM user, as a credentials file holds them. */
const USER_KEY = {
  accessKeyId: "AKIASOURCEUSER000001",
  secretAccessKey: "source/user/secret/not+a+real+one",
};

/** Another key, so a test can tell which profile was used. */
const DECOY_KEY = {
  accessKeyId: "AKIADECOYDEFAULT0001",
  secretAccessKey: "decoy/default/secret/not+a+real+one",
};

/** Runs `iam-pgpass token` and returns the token and how long it took. */
async function firstToken(
  source: string,
  env: Record<string, string>,
  args: string[] = [],
): Promise<string> {
  const started = performance.now();
  const result = await runIamPgpass(["token", ...args], { ...PG_ENV, ...env });
  const ms = Math.round(performance.now() - started);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, "");
  console.log(`time to first token, ${source}: ${ms} ms`);
  return result.stdout.trim();
}

async function tempDir(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "iam-pgpass-credentials-" });
}

function ini(sections: Record<string, Record<string, string>>): string {
  return Object.entries(sections).map(([name, values]) =>
    `[${name}]\n` +
    Object.entries(values).map(([k, v]) => `${k} = ${v}\n`).join("")
  ).join("\n");
}

Deno.test("access keys in the environment sign, session token included", async () => {
  const key = { ...USER_KEY, sessionToken: "env-session-token-1" };
  const token = await firstToken("environment keys", {
    AWS_ACCESS_KEY_ID: key.accessKeyId,
    AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
    AWS_SESSION_TOKEN: key.sessionToken,
  });
  assertSignedBy(token, key);
});

Deno.test("a named profile from the shared files signs, by --profile and by AWS_PROFILE", async (t) => {
  const dir = await tempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/credentials`,
      ini({
        default: {
          aws_access_key_id: DECOY_KEY.accessKeyId,
          aws_secret_access_key: DECOY_KEY.secretAccessKey,
        },
        work: {
          aws_access_key_id: USER_KEY.accessKeyId,
          aws_secret_access_key: USER_KEY.secretAccessKey,
        },
      }),
    );
    await Deno.writeTextFile(
      `${dir}/config`,
      ini({ "profile work": { region: PG_ENV.AWS_REGION } }),
    );
    const files = {
      AWS_CONFIG_FILE: `${dir}/config`,
      AWS_SHARED_CREDENTIALS_FILE: `${dir}/credentials`,
    };
    await t.step("--profile", async () => {
      const token = await firstToken("shared files, --profile", files, [
        "--profile",
        "work",
      ]);
      assertSignedBy(token, USER_KEY);
    });
    await t.step("AWS_PROFILE", async () => {
      const token = await firstToken("shared files, AWS_PROFILE", {
        ...files,
        AWS_PROFILE: "work",
      });
      assertSignedBy(token, USER_KEY);
    });
    await t.step("the default profile without either", async () => {
      const token = await firstToken("shared files, default", files);
      assertSignedBy(token, DECOY_KEY);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("credential_process signs with the key the process prints", async () => {
  const dir = await tempDir();
  try {
    const key = { ...USER_KEY, sessionToken: "process-session-token-1" };
    const expiration = new Date(Date.now() + LIFE_MS).toISOString();
    await Deno.writeTextFile(
      `${dir}/credentials.sh`,
      `#!/bin/sh\ncat <<'JSON'\n${
        JSON.stringify({
          Version: 1,
          AccessKeyId: key.accessKeyId,
          SecretAccessKey: key.secretAccessKey,
          SessionToken: key.sessionToken,
          Expiration: expiration,
        })
      }\nJSON\n`,
    );
    await Deno.chmod(`${dir}/credentials.sh`, 0o700);
    await Deno.writeTextFile(
      `${dir}/config`,
      ini({ "profile proc": { credential_process: `${dir}/credentials.sh` } }),
    );
    const token = await firstToken("credential_process", {
      AWS_CONFIG_FILE: `${dir}/config`,
      AWS_PROFILE: "proc",
    });
    assertSignedBy(token, key);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("role_arn with source_profile assumes the role through STS, signed by the source key", async () => {
  const dir = await tempDir();
  await using sts = startSts({
    roleArn: ROLE_ARN,
    sourceKey: USER_KEY,
    lifeMs: LIFE_MS,
  });
  try {
    await Deno.writeTextFile(
      `${dir}/credentials`,
      ini({
        base: {
          aws_access_key_id: USER_KEY.accessKeyId,
          aws_secret_access_key: USER_KEY.secretAccessKey,
        },
      }),
    );
    await Deno.writeTextFile(
      `${dir}/config`,
      ini({ "profile role": { role_arn: ROLE_ARN, source_profile: "base" } }),
    );
    const token = await firstToken("role_arn + source_profile (STS)", {
      AWS_CONFIG_FILE: `${dir}/config`,
      AWS_SHARED_CREDENTIALS_FILE: `${dir}/credentials`,
      AWS_ENDPOINT_URL_STS: sts.url,
    }, ["--profile", "role"]);
    assert.deepEqual(sts.calls, [{ action: "AssumeRole" }]);
    assertSignedBy(token, sts.issuer.issued[0]!);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a web identity token file is exchanged through STS for role credentials", async () => {
  const dir = await tempDir();
  const tokenFile = `${dir}/web-identity-token`;
  await using sts = startSts({
    roleArn: ROLE_ARN,
    webIdentityTokenFile: tokenFile,
    lifeMs: LIFE_MS,
  });
  try {
    await Deno.writeTextFile(tokenFile, "eyJ.web-identity.stand-in");
    const token = await firstToken("web identity (STS)", {
      AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile,
      AWS_ROLE_ARN: ROLE_ARN,
      AWS_ENDPOINT_URL_STS: sts.url,
    });
    assert.deepEqual(sts.calls, [{ action: "AssumeRoleWithWebIdentity" }]);
    assertSignedBy(token, sts.issuer.issued[0]!);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("container credentials are fetched with the authorization token", async () => {
  await using container = startContainer(LIFE_MS, "container-auth-token");
  const token = await firstToken("container credentials", {
    AWS_CONTAINER_CREDENTIALS_FULL_URI: container.fullUri,
    AWS_CONTAINER_AUTHORIZATION_TOKEN: "container-auth-token",
  });
  assert.equal(container.refused, 0);
  assert.equal(container.issuer.issued.length, 1);
  assertSignedBy(token, container.issuer.issued[0]!);
});

Deno.test("instance metadata credentials come through IMDSv2 with a session token", async () => {
  await using imds = startImds("iam-pgpass-instance-role", LIFE_MS);
  const token = await firstToken("instance metadata (IMDSv2)", {
    AWS_EC2_METADATA_DISABLED: "false",
    AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url,
  });
  assert.equal(imds.refused, 0);
  assert.equal(imds.issuer.issued.length, 1);
  assertSignedBy(token, imds.issuer.issued[0]!);
  assert.equal(sessionTokenOf(token), imds.issuer.issued[0]!.sessionToken);
});

Deno.test("a missing or empty profile is named in the error with what to check", async (t) => {
  const dir = await tempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/config`,
      ini({ "profile empty": { region: PG_ENV.AWS_REGION } }),
    );
    const files = {
      AWS_CONFIG_FILE: `${dir}/config`,
      AWS_SHARED_CREDENTIALS_FILE: `${dir}/credentials`,
    };
    const cases: [string, string[], Record<string, string>, string][] = [
      [
        "--profile naming no profile",
        ["--profile", "nope"],
        {},
        `Profile "nope" (--profile) is in neither "${dir}/config" nor "${dir}/credentials": check the name, AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE`,
      ],
      [
        "AWS_PROFILE naming no profile",
        [],
        { AWS_PROFILE: "nope" },
        `Profile "nope" (AWS_PROFILE) is in neither "${dir}/config" nor "${dir}/credentials": check the name, AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE`,
      ],
      [
        "a profile without credentials",
        ["--profile", "empty"],
        {},
        `The profile "empty" in "${dir}/config" gives no credentials: it needs aws_access_key_id and aws_secret_access_key, credential_process, role_arn or sso_session`,
      ],
      [
        "no source at all",
        [],
        {},
        "Found no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or name a profile with --profile or AWS_PROFILE",
      ],
    ];
    for (const [name, args, env, reason] of cases) {
      await t.step(name, async () => {
        const result = await runIamPgpass(["token", ...args], {
          ...PG_ENV,
          ...files,
          ...env,
        });
        assert.equal(result.code, 5);
        assert.equal(result.stdout, "");
        assert.equal(
          result.stderr,
          `iam-pgpass: error: Cannot sign a token for ${ENDPOINT.hostname}:${ENDPOINT.port} user "${USER}": ${reason}\n`,
        );
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
