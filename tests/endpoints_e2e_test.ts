/**
 * Many entries end to end: one iam-pgpass serves a tunnel entry and a second
 * one from a config file, psql logs in through the tunnel to a bed that
 * checks the token was signed for the RDS endpoint, and SIGHUP reloads the
 * file without dropping readers.
 */
import assert from "node:assert/strict";
import { startBed, TEST_DATABASE, TEST_REGION, TEST_USERS } from "./bed/mod.ts";
import { TEST_CREDENTIALS } from "./bed/fixtures.ts";
import { verifyToken } from "./bed/verifier.ts";
import { checkClientsAvailable, loggedIn, runClient } from "./clients/mod.ts";
import { runIamPgpass, startIamPgpass, TEST_AWS_ENV } from "./fixtures.ts";
import { libpqPassword } from "./libpq_rules.ts";

const RDS = "mydb.abc123.eu-central-1.rds.amazonaws.com";
const OTHER = "reports.xyz789.eu-west-1.rds.amazonaws.com";
const USER = TEST_USERS[0]!;

const missing = await checkClientsAvailable();

function entry(fields: Record<string, string | number>): string {
  const lines = Object.entries(fields).map(([key, value]) =>
    `${key} = ${JSON.stringify(value)}`
  );
  return `[[entry]]\n${lines.join("\n")}\n\n`;
}

/** The pgpass lines of `content`, without the marker and comments. */
function lines(content: string): string[] {
  return content.split("\n").filter((line) => line && !line.startsWith("#"));
}

Deno.test("one process serves a tunnel entry and another; psql logs in through the tunnel", async () => {
  await using bed = await startBed({
    endpoint: { hostname: RDS, port: 5432 },
    region: TEST_REGION,
    users: TEST_USERS,
    database: TEST_DATABASE,
  });
  const dir = await Deno.makeTempDir({ prefix: "iam-pgpass-endpoints-" });
  const config = `${dir}/config.toml`;
  const passfile = `${dir}/pgpass`;
  await Deno.writeTextFile(
    config,
    entry({
      name: "tunnel",
      host: bed.host,
      port: bed.port,
      database: TEST_DATABASE,
      user: USER,
      endpoint: `${RDS}:5432`,
    }) + entry({ name: "reports", host: OTHER, user: "reporter" }),
  );
  const server = startIamPgpass(
    ["--config", config, "--file", passfile],
    TEST_AWS_ENV,
  );
  try {
    const started = await server.waitForLog(/Keeping a password file/);
    assert.match(started, /entries=2/);
    const content = await Deno.readTextFile(passfile);
    assert.equal(lines(content).length, 2, content);
    const tunnelToken = libpqPassword(content, {
      host: bed.host,
      port: String(bed.port),
      database: TEST_DATABASE,
      user: USER,
    });
    assert.ok(tunnelToken, content);
    assert.deepEqual(
      verifyToken(tunnelToken, USER, {
        hostname: RDS,
        port: 5432,
        region: TEST_REGION,
        ...TEST_CREDENTIALS,
      }, new Date()),
      { ok: true },
    );
    const otherToken = libpqPassword(content, {
      host: OTHER,
      port: "5432",
      database: "anything",
      user: "reporter",
    });
    assert.ok(otherToken, content);
    assert.deepEqual(
      verifyToken(otherToken, "reporter", {
        hostname: OTHER,
        port: 5432,
        region: "eu-west-1",
        ...TEST_CREDENTIALS,
      }, new Date()),
      { ok: true },
    );
    // Signed for RDS names, so no warning about host names.
    assert.doesNotMatch(server.stderr(), /not an RDS endpoint name/);

    if (missing.has("psql")) {
      console.error(
        `\n!!! NOT TESTED: psql through the tunnel: psql missing !!!\n`,
      );
      return;
    }
    const result = await runClient("psql", {
      host: bed.host,
      port: bed.port,
      user: USER,
      database: TEST_DATABASE,
      sslmode: bed.sslmode,
      passfile,
    });
    assert.ok(loggedIn("psql", result, USER), JSON.stringify(result));
    const attempts = await bed.verifierLog();
    assert.match(attempts.at(-1)!, new RegExp(`user="${USER}".* ok$`));
  } finally {
    assert.equal(await server.stop(), 143, server.stderr());
    await Deno.remove(dir, { recursive: true });
  }
});

