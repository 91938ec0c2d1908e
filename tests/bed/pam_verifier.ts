/**
 * The verifier as `pam_exec.so expose_authtok` runs it, as the PostgreSQL
 * server's OS user: the password arrives on standard input, the login user
 * in `PAM_USER`, and the expectations in the JSON file named by the first
 * argument. Exits 0 to accept and 1 to reject, and appends one line per
 * attempt to the log file the JSON names, so tests can tell why a login
 * failed. The log never holds the token, only its length.
 */
import { appendFileSync, readFileSync } from "node:fs";
import { type Expectation, type Verdict, verifyToken } from "./verifier.ts";

/** The JSON file `pam_verifier.ts` reads: expectations and a log path. */
export interface PamVerifierConfig extends Expectation {
  log: string;
}

/**
 * The longest password `pam_exec.so` passes on (PAM_MAX_RESP_SIZE less its
 * NUL), measured with Linux-PAM 1.5.2: longer ones arrive cut to this.
 */
export const PAM_EXEC_MAX_PASSWORD_BYTES = 511;

/** Removes what pam_exec and shells add after the password: NUL, newline. */
export function stripPassword(raw: Uint8Array): string {
  let end = raw.length;
  while (end > 0 && (raw[end - 1] === 0 || raw[end - 1] === 10)) end--;
  return new TextDecoder().decode(raw.subarray(0, end));
}

/** One log line for one login attempt; it never holds the token. */
export function attemptLine(
  user: string,
  password: string,
  verdict: Verdict,
): string {
  const outcome = verdict.ok ? "ok" : `rejected: ${verdict.reason}`;
  const bytes = new TextEncoder().encode(password).length;
  return `${new Date().toISOString()} user=${JSON.stringify(user)} ` +
    `length=${bytes} ${outcome}`;
}

async function readAll(stream: ReadableStream<Uint8Array>) {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function main(args: string[]): Promise<number> {
  const config: PamVerifierConfig = JSON.parse(readFileSync(args[0], "utf8"));
  const user = Deno.env.get("PAM_USER") ?? "";
  const raw = await readAll(Deno.stdin.readable);
  const password = stripPassword(raw);
  const verdict = verifyToken(password, user, config, new Date());
  const cut = new TextEncoder().encode(password).length >=
    PAM_EXEC_MAX_PASSWORD_BYTES;
  const note = !verdict.ok && cut ? " (pam_exec may have cut it)" : "";
  appendFileSync(
    config.log,
    attemptLine(user, password, verdict) + note + "\n",
  );
  return verdict.ok ? 0 : 1;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    console.error(`pam_verifier: ${error}`);
    Deno.exit(1);
  }
}
