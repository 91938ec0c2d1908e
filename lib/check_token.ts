/**
 * Reading an RDS IAM token without its secret: what it was signed for
 * (host, port, user, region, access key id) and when it was signed and
 * expires, and whether RDS would take it for a connection now. The
 * signature itself cannot be checked without the secret key.
 */
import { type Finding, finding, seconds } from "./check_findings.ts";
import type { CheckSettings } from "./check_settings.ts";
import { regionFromHost } from "./region.ts";

/** What a token says about itself. */
export interface TokenFacts {
  host: string;
  port: number;
  /** `DBUser`: RDS compares it with the login user. */
  user: string;
  /** The region and access key id of the credential scope. */
  region: string;
  accessKeyId: string;
  /** Milliseconds since the epoch. */
  signedAt: number;
  /** `X-Amz-Date` + `X-Amz-Expires`; the credentials may end it sooner. */
  expiresAt: number;
  /** Whether the query carries `X-Amz-Security-Token` (temporary keys). */
  temporary: boolean;
}

const REQUIRED = [
  "Action",
  "DBUser",
  "X-Amz-Credential",
  "X-Amz-Date",
  "X-Amz-Expires",
  "X-Amz-Signature",
];

/**
 * Reads `token`, or returns why it is not a whole RDS IAM token. The
 * reason never quotes the token.
 */
export function readToken(token: string): TokenFacts | { error: string } {
  const split = token.indexOf("/?");
  if (split < 0) return { error: "it has no /? query part" };
  const authority = /^([^:/?\\\s]+):(\d{1,5})$/.exec(token.slice(0, split));
  if (!authority) return { error: "it does not start with host:port" };
  const params = new Map<string, string>();
  for (const pair of token.slice(split + 2).split("&")) {
    const eq = pair.indexOf("=");
    if (eq <= 0) return { error: "a query parameter has no name" };
    try {
      params.set(
        decodeURIComponent(pair.slice(0, eq)),
        decodeURIComponent(pair.slice(eq + 1)),
      );
    } catch {
      return { error: "a query parameter is badly escaped" };
    }
  }
  const missing = REQUIRED.find((name) => !params.has(name));
  if (missing) return { error: `it has no ${missing}` };
  if (params.get("Action") !== "connect") {
    return { error: "its Action is not connect" };
  }
  const signedAt = parseAmzDate(params.get("X-Amz-Date")!);
  if (signedAt === null) return { error: "its X-Amz-Date is malformed" };
  const expires = Number(params.get("X-Amz-Expires"));
  if (!Number.isInteger(expires) || expires < 1) {
    return { error: "its X-Amz-Expires is malformed" };
  }
  const scope = params.get("X-Amz-Credential")!.split("/");
  if (scope.length !== 5 || scope[3] !== "rds-db") {
    return { error: "its credential scope is not for rds-db" };
  }
  return {
    host: authority[1]!,
    port: Number(authority[2]),
    user: params.get("DBUser")!,
    region: scope[2]!,
    accessKeyId: scope[0]!,
    signedAt,
    expiresAt: signedAt + expires * 1000,
    temporary: params.has("X-Amz-Security-Token"),
  };
}

/** Whether `text` looks like the start of a token cut at its first `:`. */
export function looksCut(text: string, rest: string): boolean {
  return !text.includes("/?") && rest.includes("/?Action=");
}

/**
 * What the token says and whether RDS would take it from this client now.
 * Returns whether it is valid apart from how each client reads it.
 */
export function tokenFindings(
  settings: CheckSettings,
  token: TokenFacts,
  now: number,
): { valid: boolean; findings: Finding[] } {
  const out: Finding[] = [];
  let valid = true;
  const age = seconds(now - token.signedAt);
  const left = seconds(token.expiresAt - now);
  if (left <= 0) {
    valid = false;
    out.push(finding(
      "error",
      "token-expired",
      `Token expired ${-left} s ago (signed ${age} s ago)`,
    ));
  } else {
    out.push(finding(
      "ok",
      "token-fresh",
      `Token signed ${age} s ago, valid ${left} s more (until ${
        new Date(token.expiresAt).toISOString().replace(".000Z", "Z")
      })`,
    ));
  }
  if (age < -300) {
    out.push(finding(
      "warn",
      "token-future",
      `Token signed ${-age} s in the future: is a clock wrong?`,
    ));
  }
  out.push(finding(
    "info",
    "token-signed-for",
    `Signed for ${token.host}:${token.port} user "${token.user}" in ` +
      `${token.region} with access key ${token.accessKeyId}`,
  ));
  if (token.user !== settings.user) {
    valid = false;
    out.push(finding(
      "error",
      "token-user",
      `Token is for user "${token.user}" but the client logs in as ` +
        `"${settings.user}": RDS refuses it`,
    ));
  }
  const hostRegion = regionFromHost(token.host);
  if (hostRegion && hostRegion !== token.region) {
    valid = false;
    out.push(finding(
      "error",
      "token-region",
      `Token is signed for region ${token.region} but ${token.host} is in ` +
        `${hostRegion}: RDS refuses it`,
    ));
  }
  if (
    token.host.toLowerCase() !== settings.host.toLowerCase() ||
    token.port !== settings.port
  ) {
    out.push(finding(
      "warn",
      "token-endpoint",
      `The client dials ${settings.host}:${settings.port} but the token is ` +
        `signed for ${token.host}:${token.port}: fine through a tunnel to ` +
        `it, refused anywhere else`,
    ));
  }
  return { valid, findings: out };
}

function parseAmzDate(date: string): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(date);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return Date.UTC(y, mo - 1, d, h, mi, s);
}
