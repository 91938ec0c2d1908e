/** Helpers for tests that log in to the bed with psql and signed tokens. */
import { signToken } from "../../lib/token.ts";
import { TEST_CREDENTIALS } from "./fixtures.ts";
import type { Bed } from "./types.ts";

/** The outcome of one psql run. */
export interface PsqlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `select current_user` with psql, the token in `PGPASSWORD`. */
export async function psqlLogin(
  bed: Bed,
  user: string,
  database: string,
  password: string,
  sslmode: string = bed.sslmode,
): Promise<PsqlResult> {
  const conninfo = `host=${bed.host} port=${bed.port} user=${user} ` +
    `dbname=${database} sslmode=${sslmode} connect_timeout=20`;
  const output = await new Deno.Command("/usr/bin/psql", {
    args: [conninfo, "-X", "-w", "-A", "-t", "-c", "select current_user"],
    // No PGPASSFILE, PGSSLMODE or other PG* leaks in from the environment.
    clearEnv: true,
    env: { PGPASSWORD: password, PATH: "/usr/bin:/bin" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout).trim(),
    stderr: decoder.decode(output.stderr).trim(),
  };
}

/** What to change in a token signed for the bed, to make a bad one. */
export interface TokenChanges {
  hostname?: string;
  port?: number;
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  /** Seconds to add to the signing time (negative: in the past). */
  offsetSeconds?: number;
}

/** Signs a token for `user` on the bed's endpoint with the test key. */
export function tokenFor(
  bed: Bed,
  user: string,
  region: string,
  changes: TokenChanges = {},
): Promise<string> {
  return signToken({
    hostname: changes.hostname ?? bed.endpoint.hostname,
    port: changes.port ?? bed.endpoint.port,
    username: user,
    region: changes.region ?? region,
    credentials: {
      accessKeyId: changes.accessKeyId ?? TEST_CREDENTIALS.accessKeyId,
      secretAccessKey: changes.secretAccessKey ??
        TEST_CREDENTIALS.secretAccessKey,
      sessionToken: changes.sessionToken,
    },
    signingDate: new Date(Date.now() + (changes.offsetSeconds ?? 0) * 1000),
  });
}

/** The last line of the bed's verifier log, or "" when it is empty. */
export async function lastAttempt(bed: Bed): Promise<string> {
  return (await bed.verifierLog()).at(-1) ?? "";
}
