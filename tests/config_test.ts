import assert from "node:assert/strict";
import { parseConfig, readConfig } from "../lib/config.ts";
import { UsageError } from "../lib/errors.ts";

const PATH = "/etc/iam-pgpass.toml";
const FILE = `config file "${PATH}"`;
const RDS = "mydb.abc123.eu-central-1.rds.amazonaws.com";

Deno.test("parseConfig reads entries, their defaults and wildcards", async (t) => {
  await t.step("a tunnel entry signs for the RDS endpoint", () => {
    const [entry] = parseConfig(
      `[[entry]]
name = "orders"
host = "localhost"
port = 15432
user = "app"
endpoint = "${RDS}:5432"
`,
      PATH,
    );
    assert.deepEqual(entry, {
      label: `entry 1 ("orders") of ${FILE}`,
      match: { host: "localhost", port: 15432, database: null, user: "app" },
      signFor: { host: RDS, port: 5432 },
      separate: true,
      region: undefined,
      regionSource: undefined,
      profile: undefined,
      profileSource: undefined,
    });
  });
  await t.step("signing defaults to the match fields, port to 5432", () => {
    const [entry] = parseConfig(
      `[[entry]]\nhost = "${RDS}"\nuser = "app"\ndatabase = "orders"\n`,
      PATH,
    );
    assert.deepEqual(entry!.match, {
      host: RDS,
      port: 5432,
      database: "orders",
      user: "app",
    });
    assert.deepEqual(entry!.signFor, { host: RDS, port: 5432 });
    assert.equal(entry!.separate, false);
  });
  await t.step("an endpoint without a port keeps the entry's port", () => {
    const [entry] = parseConfig(
      `[[entry]]\nhost = "db.internal"\nport = 6432\nuser = "u"\nendpoint = "${RDS}"\n`,
      PATH,
    );
    assert.deepEqual(entry!.signFor, { host: RDS, port: 6432 });
  });
  await t.step('"*" for host, port and database with a full endpoint', () => {
    const [entry] = parseConfig(
      `[[entry]]\nhost = "*"\nport = "*"\ndatabase = "*"\nuser = "u"\nendpoint = "${RDS}:5432"\n`,
      PATH,
    );
    assert.deepEqual(entry!.match, {
      host: null,
      port: null,
      database: null,
      user: "u",
    });
  });
  await t.step(
    "top-level region and profile apply unless an entry says",
    () => {
      const entries = parseConfig(
        `region = "us-east-1"
profile = "main"

[[entry]]
host = "a"
user = "u"

[[entry]]
host = "b"
user = "u"
region = "eu-west-1"
profile = "other"
`,
        PATH,
      );
      assert.deepEqual(
        entries.map((
          e,
        ) => [e.region, e.regionSource, e.profile, e.profileSource]),
        [
          ["us-east-1", `"region" in ${FILE}`, "main", `"profile" in ${FILE}`],
          [
            "eu-west-1",
            `"region" in entry 2 of ${FILE}`,
            "other",
            `"profile" in entry 2 of ${FILE}`,
          ],
        ],
      );
    },
  );
  await t.step("entries keep the file's order", () => {
    const hosts = parseConfig(
      ["c", "a", "b"].map((h) => `[[entry]]\nhost = "${h}"\nuser = "u"\n`)
        .join(""),
      PATH,
    ).map((entry) => entry.match.host);
    assert.deepEqual(hosts, ["c", "a", "b"]);
  });
});

const E1 = `entry 1 of ${FILE}`;
const ENTRY = '[[entry]]\nhost = "h"\nuser = "u"\n';

