/**
 * `deno task demo`: the main job on a built-in demo, no AWS account and no
 * root needed. A throwaway PostgreSQL sits behind the wire-protocol stand-in,
 * which verifies IAM tokens as RDS does; iam-pgpass serves a named pipe
 * signed with test credentials; real clients read the pipe and log in.
 */
import { startBed, TEST_DATABASE, TEST_REGION, TEST_USERS } from "./bed/mod.ts";
import {
  checkClientsAvailable,
  type ClientName,
  loggedIn,
  runClient,
} from "./clients/mod.ts";
import { startIamPgpass, TEST_AWS_ENV } from "./fixtures.ts";

const PIPE_READERS: ClientName[] = ["go-libpq", "go-pgx", "pgjdbc"];
const USER = TEST_USERS[0]!;

async function demo(): Promise<number> {
  const missing = await checkClientsAvailable();
  const clients = PIPE_READERS.filter((name) => !missing.has(name));
  if (clients.length === 0) {
    console.error("The demo needs a client that reads a named pipe:");
    for (const name of PIPE_READERS) console.error(`  ${missing.get(name)}`);
    return 1;
  }
  console.log("1. Starting a throwaway PostgreSQL behind a stand-in for RDS");
  await using bed = await startBed({
    kind: "stand-in",
    region: TEST_REGION,
    users: TEST_USERS,
    database: TEST_DATABASE,
  });
  console.log(`   listening on ${bed.host}:${bed.port}, verifying IAM tokens`);
  const dir = await Deno.makeTempDir({ prefix: "iam-pgpass-demo-" });
  const pipe = `${dir}/pgpass`;
  const env = {
    PGHOST: bed.host,
    PGPORT: String(bed.port),
    PGUSER: USER,
    PGDATABASE: TEST_DATABASE,
  };
  console.log("\n2. Starting iam-pgpass (test AWS keys, region eu-central-1):");
  console.log(
    `   ${Object.entries(env).map(([k, v]) => `${k}=${v}`).join(" ")}`,
  );
  console.log(`   iam-pgpass ${pipe}`);
  const server = startIamPgpass([pipe], { ...TEST_AWS_ENV, ...env });
  let failures = 0;
  try {
    console.log(`   ${await server.waitForLog(/Serving IAM tokens/)}`);
    const line = (await Deno.readTextFile(pipe)).split("\n")[0]!;
    console.log(
      `\n3. What a client reads from the pipe (signature shortened):`,
    );
    console.log(
      `   ${line.replace(/(Signature=[0-9a-f]{8})[0-9a-f]+/, "$1...")}`,
    );
    console.log("\n4. Real clients with PGPASSFILE set to the pipe:");
    for (const name of clients) {
      const result = await runClient(name, {
        host: bed.host,
        port: bed.port,
        user: USER,
        database: TEST_DATABASE,
        sslmode: bed.sslmode,
        passfile: pipe,
      });
      const ok = loggedIn(name, result, USER);
      if (!ok) failures++;
      console.log(
        ok
          ? `   ${name}: select current_user -> ${result.stdout.trim()}`
          : `   ${name}: FAILED: ${result.stderr.trim()}`,
      );
    }
    const log = await bed.verifierLog();
    console.log("\n5. What the stand-in's token verifier saw:");
    for (const entry of log) console.log(`   ${entry}`);
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
  console.log(
    failures === 0 ? "\nDemo passed." : `\n${failures} client(s) failed.`,
  );
  return failures === 0 ? 0 : 1;
}

if (import.meta.main) Deno.exit(await demo());
