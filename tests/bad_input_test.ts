/**
 * Bad input, as users type it: each case exits with its documented code and
 * a message naming what is wrong and what would be right, and leaves nothing
 * behind.
 */
import assert from "node:assert/strict";
import { runIamPgpass, TEST_AWS_ENV } from "./fixtures.ts";

interface Case {
  name: string;
  args: (dir: string) => string[];
  env?: Record<string, string>;
  /** Makes what the case needs in `dir` before the run. */
  setup?: (dir: string) => Promise<void>;
  code: number;
  message: RegExp;
}

const USAGE = 2;
const PATH = 3;
const AWS = 4;

async function mkfifo(path: string) {
  const made = await new Deno.Command("mkfifo", { args: [path] }).output();
  assert.ok(made.success);
}

const cases: Case[] = [
  {
    name: "no path",
    args: () => [],
    code: USAGE,
    message: /^Missing the pipe path: usage is iam-pgpass \[options\] <path>$/,
  },
  {
    name: "two paths",
    args: (d) => [`${d}/a`, `${d}/b`],
    code: USAGE,
    message: /^Too many arguments \(2\): expected one pipe path$/,
  },
  {
    name: "unknown flag",
    args: (d) => ["--hots", "h", `${d}/p`],
    code: USAGE,
    message: /^Unknown option "--hots": see iam-pgpass --help$/,
  },
  {
    name: "flag without its value",
    args: () => ["--port"],
    code: USAGE,
    message:
      /^Option '--port <value>' argument missing: see iam-pgpass --help$/,
  },
  {
    name: "port not a number",
    args: (d) => ["--port", "abc", `${d}/p`],
    code: USAGE,
    message:
      /^Invalid port "abc" from --port: expected a whole number from 1 to 65535$/,
  },
  {
    name: "port 0 from PGPORT",
    args: (d) => [`${d}/p`],
    env: { PGPORT: "0" },
    code: USAGE,
    message: /^Invalid port "0" from PGPORT: expected a whole number/,
  },
  {
    name: "port too large",
    args: (d) => ["--port", "65536", `${d}/p`],
    code: USAGE,
    message: /^Invalid port "65536" from --port/,
  },
  {
    name: "empty user flag",
    args: (d) => ["--user", "", `${d}/p`],
    code: USAGE,
    message: /^Empty value from --user: expected a name$/,
  },
  {
    name: "user with a line break",
    args: (d) => [`${d}/p`],
    env: { PGUSER: "a\nb" },
    code: USAGE,
    message:
      /^Invalid value from PGUSER: a password file line cannot hold a line break$/,
  },
  {
    name: "PGHOST a socket directory",
    args: (d) => [`${d}/p`],
    env: { PGHOST: "/var/run/postgresql" },
    code: USAGE,
    message:
      /^Host "\/var\/run\/postgresql" from PGHOST is a Unix socket directory: IAM authentication needs a TCP host name$/,
  },
  {
    name: "PGPORT list longer than PGHOST list",
    args: (d) => [`${d}/p`],
    env: { PGHOST: "a,b,c", PGPORT: "5432,5433" },
    code: USAGE,
    message:
      /^Cannot match 2 ports from PGPORT to 3 hosts from PGHOST: expected one port for all hosts or one per host$/,
  },
  {
    name: "PGHOST list with an empty host",
    args: (d) => [`${d}/p`],
    env: { PGHOST: "a,,b" },
    code: USAGE,
    message:
      /^Empty host 2 in list "a,,b" from PGHOST: libpq dials a Unix socket there, and IAM authentication needs a TCP host name$/,
  },
  {
    name: "malformed region",
    args: (d) => ["--region", "Mars", `${d}/p`],
    code: USAGE,
    message:
      /^Invalid region "Mars" from --region: expected a name like "us-east-1"$/,
  },
  {
    name: "unknown log level",
    args: (d) => ["--log-level", "loud", `${d}/p`],
    code: USAGE,
    message:
      /^Invalid log level "loud" for --log-level: expected error, warn, info or debug$/,
  },
  {
    name: "--quiet with --verbose",
    args: (d) => ["-q", "-v", `${d}/p`],
    code: USAGE,
    message:
      /^Conflicting options: use only one of --log-level, --quiet and --verbose$/,
  },
  {
    name: "no region anywhere",
    args: (d) => [`${d}/p`],
    env: { AWS_REGION: "" },
    code: AWS,
    message: /^No AWS region for host "localhost": set --region, AWS_REGION/,
  },
  {
    name: "path is a regular file",
    args: (d) => [`${d}/file`],
    setup: (d) => Deno.writeTextFile(`${d}/file`, "keep me"),
    code: PATH,
    message:
      /^Cannot serve at ".*\/file": it is a regular file; expected a named pipe or a path that does not exist$/,
  },
  {
    name: "path is a directory",
    args: (d) => [`${d}/sub`],
    setup: (d) => Deno.mkdir(`${d}/sub`),
    code: PATH,
    message:
      /^Cannot serve at ".*\/sub": it is a directory; expected a named pipe/,
  },
  {
    name: "path is a symbolic link to a pipe",
    args: (d) => [`${d}/link`],
    setup: async (d) => {
      await mkfifo(`${d}/fifo`);
      await Deno.symlink(`${d}/fifo`, `${d}/link`);
    },
    code: PATH,
    message:
      /^Cannot serve at ".*\/link": it is a symbolic link; expected a named pipe/,
  },
  {
    name: "path is a socket",
    args: (d) => [`${d}/sock`],
    setup: async (d) => {
      const bind =
        "import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])";
      const made = await new Deno.Command("python3", {
        args: ["-c", bind, `${d}/sock`],
      }).output();
      assert.ok(made.success);
    },
    code: PATH,
    message:
      /^Cannot serve at ".*\/sock": it is a socket; expected a named pipe/,
  },
  {
    name: "parent directory missing",
    args: (d) => [`${d}/missing/p`],
    code: PATH,
    message:
      /^Cannot create a pipe at ".*\/missing\/p": directory ".*\/missing" does not exist$/,
  },
  {
    name: "parent is a file",
    args: (d) => [`${d}/file/p`],
    setup: (d) => Deno.writeTextFile(`${d}/file`, "x"),
    code: PATH,
    message:
      /^Cannot create a pipe at ".*\/file\/p": ".*\/file" is not a directory$/,
  },
];