/**
 * The hosts in one read, each once; throws on a torn line. A reader that
 * holds the pipe open can get the content more than once.
 */
function hostsOf(content: string): string {
  assert.ok(content.endsWith("\n"), `incomplete content: ${content}`);
  const hosts = lines(content).map((line) => {
    const fields = line.split(/(?<!\\):/);
    assert.equal(fields.length, 5, line);
    assert.match(
      fields[4]!,
      /X-Amz-Signature=[0-9a-f]{64}&X-Amz-SignedHeaders=host$/,
      line,
    );
    return fields[0]!;
  });
  return [...new Set(hosts)].join(",");
}

Deno.test("SIGHUP reloads the config in pipe mode while a reader keeps reading", async () => {
  const dir = await Deno.makeTempDir({ prefix: "iam-pgpass-reload-" });
  const config = `${dir}/config.toml`;
  const pipe = `${dir}/pgpass`;
  const before = entry({ host: RDS, user: "app" });
  const after = entry({ host: OTHER, user: "app" }) +
    entry({ host: "localhost", port: 15432, user: "app", endpoint: RDS });
  await Deno.writeTextFile(config, before);
  const server = startIamPgpass(["--config", config, pipe], TEST_AWS_ENV);
  const seen: string[] = [];
  let reading = true;
  let reader: Promise<void> = Promise.resolve();
  let readError: unknown = null;
  const waitFor = async (hosts: string) => {
    const from = seen.length;
    const deadline = Date.now() + 10_000;
    while (!seen.slice(from).includes(hosts)) {
      if (readError) throw readError;
      assert.ok(Date.now() < deadline, `never saw ${hosts}: ${seen.at(-1)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  try {
    await server.waitForLog(/Serving IAM tokens/);
    reader = (async () => {
      while (reading) seen.push(hostsOf(await Deno.readTextFile(pipe)));
    })().catch((error) => {
      readError = error;
    });
    await waitFor(RDS);

    await Deno.writeTextFile(config, after);
    server.child.kill("SIGHUP");
    await server.waitForLog(/info: Reloaded/);
    await waitFor(`${OTHER},localhost`);

    await Deno.writeTextFile(config, after + "[[entry]]\nhots = 1\n");
    server.child.kill("SIGHUP");
    const failed = await server.waitForLog(/Reload failed/);
    assert.equal(
      failed,
      `iam-pgpass: error: Reload failed, serving the previous entries: ` +
        `Unknown key "hots" in entry 3 of config file "${config}": expected ` +
        "name, host, port, database, user, endpoint, region or profile",
    );
    await waitFor(`${OTHER},localhost`);
    // A read that spans the reload may hold a copy of each.
    const allowed = [RDS, `${OTHER},localhost`, `${RDS},${OTHER},localhost`];
    for (const hosts of seen) assert.ok(allowed.includes(hosts), hosts);
  } finally {
    // The last read needs the server: a reader left blocked would hang.
    reading = false;
    await reader;
    const code = await server.stop();
    await Deno.remove(dir, { recursive: true });
    assert.equal(code, 143, server.stderr());
  }
});

Deno.test("SIGHUP reloads the config in file mode; a bad file keeps the lines", async () => {
  const dir = await Deno.makeTempDir({ prefix: "iam-pgpass-reload-" });
  const config = `${dir}/config.toml`;
  const passfile = `${dir}/pgpass`;
  await Deno.writeTextFile(config, entry({ host: RDS, user: "app" }));
  const server = startIamPgpass(
    ["--config", config, "--file", passfile],
    TEST_AWS_ENV,
  );
  try {
    await server.waitForLog(/Keeping a password file/);
    assert.equal(hostsOf(await Deno.readTextFile(passfile)), RDS);

    await Deno.writeTextFile(
      config,
      entry({ host: RDS, user: "app" }) + entry({ host: OTHER, user: "b" }),
    );
    server.child.kill("SIGHUP");
    await server.waitForLog(/info: Reloaded/);
    const reloaded = await Deno.readTextFile(passfile);
    assert.equal(hostsOf(reloaded), `${RDS},${OTHER}`);

    await Deno.writeTextFile(config, "[[entry]]\nhost = \n");
    server.child.kill("SIGHUP");
    await server.waitForLog(/Reload failed/);
    assert.equal(hostsOf(await Deno.readTextFile(passfile)), `${RDS},${OTHER}`);
  } finally {
    const code = await server.stop();
    await Deno.remove(dir, { recursive: true });
    assert.equal(code, 143, server.stderr());
  }
  await assert.rejects(Deno.lstat(passfile), Deno.errors.NotFound);
});

Deno.test("token --endpoint signs for the RDS endpoint, not the tunnel", async () => {
  const result = await runIamPgpass(
    ["token", "--host", "localhost", "--port", "15432", "--endpoint", RDS],
    { ...TEST_AWS_ENV, PGUSER: "app" },
  );
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, "");
  assert.deepEqual(
    verifyToken(result.stdout.trim(), "app", {
      hostname: RDS,
      port: 15432,
      region: TEST_REGION,
      ...TEST_CREDENTIALS,
    }, new Date()),
    { ok: true },
  );
});

Deno.test("warns at start when tokens are signed for a host that is not RDS's", async (t) => {
  const cases: [string, string[], Record<string, string>, string | null][] = [
    [
      "a custom DNS name from PGHOST",
      [],
      { PGHOST: "db.example.com" },
      'iam-pgpass: warn: Host "db.example.com" from PGHOST is not an RDS ' +
      "endpoint name (<name>.<id>.<region>.rds.amazonaws.com): tokens are " +
      'signed for "db.example.com:5432", which RDS refuses; for a tunnel, ' +
      "an IP address or your own DNS name, give the RDS endpoint with " +
      "--endpoint",
    ],
    ["an RDS name", [], { PGHOST: RDS }, null],
    ["a tunnel with --endpoint", ["--endpoint", RDS], {}, null],
  ];
  for (const [name, args, env, warning] of cases) {
    await t.step(name, async () => {
      const dir = await Deno.makeTempDir({ prefix: "iam-pgpass-warn-" });
      const server = startIamPgpass([...args, `${dir}/pgpass`], {
        ...TEST_AWS_ENV,
        ...env,
      });
      try {
        await server.waitForLog(/Serving IAM tokens/);
        const warnings = server.stderr().split("\n")
          .filter((line) => line.includes("not an RDS endpoint name"));
        assert.deepEqual(warnings, warning ? [warning] : []);
      } finally {
        await server.stop();
        await Deno.remove(dir, { recursive: true });
      }
    });
  }
});

Deno.test("an entry that cannot sign gets a comment; the others get tokens", async () => {
  const dir = await Deno.makeTempDir({ prefix: "iam-pgpass-partial-" });
  const config = `${dir}/config.toml`;
  const pipe = `${dir}/pgpass`;
  await Deno.writeTextFile(
    config,
    entry({ host: OTHER, user: "nobody", profile: "missing" }) +
      entry({ host: RDS, user: "app" }),
  );
  const server = startIamPgpass(["--config", config, pipe], TEST_AWS_ENV);
  try {
    await server.waitForLog(/Serving IAM tokens/);
    const content = await Deno.readTextFile(pipe);
    const [comment, line] = content.split("\n");
    assert.match(
      comment!,
      new RegExp(`^# iam-pgpass: no token for ${OTHER}:5432 user "nobody": `),
    );
    assert.equal(hostsOf(`${line}\n`), RDS);
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
