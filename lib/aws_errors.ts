/**
 * Turns the SDK's credential errors into one line that names the source the
 * SDK used and what to check: its own "Could not load credentials from any
 * providers" says neither.
 */
import { loadSharedConfigFiles } from "@smithy/shared-ini-file-loader";
import type { Env } from "./settings.ts";

const NOTHING_FOUND = "Could not load credentials from any providers";

/**
 * Explains why loading credentials for `profileFlag` (the `--profile` value)
 * failed with `error`, following the order the SDK's default chain tries.
 */
export async function explainFailure(
  error: unknown,
  profileFlag: string | undefined,
  env: Env,
): Promise<string> {
  const reason = firstLine(error);
  const imds = env("AWS_EC2_METADATA_SERVICE_ENDPOINT") ??
    "http://169.254.169.254";
  if (error instanceof Error && error.name === "StaleCredentialsError") {
    return `Instance credentials expired and instance metadata at "${imds}" ` +
      "did not renew them: check that it answers";
  }
  const profile = profileFlag ?? (env("AWS_PROFILE") || undefined);
  const from = profileFlag ? "--profile" : "AWS_PROFILE";
  const files = await sharedFiles(env);
  if (profile) {
    const found = files.find((file) => file.profiles[profile]);
    if (!found) {
      return `Profile "${profile}" (${from}) is in neither ${
        files.map((f) => `"${f.path}"`).join(" nor ")
      }: check the name, AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE`;
    }
    return explainProfile(reason, profile, found, files);
  }
  if (env("AWS_ACCESS_KEY_ID")) {
    return `${reason}: check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`;
  }
  const preset = files.find((file) => file.profiles["default"]);
  if (preset) return explainProfile(reason, "default", preset, files);
  const webIdentity = env("AWS_WEB_IDENTITY_TOKEN_FILE");
  if (webIdentity) {
    return `Could not assume role "${env("AWS_ROLE_ARN")}" with web identity ` +
      `token file "${webIdentity}": ${reason}; check the file, the role's ` +
      "trust policy and that STS answers";
  }
  const container = env("AWS_CONTAINER_CREDENTIALS_FULL_URI") ??
    env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
  // After the last link fails the SDK reports only that none worked.
  const cause = reason === NOTHING_FOUND ? "" : `: ${reason}`;
  if (container) {
    return `Could not get container credentials from "${container}"${cause}` +
      "; check that it answers and the authorization token " +
      "(AWS_CONTAINER_AUTHORIZATION_TOKEN or _FILE)";
  }
  const advice = "Found no AWS credentials: set AWS_ACCESS_KEY_ID and " +
    "AWS_SECRET_ACCESS_KEY, or name a profile with --profile or AWS_PROFILE";
  const imdsOff = env("AWS_EC2_METADATA_DISABLED");
  if (imdsOff && imdsOff !== "false") return advice;
  return `${advice}; on EC2, check the instance's IAM role and that ` +
    `instance metadata at "${imds}" answers${cause}`;
}

interface SharedFile {
  path: string;
  profiles: Record<string, Record<string, string | undefined>>;
}

async function sharedFiles(env: Env): Promise<SharedFile[]> {
  const home = env("HOME") ?? "~";
  const { configFile, credentialsFile } = await loadSharedConfigFiles({
    ignoreCache: true,
  });
  return [
    {
      path: env("AWS_CONFIG_FILE") ?? `${home}/.aws/config`,
      profiles: configFile,
    },
    {
      path: env("AWS_SHARED_CREDENTIALS_FILE") ?? `${home}/.aws/credentials`,
      profiles: credentialsFile,
    },
  ];
}

function explainProfile(
  reason: string,
  profile: string,
  found: SharedFile,
  files: SharedFile[],
): string {
  const values = Object.assign(
    {},
    ...files.map((file) => file.profiles[profile] ?? {}),
  ) as Record<string, string | undefined>;
  const where = `profile "${profile}" in "${found.path}"`;
  if (values.role_arn) {
    return `Could not assume role "${values.role_arn}" for ${where}: ` +
      `${reason}; check its source_profile or credential_source, the ` +
      "role's trust policy and that STS answers";
  }
  if (values.credential_process) {
    return `The credential_process of ${where} failed: ${reason}`;
  }
  if (values.sso_session || values.sso_start_url) {
    return `Could not get SSO credentials for ${where}: ${reason}; run ` +
      `"aws sso login --profile ${profile}"`;
  }
  if (values.aws_access_key_id) return `${reason} (${where})`;
  return `The ${where} gives no credentials: it needs aws_access_key_id ` +
    "and aws_secret_access_key, credential_process, role_arn or sso_session";
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0]!.trim() || "unknown error";
}
