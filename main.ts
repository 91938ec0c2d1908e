/**
 * iam-pgpass: serves PostgreSQL password-file content holding fresh RDS IAM
 * tokens. This file wires the real process to `lib/cli.ts` and is the only
 * place that exits.
 */
import { run } from "./lib/cli.ts";
import { exitCodeFor } from "./lib/errors.ts";
import { FORWARDED_SIGNALS, type ForwardedSignal } from "./lib/exec.ts";
import { createLogger } from "./lib/log.ts";

async function main(): Promise<number> {
  const controller = new AbortController();
  const listeners = new Set<(signal: ForwardedSignal) => void>();
  for (const signal of FORWARDED_SIGNALS) {
    Deno.addSignalListener(signal, () => {
      controller.abort(signal);
      listeners.forEach((listener) => listener(signal));
    });
  }
  try {
    return await run({
      args: Deno.args,
      env: (name) => Deno.env.get(name),
      signal: controller.signal,
      onSignal: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      print: (text) => Deno.stdout.writeSync(new TextEncoder().encode(text)),
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    createLogger("error").error(message);
    return exitCodeFor(error);
  }
}

if (import.meta.main) Deno.exit(await main());
