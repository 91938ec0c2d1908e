/**
 * Checks that an HTTP request carries a SigV4 `Authorization` header made
 * with a known key, written from the specification with `node:crypto` only,
 * so the SDK's signer is not graded by its own code.
 */
import {
  canonicalQuery,
  sameSignature,
  sha256Hex,
  sign,
} from "../bed/sigv4.ts";

/** The key a request must be signed with. */
export interface SigningKey {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

/** A request as the stand-in received it, body already read. */
export interface ReceivedRequest {
  method: string;
  url: URL;
  headers: Headers;
  body: string;
}

const ALGORITHM = "AWS4-HMAC-SHA256";
const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

/**
 * Returns why `request` is not signed by `key` for `service`, or `undefined`
 * when it is.
 */
export function signatureProblem(
  request: ReceivedRequest,
  key: SigningKey,
  service: string,
): string | undefined {
  const match = AUTHORIZATION.exec(request.headers.get("authorization") ?? "");
  if (!match) return "no SigV4 Authorization header";
  const [, akid, day, region, signedService, signedList, signature] = match;
  if (akid !== key.accessKeyId) return `signed by "${akid}"`;
  if (signedService !== service) return `signed for "${signedService}"`;
  const date = request.headers.get("x-amz-date") ?? "";
  if (!date.startsWith(day!)) return "X-Amz-Date differs from the scope";
  const signed = signedList!.split(";");
  if (!signed.includes("host") || !signed.includes("x-amz-date")) {
    return "host or x-amz-date not signed";
  }
  if (key.sessionToken !== undefined) {
    if (request.headers.get("x-amz-security-token") !== key.sessionToken) {
      return "wrong or missing X-Amz-Security-Token";
    }
    if (!signed.includes("x-amz-security-token")) {
      return "X-Amz-Security-Token not signed";
    }
  }

  const canonicalRequest = [
    request.method,
    request.url.pathname || "/",
    canonicalQuery(request.url.searchParams),
    ...signed.map((name) => `${name}:${canonicalValue(request, name)}`),
    "",
    signedList,
    request.headers.get("x-amz-content-sha256") ?? sha256Hex(request.body),
  ].join("\n");
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = [ALGORITHM, date, scope, sha256Hex(canonicalRequest)]
    .join("\n");
  const wanted = sign(key.secretAccessKey, {
    day: day!,
    region: region!,
    service,
  }, stringToSign);
  return sameSignature(wanted, signature!) ? undefined : "bad signature";
}

function canonicalValue(request: ReceivedRequest, name: string): string {
  return (request.headers.get(name) ?? "").trim().replace(/\s+/g, " ");
}
