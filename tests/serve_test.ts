import assert from "node:assert/strict";
import { libpqPassword } from "./libpq_rules.ts";
import { readToEnd, startIamPgpass, TEST_AWS_ENV } from "./fixtures.ts";

const ENDPOINT_ENV = { PGHOST: "db.local", PGPORT: "6432", PGUSER: "app" };
const conn = { host: "db.local", port: "6432", database: "any", user: "app" };

async function withServer(
  env: Record<string, string>,
  body: (
    path: string,
    server: ReturnType<typeof startIamPgpass>,
  ) => Promise<void>,
  args: string[] = [],
) {
  const dir = await Deno.makeTempDir({ prefix: "iam-pgpass-serve-" });
  const path = `${dir}/pgpass`;
  const server = startIamPgpass([...args, path], env);
  try {
    await server.waitForLog(/Serving IAM tokens/);
    await body(path, server);
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("serves a 0600 pipe whose line libpq reads as the whole token", async () => {
  await withServer(
    { ...TEST_AWS_ENV, ...ENDPOINT_ENV },
    async (path, server) => {
      const info = await Deno.lstat(path);
      assert.ok(info.isFifo);
      assert.equal(info.mode! & 0o777, 0o600);
      const content = await readToEnd(path);
      const token = libpqPassword(content, conn);
      assert.ok(token, content);
      assert.match(token, /^db\.local:6432\/\?Action=connect&DBUser=app&/);
      assert.match(
        token,
        /X-Amz-Credential=AKIDIAMPGPASSTEST01%2F\d{8}%2Feu-central-1%2Frds-db/,
      );
      const startup = await server.waitForLog(/Serving IAM tokens/);
      assert.match(startup, /endpoint=db\.local:6432/);
      assert.match(startup, /user=app/);
      assert.match(startup, /region="eu-central-1 \(AWS_REGION\)"/);
      assert.match(startup, /credentials="environment/);
    },
  );
});

Deno.test("reuses a token for repeated reads under a minute apart", async () => {
  await withServer({ ...TEST_AWS_ENV, ...ENDPOINT_ENV }, async (path) => {
    const first = libpqPassword(await readToEnd(path), conn);
    const second = libpqPassword(await readToEnd(path), conn);
    assert.ok(first);
    assert.equal(second, first);
  });
});

Deno.test("stops promptly on SIGINT and SIGTERM while waiting, removing its pipe", async (t) => {
  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    await t.step(signal, async () => {
      const dir = await Deno.makeTempDir();
      const path = `${dir}/pgpass`;
      const server = startIamPgpass([path], { ...TEST_AWS_ENV });
      await server.waitForLog(/Serving IAM tokens/);
      const started = Date.now();
      assert.equal(await server.stop(signal), code);
      assert.ok(Date.now() - started < 5000, "took more than 5 s to stop");
      await assert.rejects(Deno.lstat(path), Deno.errors.NotFound);
      assert.match(server.stderr(), new RegExp(`Stopped reason=${signal}`));
      await Deno.remove(dir, { recursive: true });
    });
  }
});

Deno.test("reuses an existing pipe, sets it to 0600 and leaves it on exit", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/pgpass`;
  const made = await new Deno.Command("mkfifo", { args: ["-m", "0644", path] })
    .output();
  assert.ok(made.success);
  const server = startIamPgpass([path], { ...TEST_AWS_ENV });
  try {
    await server.waitForLog(/created=false/);
    assert.equal((await Deno.lstat(path)).mode! & 0o777, 0o600);
    assert.ok(
      libpqPassword(await readToEnd(path), {
        ...conn,
        host: "localhost",
        port: "5432",
        user: "postgres",
      }),
    );
  } finally {
    assert.equal(await server.stop(), 143);
  }
  assert.ok((await Deno.lstat(path)).isFifo);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a signing failure gives readers a comment, is logged once, and serving goes on", async () => {
  const env = { AWS_REGION: "eu-central-1", ...ENDPOINT_ENV };
  await withServer(env, async (path, server) => {
    for (let i = 0; i < 3; i++) {
      const content = await readToEnd(path);
      assert.match(
        content,
        /^# iam-pgpass: no token for db\.local:6432 user "app": .*credentials/,
      );
      assert.equal(libpqPassword(content, conn), null);
    }
    const errors = server.stderr().split("\n").filter((l) =>
      /error: Could not sign/.test(l)
    );
    assert.equal(errors.length, 1, server.stderr());
  });
});

Deno.test("no token or secret key appears in the logs", async () => {
  await withServer(
    { ...TEST_AWS_ENV, ...ENDPOINT_ENV },
    async (path, server) => {
      const token = libpqPassword(await readToEnd(path), conn)!;
      const logs = server.stderr();
      assert.ok(!logs.includes(TEST_AWS_ENV.AWS_SECRET_ACCESS_KEY));
      assert.ok(
        !logs.includes(
          new URLSearchParams(token.split("?")[1]).get("X-Amz-Signature")!,
        ),
      );
    },
    ["--verbose"],
  );
});

Deno.test("stops with 143 on SIGTERM even after its pipe was removed", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/pgpass`;
  const server = startIamPgpass([path], TEST_AWS_ENV);
  await server.waitForLog(/Serving IAM tokens/);
  // After a reader, the server is back to waiting in open() for the next.
  await Deno.readTextFile(path);
  await new Promise((resolve) => setTimeout(resolve, 300));
  await Deno.remove(path);
  assert.equal(await server.stop(), 143, server.stderr());
  assert.doesNotMatch(server.stderr(), /error/);
  await Deno.remove(dir, { recursive: true });
});
