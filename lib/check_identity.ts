/**
 * The AWS identity `check` reports: the access key id of the credentials
 * the SDK's default chain returns here, never the secret. No AWS call is
 * made: STS is not asked who the key belongs to.
 */
import { credentialProvider, describeCredentialSource } from "./aws.ts";
import type { CheckSettings } from "./check_settings.ts";
import type { Finding } from "./check_findings.ts";
import type { TokenFacts } from "./check_token.ts";
import type { Env } from "./settings_values.ts";
import type { Credentials } from "./token.ts";

/** How long the credential chain may take (instance metadata is slow). */
const TIMEOUT_MS = 10_000;

/** The identity, or why there is none, and the findings about it. */
export interface IdentityResult {
  identity: { accessKeyId: string; source: string } | { error: string };
  findings: Finding[];
}

/**
 * Asks the credential chain (or `runtime.credentials`) for credentials and
 * compares their key with the one that signed `token`.
 */
export async function identityFindings(
  settings: CheckSettings,
  runtime: { env: Env; credentials?: () => Promise<Credentials> },
  token: TokenFacts | undefined,
): Promise<IdentityResult> {
  const source = describeCredentialSource(settings.profile, runtime.env);
  // The region only matters for STS calls the chain may make (roles).
  const region = token?.region ?? runtime.env("AWS_REGION") ??
    runtime.env("AWS_DEFAULT_REGION") ?? "us-east-1";
  const provider = runtime.credentials ??
    credentialProvider(settings.profile, region);
  let accessKeyId: string;
  try {
    accessKeyId = (await withTimeout(provider())).accessKeyId;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const reason = message.split("\n")[0]!.slice(0, 200);
    return {
      identity: { error: reason },
      findings: [{
        level: "warn",
        code: "identity-none",
        message: `No AWS credentials here (tried ${source}): ${reason}`,
      }],
    };
  }
  const findings: Finding[] = [{
    level: "info",
    code: "identity",
    message: `AWS credentials here: access key ${accessKeyId}, from ${source}`,
  }];
  if (token && token.accessKeyId !== accessKeyId) {
    findings.push({
      level: "info",
      code: "identity-differs",
      message: `The token was signed with access key ${token.accessKeyId}, ` +
        `not this one: its server uses other credentials`,
    });
  }
  return { identity: { accessKeyId, source }, findings };
}

async function withTimeout<T>(promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer in ${TIMEOUT_MS / 1000} s`)),
          TIMEOUT_MS,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
