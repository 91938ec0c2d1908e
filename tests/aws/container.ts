/**
 * A stand-in for the container credentials endpoint that
 * `AWS_CONTAINER_CREDENTIALS_FULL_URI` points at (ECS, EKS Pod Identity),
 * requiring `Authorization: <token>` when given one.
 */
import {
  CredentialIssuer,
  json,
  serveStandIn,
  type StandInServer,
} from "./server.ts";

/** The path the stand-in serves credentials on. */
export const CONTAINER_PATH = "/v2/credentials/stand-in";

/** A running container-credentials stand-in. */
export interface ContainerStandIn extends StandInServer {
  issuer: CredentialIssuer;
  /** The full URI to put in `AWS_CONTAINER_CREDENTIALS_FULL_URI`. */
  fullUri: string;
  /** Requests refused for a missing or wrong authorization token. */
  refused: number;
}

/** Starts the stand-in, issuing credentials that live `lifeMs`. */
export function startContainer(
  lifeMs: number,
  authorization?: string,
): ContainerStandIn {
  const issuer = new CredentialIssuer("ECS", lifeMs);
  const server: StandInServer = serveStandIn((request) => {
    if (new URL(request.url).pathname !== CONTAINER_PATH) {
      return json({ Code: "NotFound", Message: "no such path" }, 404);
    }
    if (
      authorization !== undefined &&
      request.headers.get("authorization") !== authorization
    ) {
      standIn.refused++;
      return json({ Code: "AccessDenied", Message: "bad token" }, 401);
    }
    const credentials = issuer.issue();
    return json({
      AccessKeyId: credentials.accessKeyId,
      SecretAccessKey: credentials.secretAccessKey,
      Token: credentials.sessionToken,
      Expiration: credentials.expiration.toISOString(),
      RoleArn: "arn:aws:iam::123456789012:role/stand-in",
    });
  });
  const standIn = Object.assign(server, {
    issuer,
    fullUri: server.url + CONTAINER_PATH,
    refused: 0,
  });
  return standIn;
}
