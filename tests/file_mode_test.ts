import assert from "node:assert/strict";
import { MARKER } from "../lib/file_writer.ts";
import { TEST_CREDENTIALS, TEST_REGION } from "./bed/fixtures.ts";
import { verifyToken } from "./bed/verifier.ts";
import {
  baseEnv,
  ROOT,
  runIamPgpass,
  startIamPgpass,
  TEST_AWS_ENV,
  userPermissionFlags,
} from "./fixtures.ts";
import { libpqPassword } from "./libpq_rules.ts";

const ENDPOINT_ENV = { PGHOST: "db.local", PGPORT: "6432", PGUSER: "app" };
const conn = { host: "db.local", port: "6432", database: "any", user: "app" };
const EXPECT = {
  hostname: "db.local",
  port: 6432,
  region: TEST_REGION,
  ...TEST_CREDENTIALS,
};
const PATH_ERROR = 3;

async function listing(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

Deno.test("writes a 0600 file even with umask 000, read by libpq as the whole token", async () => {
  const dir = await Deno.makeTempDir({ prefix: "iam-pgpass-file-" });
  const path = `${dir}/pgpass`;
  // The umask is set by a shell, as a careless user's login would.
  const child = new Deno.Command("sh", {
    args: [
      "-c",
      'umask 000; exec "$@"',
      "sh",
      Deno.execPath(),
      "run",
      ...userPermissionFlags(),
      `${ROOT}main.ts`,
      "--file",
      path,
    ],
    env: { ...baseEnv(), ...TEST_AWS_ENV, ...ENDPOINT_ENV },
    clearEnv: true,
    stdout: "null",
    stderr: "piped",
  }).spawn();
  try {
    while ((await Deno.lstat(path).catch(() => null)) === null) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const info = await Deno.lstat(path);
    assert.ok(info.isFile);
    assert.equal(info.mode! & 0o7777, 0o600);
    const content = await Deno.readTextFile(path);
    assert.ok(content.startsWith(`${MARKER}\n`), content);
    const token = libpqPassword(content, conn);
    assert.ok(token, content);
    assert.deepEqual(
      verifyToken(token, "app", EXPECT, new Date()),
      { ok: true },
    );
    // Nothing else is left in the directory: no temporary file.
    assert.deepEqual(await listing(dir), ["pgpass"]);
  } finally {
    child.kill("SIGTERM");
    const { code } = await child.output();
    assert.equal(code, 143);
  }
  assert.deepEqual(await listing(dir), []);
  await Deno.remove(dir);
});

Deno.test("removes its file on SIGINT and SIGTERM", async (t) => {
  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    await t.step(signal, async () => {
      const dir = await Deno.makeTempDir();
      const path = `${dir}/pgpass`;
      const server = startIamPgpass(["--file", path], TEST_AWS_ENV);
      const startup = await server.waitForLog(/Keeping a password file/);
      assert.match(startup, new RegExp(`file=${path}`));
      assert.ok((await Deno.lstat(path)).isFile);
      assert.equal(await server.stop(signal), code);
      assert.deepEqual(await listing(dir), []);
      assert.match(server.stderr(), new RegExp(`Stopped reason=${signal}`));
      await Deno.remove(dir);
    });
  }
});

