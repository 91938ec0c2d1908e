/**
 * A stand-in for the EC2 instance metadata service, IMDSv2 only: a session
 * token from `PUT /latest/api/token`, then the role name and its credentials,
 * each GET refused (401) without that token.
 */
import {
  CredentialIssuer,
  json,
  serveStandIn,
  type StandInServer,
} from "./server.ts";

const CREDENTIALS_PATH = "/latest/meta-data/iam/security-credentials/";

/** A running IMDS stand-in. */
export interface ImdsStandIn extends StandInServer {
  issuer: CredentialIssuer;
  /** GETs refused for want of a valid session token. */
  refused: number;
}

/** Starts the IMDS stand-in for `role`, issuing credentials of `lifeMs`. */
export function startImds(role: string, lifeMs: number): ImdsStandIn {
  const issuer = new CredentialIssuer("IMDS", lifeMs);
  const tokens = new Set<string>();
  const server: StandInServer = serveStandIn((request) => {
    const { pathname } = new URL(request.url);
    if (pathname === "/latest/api/token") {
      const ttl = Number(
        request.headers.get("x-aws-ec2-metadata-token-ttl-seconds"),
      );
      if (request.method !== "PUT") return new Response(null, { status: 405 });
      if (!(ttl >= 1 && ttl <= 21600)) {
        return new Response(null, { status: 400 });
      }
      const token = `imds-session-${tokens.size + 1}`;
      tokens.add(token);
      return new Response(token);
    }
    if (request.method !== "GET") return new Response(null, { status: 405 });
    if (!tokens.has(request.headers.get("x-aws-ec2-metadata-token") ?? "")) {
      standIn.refused++;
      return new Response(null, { status: 401 });
    }
    if (pathname === CREDENTIALS_PATH) return new Response(role);
    if (pathname !== CREDENTIALS_PATH + role) {
      return new Response(null, { status: 404 });
    }
    const credentials = issuer.issue();
    return json({
      Code: "Success",
      LastUpdated: new Date().toISOString(),
      Type: "AWS-HMAC",
      AccessKeyId: credentials.accessKeyId,
      SecretAccessKey: credentials.secretAccessKey,
      Token: credentials.sessionToken,
      Expiration: credentials.expiration.toISOString(),
    });
  });
  const standIn = Object.assign(server, {
    issuer,
    refused: 0,
  });
  return standIn;
}
