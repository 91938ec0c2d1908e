import assert from "node:assert/strict";
import { startBed, TEST_DATABASE, TEST_REGION, TEST_USERS } from "./bed/mod.ts";
import { runIamPgpass, startIamPgpass, TEST_AWS_ENV } from "./fixtures.ts";

/** Runs `exec` with a fresh XDG_RUNTIME_DIR, which must be empty after. */
async function withRuntimeDir(
  body: (runtimeDir: string) => Promise<void>,
): Promise<void> {
  const runtimeDir = await Deno.makeTempDir({ prefix: "iam-pgpass-xdg-" });
  try {
    await body(runtimeDir);
    assert.deepEqual(await Array.fromAsync(Deno.readDir(runtimeDir)), []);
  } finally {
    await Deno.remove(runtimeDir, { recursive: true });
  }
}

Deno.test("exec -- psql logs in to the bed and leaves nothing behind", async () => {
  await using bed = await startBed({
    region: TEST_REGION,
    users: TEST_USERS,
    database: TEST_DATABASE,
  });
  await withRuntimeDir(async (runtimeDir) => {
    const result = await runIamPgpass(
      ["exec", "--", "psql", "-XAtc", "select current_user"],
      {
        ...TEST_AWS_ENV,
        XDG_RUNTIME_DIR: runtimeDir,
        PGHOST: bed.host,
        PGPORT: String(bed.port),
        PGUSER: TEST_USERS[0]!,
        PGDATABASE: TEST_DATABASE,
        PGSSLMODE: bed.sslmode,
      },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), TEST_USERS[0]);
    assert.equal(result.stderr, "");
  });
  const attempts = await bed.verifierLog();
  assert.match(attempts.at(-1) ?? "", /ok/, attempts.join("\n"));
});

Deno.test("exec gives the command a 0600 file in a 0700 directory, removed after", async () => {
  await withRuntimeDir(async (runtimeDir) => {
    const result = await runIamPgpass(
      [
        "exec",
        "--",
        "sh",
        "-c",
        'stat -c "%a %F" "$(dirname "$PGPASSFILE")" "$PGPASSFILE"; ' +
        'echo "$PGPASSFILE"',
      ],
      { ...TEST_AWS_ENV, XDG_RUNTIME_DIR: runtimeDir },
    );
    assert.equal(result.code, 0, result.stderr);
    const [dirLine, fileLine, passfile] = result.stdout.trim().split("\n");
    assert.equal(dirLine, "700 directory");
    assert.equal(fileLine, "600 regular file");
    assert.ok(passfile!.startsWith(`${runtimeDir}/iam-pgpass-`), passfile);
  });
});

Deno.test("exec passes the command's exit status on", async (t) => {
  const cases: [string, string, number][] = [
    ["exit 7", "exit 7", 7],
    ["exit 0", "true", 0],
    ["killed by SIGKILL", "kill -KILL $$", 128 + 9],
    ["killed by SIGTERM", "kill -TERM $$", 128 + 15],
  ];
  for (const [name, script, code] of cases) {
    await t.step(name, async () => {
      await withRuntimeDir(async (runtimeDir) => {
        const result = await runIamPgpass(
          ["exec", "--", "sh", "-c", script],
          { ...TEST_AWS_ENV, XDG_RUNTIME_DIR: runtimeDir },
        );
        assert.equal(result.code, code, result.stderr);
      });
    });
  }
});

Deno.test("exec passes SIGINT, SIGTERM and SIGHUP to the command", async (t) => {
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    await t.step(`${signal}, trapped by the command`, async () => {
      await withRuntimeDir(async (runtimeDir) => {
        const ready = `${runtimeDir}/../${crypto.randomUUID()}.ready`;
        const name = signal.slice(3);
        const server = startIamPgpass(
          [
            "exec",
            "--",
            "sh",
            "-c",
            `trap 'exit 42' ${name}; touch "${ready}"; ` +
            "while :; do sleep 0.05; done",
          ],
          { ...TEST_AWS_ENV, XDG_RUNTIME_DIR: runtimeDir },
        );
        await waitForFile(ready);
        assert.equal(await server.stop(signal), 42, server.stderr());
        await Deno.remove(ready);
      });
    });
  }
  await t.step("SIGTERM, not trapped: 143", async () => {
    await withRuntimeDir(async (runtimeDir) => {
      const ready = `${runtimeDir}/../${crypto.randomUUID()}.ready`;
      const server = startIamPgpass(
        ["exec", "--", "sh", "-c", `touch "${ready}"; exec sleep 30`],
        { ...TEST_AWS_ENV, XDG_RUNTIME_DIR: runtimeDir },
      );
      await waitForFile(ready);
      // Let sh replace itself with sleep before the signal.
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(await server.stop("SIGTERM"), 143, server.stderr());
      await Deno.remove(ready);
    });
  });
});

Deno.test("exec reports a missing command with 127 and no credentials with 5", async (t) => {
  await t.step("missing command", async () => {
    await withRuntimeDir(async (runtimeDir) => {
      const result = await runIamPgpass(
        ["exec", "--", "no-such-command-here"],
        { ...TEST_AWS_ENV, XDG_RUNTIME_DIR: runtimeDir },
      );
      assert.equal(result.code, 127);
      assert.equal(
        result.stderr.trim(),
        'iam-pgpass: error: Cannot run "no-such-command-here": command not found',
      );
    });
  });
  await t.step("no credentials: the command is not run", async () => {
    await withRuntimeDir(async (runtimeDir) => {
      const marker = `${runtimeDir}/../${crypto.randomUUID()}.ran`;
      const result = await runIamPgpass(
        ["exec", "--", "touch", marker],
        { AWS_REGION: TEST_REGION, XDG_RUNTIME_DIR: runtimeDir },
      );
      assert.equal(result.code, 5, result.stderr);
      assert.match(
        result.stderr,
        /error: Cannot run "touch": no token could be signed: .*credentials/,
      );
      await assert.rejects(Deno.lstat(marker), Deno.errors.NotFound);
    });
  });
});

async function waitForFile(path: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while ((await Deno.lstat(path).catch(() => null)) === null) {
    if (Date.now() > deadline) throw new Error(`${path} never appeared`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
