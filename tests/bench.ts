/**
 * `deno task bench`: speed and memory, printed as a table. Not a test: the
 * numbers depend on the machine and are for comparing changes.
 */
import { signToken } from "../lib/token.ts";
import { startIamPgpass, TEST_AWS_ENV } from "./fixtures.ts";
import { TEST_CREDENTIALS } from "./bed/fixtures.ts";

interface Row {
  what: string;
  count: number;
  perSecond: number;
  medianUs: number;
  p99Us: number;
  rssMb?: number;
}

function summarize(what: string, times: number[], totalMs: number): Row {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return {
    what,
    count: times.length,
    perSecond: Math.round(times.length / (totalMs / 1000)),
    medianUs: Math.round(at(0.5) * 1000),
    p99Us: Math.round(at(0.99) * 1000),
  };
}

async function timeLoop(count: number, body: () => Promise<unknown>) {
  const times: number[] = [];
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await body();
    times.push(performance.now() - t0);
  }
  return { times, totalMs: performance.now() - started };
}

async function rssMb(pid: number): Promise<number> {
  // Deno gates /proc behind all permissions; ps reads it for us.
  const { stdout } = await new Deno.Command("ps", {
    args: ["-o", "rss=", "-p", String(pid)],
  }).output();
  return Math.round(Number(new TextDecoder().decode(stdout).trim()) / 1024);
}

async function benchServer(mode: "pipe" | "file", count: number): Promise<Row> {
  const dir = await Deno.makeTempDir({ prefix: "iam-pgpass-bench-" });
  const path = `${dir}/pgpass`;
  const args = mode === "file" ? ["--file", path] : [path];
  const started = performance.now();
  const server = startIamPgpass(["--quiet", ...args], TEST_AWS_ENV);
  try {
    await waitForPath(path);
    const startupMs = performance.now() - started;
    const { times, totalMs } = await timeLoop(
      count,
      () => Deno.readTextFile(path),
    );
    const row = summarize(`${mode}: open, read, close`, times, totalMs);
    row.rssMb = await rssMb(server.child.pid);
    console.error(`${mode} mode ready ${Math.round(startupMs)} ms after start`);
    return row;
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

async function waitForPath(path: string) {
  for (let i = 0; i < 400; i++) {
    try {
      await Deno.lstat(path);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  throw new Error(`"${path}" did not appear`);
}

async function benchSigning(count: number): Promise<Row> {
  const { times, totalMs } = await timeLoop(count, () =>
    signToken({
      hostname: "mydb.abc123.eu-central-1.rds.amazonaws.com",
      port: 5432,
      username: "iam_alice",
      region: "eu-central-1",
      credentials: TEST_CREDENTIALS,
      signingDate: new Date(),
    }));
  return summarize("sign one token (in process)", times, totalMs);
}

const rows = [
  await benchSigning(5_000),
  await benchServer("pipe", 20_000),
  await benchServer("file", 20_000),
];
const header = [
  "what",
  "count",
  "per second",
  "median µs",
  "p99 µs",
  "server RSS MB",
];
const lines = rows.map((r) => [
  r.what,
  String(r.count),
  String(r.perSecond),
  String(r.medianUs),
  String(r.p99Us),
  r.rssMb === undefined ? "-" : String(r.rssMb),
]);
console.log(`| ${header.join(" | ")} |`);
console.log(`| ${header.map(() => "---").join(" | ")} |`);
for (const line of lines) console.log(`| ${line.join(" | ")} |`);
