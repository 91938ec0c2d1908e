import assert from "node:assert/strict";
import { UsageError } from "../lib/errors.ts";
import { parseSettings, type ServeSettings } from "../lib/settings.ts";

const envOf = (vars: Record<string, string>) => (name: string) => vars[name];
const RDS = "mydb.abc123.eu-central-1.rds.amazonaws.com";

function serve(args: string[], vars: Record<string, string> = {}) {
  const settings = parseSettings([...args, "/p"], envOf(vars));
  assert.equal(settings.command, "serve");
  return settings as ServeSettings;
}

function addresses(settings: ServeSettings) {
  return settings.entries.map((e) => `${e.match.host}:${e.match.port}`);
}

function refuses(
  args: string[],
  vars: Record<string, string>,
  message: string,
) {
  assert.throws(
    () => parseSettings(args, envOf(vars)),
    new UsageError(message),
  );
}

Deno.test("PGHOST and PGPORT lists give one entry per host, as in libpq", async (t) => {
  await t.step("one port applies to every host", () => {
    const got = serve([], { PGHOST: "a,b,c", PGPORT: "6432" });
    assert.deepEqual(addresses(got), ["a:6432", "b:6432", "c:6432"]);
  });
  await t.step("a port list pairs with the hosts", () => {
    const got = serve([], { PGHOST: "a,b", PGPORT: "1,2" });
    assert.deepEqual(addresses(got), ["a:1", "b:2"]);
  });
  await t.step("an empty port in a list is the default", () => {
    const got = serve([], { PGHOST: "a,b", PGPORT: ",7" });
    assert.deepEqual(addresses(got), ["a:5432", "b:7"]);
  });
  await t.step("no PGPORT: every host on 5432", () => {
    assert.deepEqual(addresses(serve([], { PGHOST: "a,b" })), [
      "a:5432",
      "b:5432",
    ]);
  });
  await t.step("--host and --port take lists too", () => {
    const got = serve(["--host", "x,y", "--port", "8,9"], { PGHOST: "a" });
    assert.deepEqual(addresses(got), ["x:8", "y:9"]);
  });
  await t.step("user and database apply to each entry", () => {
    const got = serve([], {
      PGHOST: "a,b",
      PGUSER: "app",
      PGDATABASE: "orders",
    });
    for (const entry of got.entries) {
      assert.equal(entry.match.user, "app");
      assert.equal(entry.match.database, "orders");
      assert.equal(entry.label, "PGHOST");
      assert.deepEqual(entry.signFor, {
        host: entry.match.host,
        port: entry.match.port,
      });
      assert.equal(entry.separate, false);
    }
    assert.deepEqual(got.endpoint, {
      host: "a",
      port: 5432,
      user: "app",
      database: "orders",
    });
  });
  await t.step("mismatched lists are refused", () => {
    refuses(
      ["/p"],
      { PGHOST: "a,b,c", PGPORT: "1,2" },
      "Cannot match 2 ports from PGPORT to 3 hosts from PGHOST: expected one port for all hosts or one per host",
    );
    refuses(
      ["--port", "1,2", "/p"],
      {},
      "Cannot match 2 ports from --port to 1 hosts from the default: expected one port for all hosts or one per host",
    );
  });
  await t.step("a bad port in a list names its source", () => {
    refuses(
      ["/p"],
      { PGHOST: "a,b", PGPORT: "1,x" },
      'Invalid port "x" from PGPORT: expected a whole number from 1 to 65535',
    );
  });
  await t.step("a socket directory in a list is refused", () => {
    refuses(
      ["/p"],
      { PGHOST: "a,/tmp" },
      'Host "/tmp" from PGHOST is a Unix socket directory: IAM authentication needs a TCP host name',
    );
  });
  await t.step("token signs for one host only", () => {
    refuses(
      ["token"],
      { PGHOST: "a,b" },
      "Too many hosts (2) from PGHOST: iam-pgpass token signs for one host",
    );
  });
});

Deno.test("--endpoint sets what tokens are signed for", async (t) => {
  await t.step("host and port", () => {
    const [entry] = serve(
      ["--host", "localhost", "--port", "15432", "--endpoint", `${RDS}:5432`],
    ).entries;
    assert.deepEqual(entry!.match, {
      host: "localhost",
      port: 15432,
      database: null,
      user: "postgres",
    });
    assert.deepEqual(entry!.signFor, { host: RDS, port: 5432 });
    assert.equal(entry!.separate, true);
  });
  await t.step("without a port, the dialed port", () => {
    const [entry] = serve(["--port", "6432", "--endpoint", RDS]).entries;
    assert.deepEqual(entry!.signFor, { host: RDS, port: 6432 });
  });
  await t.step("with a host list, for every host", () => {
    const got = serve(["--endpoint", `${RDS}:5432`], { PGHOST: "a,b" });
    assert.deepEqual(got.entries.map((e) => e.signFor), [
      { host: RDS, port: 5432 },
      { host: RDS, port: 5432 },
    ]);
  });
  await t.step("region and profile flags go to each entry", () => {
    const [entry] = serve(["--region", "eu-west-1", "--profile", "p"])
      .entries;
    assert.equal(entry!.region, "eu-west-1");
    assert.equal(entry!.regionSource, "--region");
    assert.equal(entry!.profile, "p");
    assert.equal(entry!.profileSource, "--profile");
  });
  await t.step("a malformed endpoint is refused", () => {
    refuses(
      ["--endpoint", `${RDS}:x`, "/p"],
      {},
      `Invalid endpoint "${RDS}:x" from --endpoint: expected a host name, optionally with ":port", like "mydb.abc123.eu-west-1.rds.amazonaws.com:5432"`,
    );
  });
});

Deno.test("--config takes the entries from the file", async (t) => {
  await t.step("no entries from flags or PG variables then", () => {
    const got = serve(["--config", "/c.toml"], { PGHOST: "a,b" });
    assert.equal(got.config, "/c.toml");
    assert.deepEqual(got.entries, []);
  });
  await t.step("exec takes it too", () => {
    const got = parseSettings(
      ["exec", "--config", "/c.toml", "--", "psql"],
      envOf({}),
    );
    assert.equal(got.command, "exec");
    assert.equal("config" in got && got.config, "/c.toml");
  });
  for (const flag of ["host", "port", "user", "endpoint", "region"]) {
    await t.step(`--${flag} is refused with it`, () => {
      refuses(
        ["--config", "/c.toml", `--${flag}`, "x", "/p"],
        {},
        `Option --${flag} cannot be used with --config: set "${flag}" in the config file's entries`,
      );
    });
  }
  await t.step("an empty path is refused", () => {
    refuses(
      ["--config", "", "/p"],
      {},
      "Empty path for --config: expected a file system path",
    );
  });
  await t.step("token has no --config", () => {
    refuses(
      ["token", "--config", "/c.toml"],
      {},
      'Unknown option "--config": see iam-pgpass token --help',
    );
  });
});