const SIGN = 5;

const writeConfig = (name: string, text: string) => (d: string) =>
  Deno.writeTextFile(`${d}/${name}`, text);

cases.push(
  {
    name: "config file missing",
    args: (d) => ["--config", `${d}/none.toml`, `${d}/p`],
    code: USAGE,
    message: /^Cannot read config file ".*\/none\.toml": it does not exist$/,
  },
  {
    name: "config file not TOML",
    args: (d) => ["--config", `${d}/c.toml`, `${d}/p`],
    setup: writeConfig("c.toml", "[[entry\n"),
    code: USAGE,
    message:
      /^Cannot parse config file ".*\/c\.toml": line 1, column 8: illegal character in key$/,
  },
  {
    name: "config entry without a user",
    args: (d) => ["--config", `${d}/c.toml`, `${d}/p`],
    setup: writeConfig("c.toml", '[[entry]]\nhost = "x"\n'),
    code: USAGE,
    message:
      /^Missing "user" in entry 1 of config file ".*\/c\.toml": expected the database user$/,
  },
  {
    name: "config entry with a bad port",
    args: (d) => ["--config", `${d}/c.toml`, `${d}/p`],
    setup: writeConfig(
      "c.toml",
      '[[entry]]\nhost = "x"\nuser = "u"\nport = 70000\n',
    ),
    code: USAGE,
    message:
      /^Invalid port 70000 in entry 1 of config file ".*\/c\.toml": expected a whole number from 1 to 65535, or "\*"$/,
  },
  {
    name: "--host together with --config",
    args: (d) => ["--config", `${d}/c.toml`, "--host", "h", `${d}/p`],
    setup: writeConfig("c.toml", '[[entry]]\nhost = "x"\nuser = "u"\n'),
    code: USAGE,
    message:
      /^Option --host cannot be used with --config: set "host" in the config file's entries$/,
  },
  {
    name: "endpoint without a host",
    args: (d) => ["--endpoint", ":5", `${d}/p`],
    code: USAGE,
    message:
      /^Invalid endpoint ":5" from --endpoint: expected a host name, optionally with ":port"/,
  },
  {
    name: "refresh interval of zero",
    args: (d) => ["--file", `${d}/f`, "--refresh-interval", "0"],
    code: USAGE,
    message:
      /^Invalid interval "0" for --refresh-interval: expected seconds from 0\.001 to 600$/,
  },
  {
    name: "negative refresh interval",
    args: (d) => ["--file", `${d}/f`, "--refresh-interval", "-5"],
    code: USAGE,
    message:
      /^Value for --refresh-interval starts with "-": write --refresh-interval=<value>: see iam-pgpass --help$/,
  },
  {
    name: "exec without a command",
    args: () => ["exec"],
    code: USAGE,
    message:
      /^Missing the command after "--": usage is iam-pgpass exec \[options\] -- <command> \[args\.\.\.\]$/,
  },
  {
    name: "exec of a command that does not exist",
    args: (d) => ["exec", "--", `${d}/nonexistent`],
    code: 127,
    message: /^Cannot run ".*\/nonexistent": command not found$/,
  },
  {
    name: "token for two hosts",
    args: () => ["token", "--host", "a,b"],
    code: USAGE,
    message:
      /^Too many hosts \(2\) from --host: iam-pgpass token signs for one host$/,
  },
  {
    name: "token with an unknown profile",
    args: () => ["token", "--profile", "nope"],
    code: SIGN,
    message:
      /^Cannot sign a token for localhost:5432 user "postgres": Profile "nope" \(--profile\) is in neither ".*" nor ".*": check the name, AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE$/,
  },
  {
    name: "file mode under /dev",
    args: () => ["--file", "/dev/null"],
    code: PATH,
    message:
      /^Cannot write a password file at "\/dev\/null": it is under \/dev, \/proc or \/sys; expected a regular file elsewhere$/,
  },
  {
    name: "config file under /dev",
    args: (d) => ["--config", "/dev/stdin", `${d}/p`],
    code: USAGE,
    message:
      /^Cannot read config file "\/dev\/stdin": it is under \/dev, \/proc or \/sys; expected a regular file$/,
  },
  {
    name: "check with an unknown sslmode",
    args: () => ["check", "--sslmode", "bogus"],
    code: USAGE,
    message:
      /^Invalid sslmode "bogus": expected one of disable, allow, prefer, require, verify-ca, verify-full$/,
  },
);

