import assert from "node:assert/strict";
import { libpqPassword } from "./libpq_rules.ts";
import { startIamPgpass, TEST_AWS_ENV } from "./fixtures.ts";

const conn = {
  host: "localhost",
  port: "5432",
  database: "d",
  user: "postgres",
};
const CYCLES = 20_000;

async function withPipeServer(body: (path: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "iam-pgpass-pipe-" });
  const path = `${dir}/pgpass`;
  const server = startIamPgpass([path], TEST_AWS_ENV);
  try {
    await server.waitForLog(/Serving IAM tokens/);
    await body(path);
  } finally {
    assert.equal(await server.stop(), 143, server.stderr());
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test(`${CYCLES} back-to-back open/read/close cycles: no empty read`, async () => {
  await withPipeServer(async (path) => {
    let empty = 0;
    let incomplete = 0;
    for (let i = 0; i < CYCLES; i++) {
      const content = await Deno.readTextFile(path);
      if (content === "") empty++;
      else if (!content.endsWith("\n") || !libpqPassword(content, conn)) {
        incomplete++;
      }
    }
    assert.equal(empty, 0, `${empty} of ${CYCLES} reads were empty`);
    assert.equal(incomplete, 0, `${incomplete} reads had no complete line`);
  });
});

Deno.test("readers that leave early do not stop the server", async (t) => {
  await withPipeServer(async (path) => {
    await t.step("a reader that opens and closes without reading", async () => {
      for (let i = 0; i < 50; i++) {
        (await Deno.open(path, { read: true })).close();
        const next = await Deno.readTextFile(path);
        assert.ok(libpqPassword(next, conn), JSON.stringify(next));
      }
    });
    await t.step(
      "a reader that stops at the end of the first line",
      async () => {
        for (let i = 0; i < 50; i++) {
          // Byte by byte, so it leaves exactly at the newline, as lib/pq and
          // pgjdbc leave after the first matching line.
          const file = await Deno.open(path, { read: true });
          const byte = new Uint8Array(1);
          while ((await file.read(byte)) === 1 && byte[0] !== 10);
          file.close();
          const next = await Deno.readTextFile(path);
          assert.ok(libpqPassword(next, conn), JSON.stringify(next));
        }
      },
    );
  });
});