Deno.test("a reader never sees a partial or empty file while it is replaced every few ms", async () => {
  const READS = 10_000;
  const dir = await Deno.makeTempDir();
  const path = `${dir}/pgpass`;
  const server = startIamPgpass(
    ["--file", path, "--refresh-interval", "0.002", "--verbose"],
    { ...TEST_AWS_ENV, ...ENDPOINT_ENV },
  );
  try {
    await server.waitForLog(/Keeping a password file/);
    const refreshesBefore = countRefreshes(server.stderr());
    let bad = 0;
    const started = performance.now();
    for (let i = 0; i < READS; i++) {
      const file = await Deno.open(path, { read: true });
      try {
        const text = new TextDecoder().decode(await readAll(file));
        if (!text.startsWith(MARKER) || !libpqPassword(text, conn)) bad++;
      } finally {
        file.close();
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const refreshes = countRefreshes(server.stderr()) - refreshesBefore;
    console.log(
      `${READS} reads in ${seconds.toFixed(1)} s, ${refreshes} ` +
        `replacements meanwhile, ${bad} bad`,
    );
    assert.equal(bad, 0);
    assert.ok(refreshes >= 100, `only ${refreshes} refreshes`);
  } finally {
    assert.equal(await server.stop(), 143);
  }
  assert.deepEqual(await listing(dir), []);
  await Deno.remove(dir);
});

Deno.test("refuses paths it must not write, creating nothing", async (t) => {
  const cases: {
    name: string;
    setup: (dir: string) => Promise<string>;
    message: RegExp;
  }[] = [
    {
      name: "a named pipe",
      setup: async (dir) => {
        const path = `${dir}/pgpass`;
        await new Deno.Command("mkfifo", { args: [path] }).output();
        return path;
      },
      message: /": it is a named pipe; expected a regular file or a path/,
    },
    {
      name: "a directory",
      setup: async (dir) => {
        await Deno.mkdir(`${dir}/pgpass`);
        return `${dir}/pgpass`;
      },
      message: /": it is a directory; expected a regular file/,
    },
    {
      name: "a symbolic link to a file of ours",
      setup: async (dir) => {
        await Deno.writeTextFile(`${dir}/target`, `${MARKER}\n`);
        await Deno.symlink(`${dir}/target`, `${dir}/pgpass`);
        return `${dir}/pgpass`;
      },
      message: /": it is a symbolic link; expected a regular file/,
    },
    {
      name: "a file iam-pgpass did not write",
      setup: async (dir) => {
        await Deno.writeTextFile(`${dir}/pgpass`, "h:5432:*:u:secret\n");
        return `${dir}/pgpass`;
      },
      message:
        /": iam-pgpass did not write it; pass --replace to overwrite it$/,
    },
    {
      name: "a world-writable directory without the sticky bit",
      setup: async (dir) => {
        await Deno.mkdir(`${dir}/open`);
        await Deno.chmod(`${dir}/open`, 0o777);
        return `${dir}/open/pgpass`;
      },
      message:
        /directory ".*\/open" is writable by others and has no sticky bit$/,
    },
    {
      name: "a missing directory",
      setup: (dir) => Promise.resolve(`${dir}/missing/pgpass`),
      message: /: directory ".*\/missing" does not exist$/,
    },
  ];
  for (const c of cases) {
    await t.step(c.name, async () => {
      const dir = await Deno.makeTempDir();
      const path = await c.setup(dir);
      const before = await snapshot(dir);
      const result = await runIamPgpass(["--file", path], TEST_AWS_ENV);
      assert.equal(result.code, PATH_ERROR, result.stderr);
      const lines = result.stderr.trim().split("\n");
      assert.equal(lines.length, 1, result.stderr);
      assert.match(
        lines[0]!,
        new RegExp(
          `^iam-pgpass: error: Cannot write a password file at "${path}`,
        ),
      );
      assert.match(lines[0]!, c.message);
      assert.deepEqual(await snapshot(dir), before);
      await Deno.remove(dir, { recursive: true });
    });
  }
});

Deno.test("takes over its own file, and a foreign one only with --replace", async (t) => {
  for (
    const [name, content, args] of [
      ["its own file from an earlier run", `${MARKER}\nold:1:*:u:x\n`, []],
      ["a foreign file with --replace", "h:5432:*:u:secret\n", ["--replace"]],
    ] as const
  ) {
    await t.step(name, async () => {
      const dir = await Deno.makeTempDir();
      const path = `${dir}/pgpass`;
      await Deno.writeTextFile(path, content, { mode: 0o644 });
      const server = startIamPgpass(["--file", path, ...args], {
        ...TEST_AWS_ENV,
        ...ENDPOINT_ENV,
      });
      await server.waitForLog(/Keeping a password file/);
      const info = await Deno.lstat(path);
      assert.equal(info.mode! & 0o777, 0o600);
      assert.ok(libpqPassword(await Deno.readTextFile(path), conn));
      assert.equal(await server.stop(), 143);
      assert.deepEqual(await listing(dir), []);
      await Deno.remove(dir);
    });
  }
});

Deno.test("--no-escape-password writes the raw token for asyncpg", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/pgpass`;
  const server = startIamPgpass(
    ["--file", path, "--no-escape-password"],
    { ...TEST_AWS_ENV, ...ENDPOINT_ENV },
  );
  try {
    await server.waitForLog(/escaped=false/);
    const line = (await Deno.readTextFile(path)).split("\n")[1]!;
    assert.match(line, /^db\.local:6432:\*:app:db\.local:6432\/\?Action=/);
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

function countRefreshes(stderr: string): number {
  return stderr.split("\n").filter((l) => /debug: Refreshed /.test(l)).length;
}

async function readAll(file: Deno.FsFile): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const buffer = new Uint8Array(4096);
  let n: number | null;
  while ((n = await file.read(buffer)) !== null) {
    chunks.push(buffer.slice(0, n));
  }
  const out = new Uint8Array(chunks.reduce((sum, c) => sum + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** Names, kinds and contents of everything in `dir`, to show nothing changed. */
async function snapshot(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of await listing(dir)) {
    const info = await Deno.lstat(`${dir}/${name}`);
    const content = info.isFile
      ? await Deno.readTextFile(`${dir}/${name}`)
      : "";
    out.push(`${name} ${info.mode! & 0o7777} ${content}`);
    if (info.isDirectory) {
      out.push(...(await snapshot(`${dir}/${name}`)).map((s) => `  ${s}`));
    }
  }
  return out;
}
