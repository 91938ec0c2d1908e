/**
 * A stand-in for AWS STS (Query API, XML answers): AssumeRole, which must be
 * SigV4-signed by the expected source key, and AssumeRoleWithWebIdentity,
 * whose token must be the current content of the token file.
 */
import {
  CredentialIssuer,
  type IssuedCredentials,
  serveStandIn,
  type StandInServer,
} from "./server.ts";
import { signatureProblem, type SigningKey } from "./sigv4.ts";

/** What the STS stand-in accepts. */
export interface StsOptions {
  /** The role every call must name. */
  roleArn: string;
  /** The key AssumeRole calls must be signed with. */
  sourceKey?: SigningKey;
  /** The file whose content AssumeRoleWithWebIdentity must carry. */
  webIdentityTokenFile?: string;
  /** How long issued credentials live. */
  lifeMs: number;
}

/** A running STS stand-in. */
export interface StsStandIn extends StandInServer {
  issuer: CredentialIssuer;
  /** Each call: its action and whether it was accepted, or why not. */
  calls: { action: string; problem?: string }[];
}

/** Starts the STS stand-in on a free port. */
export function startSts(options: StsOptions): StsStandIn {
  const issuer = new CredentialIssuer("STS", options.lifeMs);
  const calls: StsStandIn["calls"] = [];
  const server = serveStandIn(async (request) => {
    const body = await request.text();
    const params = new URLSearchParams(body);
    const action = params.get("Action") ?? "";
    const problem = await checkCall(request, body, params, options);
    calls.push(problem ? { action, problem } : { action });
    if (problem) return xmlError(403, "AccessDenied", problem);
    return assumed(action, issuer.issue(), options.roleArn, params);
  });
  return Object.assign(server, { issuer, calls });
}

async function checkCall(
  request: Request,
  body: string,
  params: URLSearchParams,
  options: StsOptions,
): Promise<string | undefined> {
  if (request.method !== "POST") return `method ${request.method}`;
  if (params.get("Version") !== "2011-06-15") return "wrong Version";
  if (params.get("RoleArn") !== options.roleArn) return "wrong RoleArn";
  if (!params.get("RoleSessionName")) return "no RoleSessionName";
  const action = params.get("Action");
  if (action === "AssumeRole") {
    if (!options.sourceKey) return "AssumeRole not expected";
    return signatureProblem(
      {
        method: request.method,
        url: new URL(request.url),
        headers: request.headers,
        body,
      },
      options.sourceKey,
      "sts",
    );
  }
  if (action === "AssumeRoleWithWebIdentity") {
    if (!options.webIdentityTokenFile) return "web identity not expected";
    const expected = await Deno.readTextFile(options.webIdentityTokenFile);
    if (params.get("WebIdentityToken") !== expected) {
      return "WebIdentityToken differs from the token file";
    }
    return undefined;
  }
  return `unknown action "${action}"`;
}

function assumed(
  action: string,
  credentials: IssuedCredentials,
  roleArn: string,
  params: URLSearchParams,
): Response {
  const session = params.get("RoleSessionName")!;
  const role = roleArn.split("/").pop();
  const account = roleArn.split(":")[4];
  const extra = action === "AssumeRoleWithWebIdentity"
    ? "<SubjectFromWebIdentityToken>test-subject</SubjectFromWebIdentityToken>" +
      "<Audience>sts.amazonaws.com</Audience><Provider>stand-in</Provider>"
    : "";
  return xml(
    200,
    `<${action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <${action}Result>
    ${extra}
    <AssumedRoleUser>
      <AssumedRoleId>AROASTANDIN:${escape(session)}</AssumedRoleId>
      <Arn>arn:aws:sts::${account}:assumed-role/${role}/${escape(session)}</Arn>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>${credentials.accessKeyId}</AccessKeyId>
      <SecretAccessKey>${escape(credentials.secretAccessKey)}</SecretAccessKey>
      <SessionToken>${credentials.sessionToken}</SessionToken>
      <Expiration>${credentials.expiration.toISOString()}</Expiration>
    </Credentials>
  </${action}Result>
  <ResponseMetadata><RequestId>stand-in</RequestId></ResponseMetadata>
</${action}Response>
`,
  );
}

function xmlError(status: number, code: string, message: string): Response {
  return xml(
    status,
    `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>Sender</Type><Code>${code}</Code><Message>${
      escape(message)
    }</Message></Error>
  <RequestId>stand-in</RequestId>
</ErrorResponse>
`,
  );
}

function xml(status: number, body: string): Response {
  return new Response(body, {
    status,
    headers: { "content-type": "text/xml" },
  });
}

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(
    />/g,
    "&gt;",
  );
}
