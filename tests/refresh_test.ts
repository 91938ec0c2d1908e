import assert from "node:assert/strict";
import { startFileMode } from "../lib/file_mode.ts";
import type { PasswordFile } from "../lib/file_writer.ts";
import { createLineSource } from "../lib/line_source.ts";
import { createLogger } from "../lib/log.ts";
import { type Clock, nextRefreshAt, retryDelay } from "../lib/refresh.ts";
import type { Credentials } from "../lib/token.ts";
import { TEST_CREDENTIALS, TEST_REGION } from "./bed/fixtures.ts";
import { verifyToken } from "./bed/verifier.ts";
import { libpqPassword } from "./libpq_rules.ts";

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.UTC(2026, 0, 1, 8, 0, 0);
const ENDPOINT = {
  host: "db.example.eu-central-1.rds.amazonaws.com",
  port: 5432,
  user: "iam_alice",
  database: "appdb",
};
const CONN = { ...ENDPOINT, port: "5432" };
const EXPECT = {
  hostname: ENDPOINT.host,
  port: ENDPOINT.port,
  region: TEST_REGION,
  ...TEST_CREDENTIALS,
};

/** Simulated time: each sleep jumps ahead; the run ends at `endAt`. */
function simulatedClock(endAt: number, stop: AbortController): Clock {
  let now = T0;
  return {
    now: () => now,
    sleep: async (ms) => {
      now += ms;
      if (now >= endAt) stop.abort();
      await Promise.resolve();
    },
  };
}

interface Written {
  at: number;
  text: string;
}

/** Runs file mode in simulated time and returns every write and log line. */
async function simulate(
  provider: (now: number) => Credentials,
  durationMs: number,
  intervalMs?: number,
) {
  const stop = new AbortController();
  const clock = simulatedClock(T0 + durationMs, stop);
  const writes: Written[] = [];
  const logs: string[] = [];
  const log = createLogger("debug", (line) => logs.push(line));
  const file: PasswordFile = {
    path: "simulated",
    write: (text) => {
      writes.push({ at: clock.now(), text });
      return Promise.resolve();
    },
    remove: () => Promise.resolve(),
  };
  const source = createLineSource({
    endpoint: ENDPOINT,
    region: TEST_REGION,
    credentials: () => Promise.resolve(provider(clock.now())),
    log,
    now: () => new Date(clock.now()),
  });
  const fresh = await startFileMode({
    file,
    sources: [source],
    log,
    clock,
    intervalMs,
  });
  await new Promise((resolve) =>
    stop.signal.addEventListener("abort", resolve)
  );
  await fresh.stop();
  return { writes, logs, end: clock.now() };
}

/** The session token carries its expiry, so a test can read it off a token. */
function session(
  expiresAt: number,
  accessKeyId: string = TEST_CREDENTIALS.accessKeyId,
) {
  return {
    ...TEST_CREDENTIALS,
    accessKeyId,
    sessionToken: `expires-${expiresAt}`,
    expiration: new Date(expiresAt),
  };
}

function credentialsExpiry(token: string): number {
  const params = new URLSearchParams(token.split("?")[1]);
  return Number(params.get("X-Amz-Security-Token")!.replace("expires-", ""));
}

/**
 * Asserts that every token served was accepted by the verifier from the
 * moment it was written until the next write, and its credentials lasted.
 */
function assertNeverExpired(writes: Written[], end: number) {
  let served = 0;
  writes.forEach(({ at, text }, i) => {
    const token = libpqPassword(text, CONN);
    if (token === null) return;
    const until = (writes[i + 1]?.at ?? end) - 1;
    for (const moment of [at, until]) {
      assert.deepEqual(
        verifyToken(token, ENDPOINT.user, EXPECT, new Date(moment)),
        { ok: true },
        `write ${i} at +${(at - T0) / 1000} s, checked at +${
          (moment - T0) / 1000
        } s`,
      );
    }
    assert.ok(until < credentialsExpiry(token), `write ${i}: credentials`);
    served++;
  });
  return served;
}

