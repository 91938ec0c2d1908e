/**
 * An independent check of RDS IAM tokens, written from the SigV4
 * specification with `node:crypto` only, so that the signer in `lib/` is
 * never graded by its own code.
 */
import { canonicalQuery, sameSignature, sha256Hex, sign } from "./sigv4.ts";

/** The endpoint, region and key that a token must have been signed for. */
export interface Expectation {
  hostname: string;
  port: number;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** The verdict on one token; `reason` is short and never holds the token. */
export type Verdict = { ok: true } | { ok: false; reason: string };

/** The longest life RDS grants a token, in seconds. */
export const MAX_EXPIRES_SECONDS = 900;

/** How far a token's signing time may lie ahead of the verifier's clock. */
export const ALLOWED_SKEW_SECONDS = 5;

const SERVICE = "rds-db";
const ALGORITHM = "AWS4-HMAC-SHA256";
// Presigned URLs sign no body; the AWS signers use the empty-body hash.
const EMPTY_PAYLOAD_HASH = sha256Hex("");

/**
 * Verifies `token` as RDS would for a login as `loginUser` at time `now`:
 * signature from the known key, credential scope, `Action=connect`, age
 * within `X-Amz-Expires`, `DBUser` and the signed host and port.
 */
export function verifyToken(
  token: string,
  loginUser: string,
  expect: Expectation,
  now: Date,
): Verdict {
  const parsed = parseToken(token);
  if (typeof parsed === "string") return fail(parsed);
  const { host, port, params } = parsed;

  const check = checkFields(params, loginUser, expect, now);
  if (check) return fail(check);
  if (host !== expect.hostname.toLowerCase()) return fail("wrong host");
  if (port !== String(expect.port)) return fail("wrong port");

  const date = params.get("X-Amz-Date")!;
  const scope = `${date.slice(0, 8)}/${expect.region}/${SERVICE}/aws4_request`;
  const canonicalRequest = [
    "GET",
    "/",
    canonicalQuery([...params].filter(([name]) => name !== "X-Amz-Signature")),
    `host:${host}:${port}`,
    "",
    "host",
    EMPTY_PAYLOAD_HASH,
  ].join("\n");
  const stringToSign = [ALGORITHM, date, scope, sha256Hex(canonicalRequest)]
    .join("\n");
  const wanted = sign(expect.secretAccessKey, {
    day: date.slice(0, 8),
    region: expect.region,
    service: SERVICE,
  }, stringToSign);
  if (!sameSignature(wanted, params.get("X-Amz-Signature") ?? "")) {
    return fail("bad signature");
  }
  return { ok: true };
}

type Parsed = { host: string; port: string; params: Map<string, string> };

function parseToken(token: string): Parsed | string {
  const split = token.indexOf("/?");
  if (split < 0) return "malformed: no query";
  const authority = token.slice(0, split);
  const colon = authority.lastIndexOf(":");
  if (colon <= 0) return "malformed: no port";
  const params = new Map<string, string>();
  for (const pair of token.slice(split + 2).split("&")) {
    const eq = pair.indexOf("=");
    if (eq <= 0) return "malformed: bad parameter";
    let name: string, value: string;
    try {
      name = decodeURIComponent(pair.slice(0, eq));
      value = decodeURIComponent(pair.slice(eq + 1));
    } catch {
      return "malformed: bad escape";
    }
    if (params.has(name)) return "malformed: repeated parameter";
    params.set(name, value);
  }
  return {
    host: authority.slice(0, colon).toLowerCase(),
    port: authority.slice(colon + 1),
    params,
  };
}

function checkFields(
  params: Map<string, string>,
  loginUser: string,
  expect: Expectation,
  now: Date,
): string | undefined {
  const required = [
    "Action",
    "DBUser",
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-Expires",
    "X-Amz-SignedHeaders",
    "X-Amz-Signature",
  ];
  const missing = required.find((name) => !params.has(name));
  if (missing) return `malformed: no ${missing}`;
  if (params.get("Action") !== "connect") return "action is not connect";
  if (params.get("X-Amz-Algorithm") !== ALGORITHM) return "wrong algorithm";
  if (params.get("X-Amz-SignedHeaders") !== "host") {
    return "wrong signed headers";
  }

  const date = params.get("X-Amz-Date")!;
  const signedAt = parseAmzDate(date);
  if (signedAt === undefined) return "malformed: bad X-Amz-Date";
  const [akid, day, region, service, terminal, ...rest] = params
    .get("X-Amz-Credential")!.split("/");
  if (rest.length > 0 || terminal !== "aws4_request") {
    return "malformed: bad credential scope";
  }
  if (akid !== expect.accessKeyId) return "unknown access key id";
  if (day !== date.slice(0, 8)) return "scope date differs from X-Amz-Date";
  if (region !== expect.region) return "wrong region";
  if (service !== SERVICE) return "wrong service";
  if (params.get("DBUser") !== loginUser) return "wrong user";

  const expires = Number(params.get("X-Amz-Expires"));
  if (!Number.isInteger(expires) || expires < 1) {
    return "malformed: bad X-Amz-Expires";
  }
  if (expires > MAX_EXPIRES_SECONDS) return "X-Amz-Expires over 900";
  const age = (now.getTime() - signedAt) / 1000;
  if (age < -ALLOWED_SKEW_SECONDS) return "signed in the future";
  if (age > expires) return "expired";
  return undefined;
}

function parseAmzDate(date: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(date);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
  return Date.UTC(y, mo - 1, d, h, mi, s);
}

function fail(reason: string): Verdict {
  return { ok: false, reason };
}
