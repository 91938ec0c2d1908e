import assert from "node:assert/strict";
import { startFileMode } from "../lib/file_mode.ts";
import type { PasswordFile } from "../lib/file_writer.ts";
import { createLineSource } from "../lib/line_source.ts";
import { createLogger } from "../lib/log.ts";
import type { Clock } from "../lib/refresh.ts";
import { TEST_CREDENTIALS, TEST_REGION } from "./bed/fixtures.ts";
import { verifyToken } from "./bed/verifier.ts";
import { libpqPassword } from "./libpq_rules.ts";

const T0 = Date.UTC(2026, 0, 1, 8, 0, 0);
const HOURS = 2;
const good = {
  host: "good.abc.eu-central-1.rds.amazonaws.com",
  port: 5432,
  user: "iam_alice",
  database: null,
};
const failing = { ...good, host: "failing.abc.eu-central-1.rds.amazonaws.com" };

Deno.test("file mode keeps one entry fresh while another keeps failing", async () => {
  let now = T0;
  const stop = new AbortController();
  // Simulated time: every sleep jumps ahead, so hours pass in milliseconds.
  const clock: Clock = {
    now: () => now,
    sleep: async (ms) => {
      now += ms;
      if (now >= T0 + HOURS * 3_600_000) stop.abort();
      await Promise.resolve();
    },
  };
  const writes: { at: number; text: string }[] = [];
  const file: PasswordFile = {
    path: "simulated",
    write: (text) => {
      writes.push({ at: clock.now(), text });
      return Promise.resolve();
    },
    remove: () => Promise.resolve(),
  };
  const log = createLogger("error", () => {});
  const source = (endpoint: typeof good, works: boolean) =>
    createLineSource({
      endpoint,
      region: TEST_REGION,
      credentials: () =>
        works
          ? Promise.resolve(TEST_CREDENTIALS)
          : Promise.reject(new Error('profile "other" has no credentials')),
      log,
      now: () => new Date(clock.now()),
    });
  const fresh = await startFileMode({
    file,
    sources: [source(good, true), source(failing, false)],
    log,
    clock,
  });
  await new Promise((resolve) =>
    stop.signal.addEventListener("abort", resolve)
  );
  await fresh.stop();

  // A write at least every five minutes for two hours.
  assert.ok(writes.length >= HOURS * 12, `${writes.length} writes`);
  const conn = {
    host: good.host,
    port: "5432",
    database: "d",
    user: good.user,
  };
  for (const [i, write] of writes.entries()) {
    const token = libpqPassword(write.text, conn);
    assert.ok(token, write.text);
    const expect = {
      hostname: good.host,
      port: 5432,
      region: TEST_REGION,
      ...TEST_CREDENTIALS,
    };
    // Valid when written, and still valid when the next write replaces it.
    const until = writes[i + 1]?.at ?? write.at;
    for (const at of [write.at, until]) {
      const verdict = verifyToken(token, good.user, expect, new Date(at));
      assert.ok(verdict.ok, `write ${i}: ${JSON.stringify(verdict)}`);
    }
    assert.match(
      write.text,
      /# iam-pgpass: no token for failing\.abc.*has no credentials/,
    );
  }
});
