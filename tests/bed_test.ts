import assert from "node:assert/strict";
import { type Bed, startBed, TEST_REGION } from "./bed/mod.ts";
import { lastAttempt, psqlLogin, tokenFor } from "./bed/clients.ts";
import { verifyToken } from "./bed/verifier.ts";
import { VECTORS } from "./vectors.ts";

const DATABASE = "appdb";
const [ALICE, BOB] = ["iam_alice", "iam_bob"];
const USERS = [ALICE, BOB];
const KINDS: Bed["kind"][] = Deno.uid() === 0
  ? ["rds-box", "stand-in"]
  : ["stand-in"];
// Without root, let startBed choose, so it says loudly what is not tested.
const choose = (kind: Bed["kind"]) => Deno.uid() === 0 ? kind : undefined;
// A session token as long as real STS ones, which pushes a token past 511.
const LONG_SESSION_TOKEN = "IQoJb3JpZ2luX2Vj".repeat(50);

Deno.test("verifyToken accepts each shared vector at its signing time", async (t) => {
  for (const v of VECTORS) {
    await t.step(v.hostname, () => {
      const at = new Date(v.signingTime);
      assert.deepEqual(verifyToken(v.token, v.username, v, at), { ok: true });
      const late = new Date(at.getTime() + 900_000);
      assert.deepEqual(verifyToken(v.token, v.username, v, late), { ok: true });
    });
  }
});

Deno.test("verifyToken rejects each shared vector when it is wrong", async (t) => {
  const v = VECTORS[1];
  const at = new Date(v.signingTime);
  const cases: [string, () => ReturnType<typeof verifyToken>, string][] = [
    [
      "after expiry",
      () => verifyToken(v.token, v.username, v, new Date(+at + 901_000)),
      "expired",
    ],
    [
      "before signing",
      () => verifyToken(v.token, v.username, v, new Date(+at - 6_000)),
      "signed in the future",
    ],
    ["for another user", () => verifyToken(v.token, "x", v, at), "wrong user"],
    [
      "for another host",
      () => verifyToken(v.token, v.username, { ...v, hostname: "h" }, at),
      "wrong host",
    ],
    [
      "for another port",
      () => verifyToken(v.token, v.username, { ...v, port: 1 }, at),
      "wrong port",
    ],
    [
      "for another region",
      () => verifyToken(v.token, v.username, { ...v, region: "us-east-1" }, at),
      "wrong region",
    ],
    [
      "with another secret",
      () =>
        verifyToken(v.token, v.username, { ...v, secretAccessKey: "k" }, at),
      "bad signature",
    ],
    [
      "with a changed session token",
      () => verifyToken(v.token.replace("IQoJ", "IQoK"), v.username, v, at),
      "bad signature",
    ],
    [
      "when cut short",
      () => verifyToken(v.token.slice(0, 150), v.username, v, at),
      "malformed",
    ],
  ];
  for (const [name, verdict, reason] of cases) {
    await t.step(name, () => {
      const got = verdict();
      assert.equal(got.ok, false);
      assert.match(got.ok ? "" : got.reason, new RegExp(`^${reason}`));
    });
  }
});