const bad: [name: string, text: string, message: string][] = [
  [
    "a TOML syntax error",
    'region = "x"\nentry = [\n',
    `Cannot parse ${FILE}: line 3, column 1: invalid value`,
  ],
  [
    "an empty file",
    "",
    `No entries in ${FILE}: expected at least one [[entry]] table with "host" and "user"`,
  ],
  [
    "an unknown top-level key",
    `regoin = "eu-west-1"\n${ENTRY}`,
    `Unknown key "regoin" in ${FILE}: expected entry, region or profile`,
  ],
  [
    "entry as a plain table",
    '[entry]\nhost = "h"\nuser = "u"\n',
    `Invalid "entry" in ${FILE}: expected [[entry]] tables`,
  ],
  [
    "an unknown entry key",
    `${ENTRY}hots = "x"\n`,
    `Unknown key "hots" in ${E1}: expected name, host, port, database, user, endpoint, region or profile`,
  ],
  [
    "a missing user",
    '[[entry]]\nhost = "h"\n',
    `Missing "user" in ${E1}: expected the database user`,
  ],
  [
    "a missing host",
    '[[entry]]\nuser = "u"\n',
    `Missing "host" in ${E1}: expected the host name the client dials`,
  ],
  [
    'user "*"',
    '[[entry]]\nhost = "h"\nuser = "*"\n',
    `Invalid user "*" in ${E1}: a token is signed for one database user, so "*" cannot be used`,
  ],
  [
    'host "*" without an endpoint',
    '[[entry]]\nhost = "*"\nuser = "u"\n',
    `Invalid host "*" in ${E1}: a token is signed for one host, so "*" needs "endpoint"`,
  ],
  [
    'port "*" without an endpoint port',
    `${ENTRY}port = "*"\nendpoint = "${RDS}"\n`,
    `Invalid port "*" in ${E1}: a token is signed for one port, so "*" needs a port in "endpoint"`,
  ],
  [
    "port 0",
    `${ENTRY}port = 0\n`,
    `Invalid port 0 in ${E1}: expected a whole number from 1 to 65535, or "*"`,
  ],
  [
    "port 70000",
    `${ENTRY}port = 70000\n`,
    `Invalid port 70000 in ${E1}: expected a whole number from 1 to 65535, or "*"`,
  ],
  [
    "port as a string",
    `${ENTRY}port = "5432"\n`,
    `Invalid port "5432" in ${E1}: expected a whole number from 1 to 65535, or "*"`,
  ],
  [
    "port as a fraction",
    `${ENTRY}port = 5432.5\n`,
    `Invalid port 5432.5 in ${E1}: expected a whole number from 1 to 65535, or "*"`,
  ],
  [
    "host as a number",
    '[[entry]]\nhost = 5\nuser = "u"\n',
    `Invalid "host" in ${E1}: expected a string, not 5`,
  ],
  [
    "an empty database",
    `${ENTRY}database = ""\n`,
    `Empty "database" in ${E1}: expected a name`,
  ],
  [
    "a user with a line break",
    '[[entry]]\nhost = "h"\nuser = "a\\nb"\n',
    `Invalid "user" in ${E1}: a password file line cannot hold a line break`,
  ],
  [
    "a socket directory as host",
    '[[entry]]\nhost = "/var/run/postgresql"\nuser = "u"\n',
    `Invalid host "/var/run/postgresql" in ${E1}: a Unix socket directory cannot be used; IAM authentication needs a TCP host name`,
  ],
  [
    "a host list",
    '[[entry]]\nhost = "a,b"\nuser = "u"\n',
    `Invalid host "a,b" in ${E1}: expected one host name; write one entry per host`,
  ],
  [
    "an endpoint with a scheme",
    `${ENTRY}endpoint = "https://${RDS}"\n`,
    `Invalid endpoint "https://${RDS}" from "endpoint" in ${E1}: expected a host name, optionally with ":port", like "mydb.abc123.eu-west-1.rds.amazonaws.com:5432"`,
  ],
  [
    "an endpoint port out of range",
    `${ENTRY}endpoint = "${RDS}:99999"\n`,
    `Invalid port in endpoint "${RDS}:99999" from "endpoint" in ${E1}: expected a whole number from 1 to 65535`,
  ],
  [
    "a malformed entry region",
    `${ENTRY}region = "Mars"\n`,
    `Invalid region "Mars" from "region" in ${E1}: expected a name like "us-east-1"`,
  ],
  [
    "a malformed top-level region",
    `region = "eu_west_1"\n${ENTRY}`,
    `Invalid region "eu_west_1" from "region" in ${FILE}: expected a name like "us-east-1"`,
  ],
  [
    "an empty profile",
    `${ENTRY}profile = ""\n`,
    `Empty "profile" in ${E1}: expected a name`,
  ],
  [
    "the second entry named in the message",
    `${ENTRY}[[entry]]\nname = "two"\nhost = "h"\nport = -1\nuser = "u"\n`,
    `Invalid port -1 in entry 2 ("two") of ${FILE}: expected a whole number from 1 to 65535, or "*"`,
  ],
  [
    "a duplicate name",
    `[[entry]]\nname = "x"\nhost = "a"\nuser = "u"\n[[entry]]\nname = "x"\nhost = "b"\nuser = "u"\n`,
    `Duplicate name "x" in entry 2 ("x") of ${FILE}: expected each entry's name once`,
  ],
];

Deno.test("parseConfig refuses bad files with the file, entry and key", async (t) => {
  for (const [name, text, message] of bad) {
    await t.step(name, () => {
      assert.throws(() => parseConfig(text, PATH), (error: unknown) => {
        assert.ok(error instanceof UsageError, String(error));
        assert.equal(error.message, message);
        return true;
      });
    });
  }
});

Deno.test("readConfig names a file it cannot read", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "iam-pgpass-config-" });
  try {
    await t.step("missing", async () => {
      await assert.rejects(
        readConfig(`${dir}/none.toml`),
        new UsageError(
          `Cannot read config file "${dir}/none.toml": it does not exist`,
        ),
      );
    });
    await t.step("a directory", async () => {
      await assert.rejects(
        readConfig(dir),
        new UsageError(`Cannot read config file "${dir}": it is a directory`),
      );
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the example in --help is a valid config file", async () => {
  const { HELP } = await import("../lib/help.ts");
  const example = HELP.split("example:\n")[1]!.split('\n"endpoint"')[0]!
    .replace(/^ {2}/gm, "");
  const entries = parseConfig(example, "help");
  assert.deepEqual(entries.map((entry) => entry.signFor), [
    { host: "orders.abc123.eu-central-1.rds.amazonaws.com", port: 5432 },
    { host: "reports.xyz789.eu-west-1.rds.amazonaws.com", port: 5432 },
  ]);
  assert.deepEqual(entries[0]!.match, {
    host: "localhost",
    port: 15432,
    database: null,
    user: "app",
  });
});
