/**
 * SigV4 primitives written from the specification with `node:crypto` only,
 * shared by the token verifier and the STS stand-in so neither grades the
 * SDK's signer with the SDK's own code.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/** The canonical query string: names and values encoded, sorted by name. */
export function canonicalQuery(params: Iterable<[string, string]>): string {
  return [...params]
    .map(([name, value]) => [rfc3986(name), rfc3986(value)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join("&");
}

function rfc3986(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** The hex signature of `stringToSign` with the key derived for the scope. */
export function sign(
  secret: string,
  scope: { day: string; region: string; service: string },
  stringToSign: string,
): string {
  let key = hmac(Buffer.from(`AWS4${secret}`), scope.day);
  for (const part of [scope.region, scope.service, "aws4_request"]) {
    key = hmac(key, part);
  }
  return hmac(key, stringToSign).toString("hex");
}

/** Compares two hex signatures in constant time. */
export function sameSignature(wanted: string, given: string): boolean {
  const a = Buffer.from(wanted);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** SHA-256 of a UTF-8 string, in hex. */
export function sha256Hex(data: string): string {
  return createHash("sha256").update(data, "utf8").digest("hex");
}

function hmac(key: Buffer, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}