for (const kind of KINDS) {
  Deno.test(`the ${kind} accepts good tokens and rejects bad ones`, async (t) => {
    await using bed = await startBed({
      kind: choose(kind),
      region: TEST_REGION,
      users: USERS,
      database: DATABASE,
    });
    const sign = (user: string, changes = {}) =>
      tokenFor(bed, user, TEST_REGION, changes);
    const pamFailure = (user: string) =>
      `FATAL:  PAM authentication failed for user "${user}"`;

    await t.step("accepts a good token", async () => {
      const got = await psqlLogin(bed, ALICE, DATABASE, await sign(ALICE));
      assert.equal(got.stderr, "");
      assert.equal(got.stdout, ALICE);
      assert.match(await lastAttempt(bed), /user="iam_alice" .* ok$/);
    });

    const bad: [string, () => Promise<string>, string][] = [
      [
        "a wrong signature",
        () => sign(ALICE, { secretAccessKey: "x" }),
        "bad signature",
      ],
      [
        "an unknown access key",
        () => sign(ALICE, { accessKeyId: "AKIDX" }),
        "unknown access key id",
      ],
      [
        "an expired token",
        () => sign(ALICE, { offsetSeconds: -901 }),
        "expired",
      ],
      [
        "a future-dated token",
        () => sign(ALICE, { offsetSeconds: 60 }),
        "signed in the future",
      ],
      ["another user's token", () => sign(BOB), "wrong user"],
      [
        "the wrong signed host",
        () => sign(ALICE, { hostname: "db.test" }),
        "wrong host",
      ],
      [
        "the wrong signed port",
        () => sign(ALICE, { port: bed.port + 1 }),
        "wrong port",
      ],
      [
        "the wrong region",
        () => sign(ALICE, { region: "us-west-2" }),
        "wrong region",
      ],
      [
        "a truncated token",
        async () => (await sign(ALICE)).slice(0, 120),
        "malformed",
      ],
    ];
    for (const [name, token, reason] of bad) {
      await t.step(`rejects ${name}`, async () => {
        const got = await psqlLogin(bed, ALICE, DATABASE, await token());
        assert.notEqual(got.code, 0);
        assert.ok(got.stderr.includes(pamFailure(ALICE)), got.stderr);
        assert.match(await lastAttempt(bed), new RegExp(`rejected: ${reason}`));
      });
    }

    if (kind === "rds-box") {
      await t.step("rejects a login without TLS", async () => {
        const got = await psqlLogin(
          bed,
          ALICE,
          DATABASE,
          await sign(ALICE),
          "disable",
        );
        assert.notEqual(got.code, 0);
        assert.match(
          got.stderr,
          /FATAL: {2}pg_hba\.conf rejects connection .* no encryption/,
        );
      });
      await t.step("cuts passwords at 511 bytes (pam_exec)", async () => {
        const token = await sign(ALICE, { sessionToken: LONG_SESSION_TOKEN });
        const got = await psqlLogin(bed, ALICE, DATABASE, token);
        assert.ok(got.stderr.includes(pamFailure(ALICE)), got.stderr);
        assert.match(await lastAttempt(bed), /length=511 .*may have cut it/);
      });
    } else {
      await t.step("accepts a long token with a session token", async () => {
        const token = await sign(ALICE, { sessionToken: LONG_SESSION_TOKEN });
        const got = await psqlLogin(bed, ALICE, DATABASE, token);
        assert.equal(got.stdout, ALICE, got.stderr);
      });
      await t.step("serves many logins at once", async () => {
        const logins = Array.from({ length: 24 }, async (_, i) => {
          const user = USERS[i % 2];
          const token = await sign(user, i % 3 ? {} : { region: "x-1" });
          return { i, user, got: await psqlLogin(bed, user, DATABASE, token) };
        });
        for (const { i, user, got } of await Promise.all(logins)) {
          if (i % 3) assert.equal(got.stdout, user, got.stderr);
          else assert.ok(got.stderr.includes(pamFailure(user)), got.stderr);
        }
      });
    }
  });

  Deno.test(`the ${kind} checks tokens against an explicit endpoint`, async () => {
    const endpoint = {
      hostname: "mydb.abc.eu-central-1.rds.amazonaws.com",
      port: 5432,
    };
    await using bed = await startBed({
      kind: choose(kind),
      endpoint,
      region: TEST_REGION,
      users: USERS,
      database: DATABASE,
    });
    assert.deepEqual(bed.endpoint, endpoint);
    const good = await tokenFor(bed, BOB, TEST_REGION);
    assert.equal((await psqlLogin(bed, BOB, DATABASE, good)).stdout, BOB);
    const local = await tokenFor(bed, BOB, TEST_REGION, {
      hostname: "localhost",
      port: bed.port,
    });
    assert.notEqual((await psqlLogin(bed, BOB, DATABASE, local)).code, 0);
    assert.match(await lastAttempt(bed), /rejected: wrong host/);
  });
}
