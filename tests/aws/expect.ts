/**
 * Checks a token against the stand-in credentials that signed it: the
 * session token in the token names them, and the bed's verifier checks the
 * signature with their secret key.
 */
import { TEST_REGION } from "../bed/fixtures.ts";
import { verifyToken } from "../bed/verifier.ts";
import type { IssuedCredentials } from "./server.ts";

/** Where every credentials test signs for. */
export const ENDPOINT = {
  hostname: "appdb.c1example0000.eu-central-1.rds.amazonaws.com",
  port: 5432,
};

/** The login user every credentials test signs for. */
export const USER = "app";

/** The settings iam-pgpass needs besides credentials. */
export const PG_ENV = {
  PGHOST: ENDPOINT.hostname,
  PGPORT: String(ENDPOINT.port),
  PGUSER: USER,
  AWS_REGION: TEST_REGION,
};

/** The session token a token was signed with, if any. */
export function sessionTokenOf(token: string): string | null {
  return new URLSearchParams(token.split("?")[1]).get("X-Amz-Security-Token");
}

/** The moment a token was signed, from its `X-Amz-Date`. */
export function signedAtOf(token: string): number {
  const date = new URLSearchParams(token.split("?")[1]).get("X-Amz-Date")!;
  return Date.parse(
    date.replace(
      /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/,
      "$1-$2-$3T$4:$5:$6Z",
    ),
  );
}

/**
 * Verifies `token` against the key of `credentials` at `now`, including the
 * session token; throws with the verifier's reason if it fails.
 */
export function assertSignedBy(
  token: string,
  credentials: Omit<IssuedCredentials, "expiration"> | {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
  },
  now = new Date(),
): void {
  const verdict = verifyToken(token, USER, {
    ...ENDPOINT,
    region: TEST_REGION,
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
  }, now);
  if (!verdict.ok) throw new Error(`Token rejected: ${verdict.reason}`);
  const session = sessionTokenOf(token);
  if (session !== (credentials.sessionToken ?? null)) {
    throw new Error(
      `Token carries session token ${session}, expected ${credentials.sessionToken}`,
    );
  }
}