Deno.test("nextRefreshAt refreshes at half a token's life, at most every interval", async (t) => {
  await t.step("full 900 s life: the 5 minute interval wins", () => {
    assert.equal(nextRefreshAt(T0, T0 + 900_000), T0 + 300_000);
  });
  await t.step("credentials expiring in 4 minutes: at 2 minutes", () => {
    assert.equal(nextRefreshAt(T0, T0 + 4 * MIN), T0 + 2 * MIN);
  });
  await t.step("expired credentials: retry after a second, not at once", () => {
    assert.equal(nextRefreshAt(T0, T0 - 1), T0 + 1_000);
  });
  await t.step("a short interval wins over everything", () => {
    assert.equal(nextRefreshAt(T0, T0 + 900_000, 5), T0 + 5);
  });
});

Deno.test("retryDelay doubles from a second up to a minute", () => {
  const delays = [1, 2, 3, 4, 7, 8, 20].map((n) => retryDelay(n, 300_000));
  assert.deepEqual(delays, [
    1_000,
    2_000,
    4_000,
    8_000,
    60_000,
    60_000,
    60_000,
  ]);
});

Deno.test("a simulated day with hourly sessions never serves an expired token", async () => {
  // A new one-hour session every 47 minutes, as the SDK renews them.
  const provider = (now: number) => {
    const start = T0 + Math.floor((now - T0) / (47 * MIN)) * 47 * MIN;
    return session(start + HOUR);
  };
  const { writes, logs, end } = await simulate(provider, 24 * HOUR);
  const served = assertNeverExpired(writes, end);
  // Every 5 minutes, plus once at each change of session.
  assert.ok(served >= 24 * 12, `${served} writes`);
  assert.ok(served <= 24 * 12 + 30, `${served} writes`);
  assert.ok(logs.some((l) => /Credentials changed: refreshing/.test(l)));
});

Deno.test("credentials that expire within minutes shorten the refresh interval", async () => {
  // Each call hands out credentials good for 3 more minutes, at most.
  const provider = (now: number) =>
    session(T0 + (Math.floor((now - T0) / MIN) + 3) * MIN);
  const { writes, end } = await simulate(provider, 2 * HOUR);
  assertNeverExpired(writes, end);
  const gaps = writes.slice(1).map((w, i) => w.at - writes[i]!.at);
  assert.ok(Math.max(...gaps) <= 90_000, `longest gap ${Math.max(...gaps)}`);
});

Deno.test("a refresh failure keeps valid tokens, backs off, then writes the reason", async () => {
  const outage = { from: T0 + HOUR, to: T0 + HOUR + 30 * MIN };
  const provider = (now: number) => {
    if (now >= outage.from && now < outage.to) {
      throw new Error("Could not load credentials from any providers");
    }
    return session(now + 6 * HOUR);
  };
  const { writes, logs, end } = await simulate(provider, 2 * HOUR);
  assertNeverExpired(writes, end);
  const lastGood = writes.filter((w) => w.at < outage.from).at(-1)!;
  const reason = writes.find((w) => w.text.includes("# iam-pgpass: no token"));
  assert.ok(reason, "no comment was written");
  // The good file stayed until its tokens ran out, not a moment longer.
  const expiry = Math.floor(lastGood.at / 1000) * 1000 + 900_000;
  assert.ok(reason.at >= expiry - 1000 && reason.at <= expiry + 60_000);
  assert.equal(libpqPassword(reason.text, CONN), null);
  const retries = logs.filter((l) => /warn: Could not refresh/.test(l));
  assert.match(retries[0]!, /keeping tokens valid until .*; retrying in 1 s/);
  assert.match(retries[1]!, /retrying in 2 s/);
  assert.ok(retries.some((l) => /retrying in 60 s/.test(l)));
  assert.ok(
    logs.some((l) => /error: The tokens in "simulated" expired at/.test(l)),
  );
  // Signing works again after the outage: a token within the next minute.
  const back = writes.find((w) => w.at >= outage.to)!;
  assert.ok(back.at - outage.to <= 60_000);
  assert.ok(libpqPassword(back.text, CONN));
});

Deno.test("a change of access key is picked up within 30 seconds", async () => {
  const switchAt = T0 + 7 * MIN;
  const provider = (now: number) =>
    session(T0 + 12 * HOUR, now < switchAt ? "AKIDOLD" : "AKIDNEW");
  const { writes } = await simulate(provider, 10 * MIN);
  const first = writes.find((w) => w.text.includes("AKIDNEW"))!;
  assert.ok(first.at - switchAt <= 30_000, `${first.at - switchAt} ms`);
});