if (Deno.uid() === 0) {
  cases.push({
    name: "pipe owned by another user",
    args: (d) => [`${d}/theirs`],
    setup: async (d) => {
      await mkfifo(`${d}/theirs`);
      await Deno.chown(`${d}/theirs`, 65534, 65534);
    },
    code: PATH,
    message:
      /^Cannot serve at ".*\/theirs": the named pipe belongs to uid 65534; expected one owned by you \(uid 0\)$/,
  });
} else {
  console.error(
    "\n!!! NOT TESTED: a pipe owned by another user (needs root to chown) !!!\n",
  );
}

async function listing(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

Deno.test("bad input: a clear message, its exit code, nothing left behind", async (t) => {
  for (const c of cases) {
    await t.step(c.name, async () => {
      const dir = await Deno.makeTempDir({ prefix: "iam-pgpass-bad-" });
      try {
        await c.setup?.(dir);
        const before = await listing(dir);
        const result = await runIamPgpass(c.args(dir), {
          ...TEST_AWS_ENV,
          ...c.env,
        });
        const message = result.stderr.trim().replace(
          /^iam-pgpass: error: /,
          "",
        );
        assert.match(message, c.message, result.stderr);
        assert.equal(result.code, c.code, result.stderr);
        assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
        assert.deepEqual(await listing(dir), before);
        if (c.name === "path is a regular file") {
          assert.equal(await Deno.readTextFile(`${dir}/file`), "keep me");
        }
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    });
  }
});
