/**
 * Runs a bed until Ctrl-C, for demos and manual tries:
 * `deno run <flags> tests/bed/serve.ts [--stand-in]`. Prints where to
 * connect and what to sign tokens for.
 */
import { startBed, TEST_DATABASE, TEST_REGION, TEST_USERS } from "./mod.ts";

async function main(args: string[]): Promise<void> {
  const bed = await startBed({
    kind: args.includes("--stand-in") ? "stand-in" : undefined,
    region: TEST_REGION,
    users: TEST_USERS,
    database: TEST_DATABASE,
  });
  try {
    console.log(
      `${bed.kind} ready: host=${bed.host} port=${bed.port} ` +
        `dbname=${TEST_DATABASE} sslmode=${bed.sslmode} ` +
        `users=${TEST_USERS.join(",")}; sign for ` +
        `${bed.endpoint.hostname}:${bed.endpoint.port} in ${TEST_REGION}`,
    );
    const stopped = new AbortController();
    const stop = () => stopped.abort();
    Deno.addSignalListener("SIGINT", stop);
    Deno.addSignalListener("SIGTERM", stop);
    await new Promise((resolve) =>
      stopped.signal.addEventListener("abort", resolve)
    );
    Deno.removeSignalListener("SIGINT", stop);
    Deno.removeSignalListener("SIGTERM", stop);
  } finally {
    await bed.stop();
  }
}

if (import.meta.main) await main(Deno.args);
