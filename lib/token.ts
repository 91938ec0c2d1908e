/**
 * RDS IAM authentication tokens: a SigV4-presigned `connect` request for the
 * `rds-db` service, without its scheme.
 */
import { formatUrl } from "@aws-sdk/core/util";
import { Sha256 } from "@smithy/core/checksum";
import { HttpRequest } from "@smithy/core/protocols";
import { SignatureV4 } from "@smithy/signature-v4";

/** AWS credentials as the SDK's providers return them. */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
  expiration?: Date | undefined;
}

/** What a token is signed for, and by whom and when. */
export interface TokenRequest {
  /** The RDS endpoint the token is valid for. */
  hostname: string;
  port: number;
  /** The database user; RDS compares it with the login user. */
  username: string;
  region: string;
  credentials: Credentials;
  /** The signing time; RDS accepts the token from then for 900 seconds. */
  signingDate: Date;
}

/** The longest life RDS gives a token, in seconds. */
export const TOKEN_LIFETIME_SECONDS = 900;

/**
 * Signs an RDS IAM token exactly as `@aws-sdk/rds-signer` does (same request,
 * same query order), but at the given signing time instead of the clock's.
 */
export async function signToken(request: TokenRequest): Promise<string> {
  const { hostname, port, username, region, credentials } = request;
  const signer = new SignatureV4({
    service: "rds-db",
    region,
    credentials,
    sha256: Sha256,
  });
  const presigned = await signer.presign(
    new HttpRequest({
      method: "GET",
      protocol: "https:",
      hostname,
      port,
      query: { Action: "connect", DBUser: username },
      // RDS checks the signature over "host:port", port included.
      headers: { host: `${hostname}:${port}` },
    }),
    { expiresIn: TOKEN_LIFETIME_SECONDS, signingDate: request.signingDate },
  );
  return formatUrl(presigned).replace("https://", "");
}
