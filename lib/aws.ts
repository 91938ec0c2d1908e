/**
 * The AWS side of start-up: which profile and region apply, and where
 * credentials will come from. Credentials themselves come from the SDK's
 * default provider chain, which caches them and refreshes them before expiry.
 */
import denoConfig from "../deno.json" with { type: "json" };
import { fromNodeProviderChain } from "@aws-sdk/credential-providers";
import { explainFailure } from "./aws_errors.ts";
import { loadSharedConfigFiles } from "@smithy/shared-ini-file-loader";
import type { Credentials } from "./token.ts";
import { type ResolvedRegion, resolveRegion } from "./region.ts";
import type { Env } from "./settings.ts";

/** Returns credentials, from a cache while they are fresh. */
export type CredentialProvider = () => Promise<Credentials>;

/** The AWS profile in use: the flag, else `AWS_PROFILE`, else `default`. */
export function profileName(flag: string | undefined, env: Env): string {
  return flag ?? (env("AWS_PROFILE") || "default");
}

/** The `region` of a profile in the shared config files, if any. */
export async function profileRegion(
  profile: string,
): Promise<string | undefined> {
  const { configFile, credentialsFile } = await loadSharedConfigFiles({
    ignoreCache: true,
  });
  return configFile[profile]?.region ?? credentialsFile[profile]?.region;
}

/** Resolves the signing region for `host` from the flag and AWS settings. */
export async function signingRegion(
  host: string,
  flag: string | undefined,
  profile: string,
  env: Env,
): Promise<ResolvedRegion> {
  const needsProfile = !flag && !env("AWS_REGION") &&
    !env("AWS_DEFAULT_REGION");
  return resolveRegion(host, {
    flag,
    awsRegion: env("AWS_REGION"),
    awsDefaultRegion: env("AWS_DEFAULT_REGION"),
    profileRegion: needsProfile ? await profileRegion(profile) : undefined,
    profileName: profile,
  });
}

/** What {@link credentialProvider} reads besides the profile and region. */
export interface CredentialProviderOptions {
  /** Environment lookups, for naming the source in errors. */
  env?: Env;
  /** Milliseconds since the epoch; tests inject a clock. */
  now?: () => number;
}

/**
 * The SDK's default credential chain. An explicit profile is passed on so
 * the SDK does not fall back to environment keys for it; `region` is where
 * STS calls (role assumption, web identity) go. Failures are rethrown as a
 * {@link CredentialsError} that names the source and what to check.
 */
export function credentialProvider(
  profile: string | undefined,
  region: string,
  options: CredentialProviderOptions = {},
): CredentialProvider {
  const env = options.env ?? ((name: string) => Deno.env.get(name));
  const now = options.now ?? Date.now;
  const chain = fromNodeProviderChain({
    ...(profile ? { profile } : {}),
    // The SDK would warn on the console, outside our log; a failure that
    // matters reaches us as an error, and stale credentials are caught below.
    logger: SILENT,
    clientConfig: {
      region,
      // The SDK's own user agent reads the OS release, which would need
      // --allow-sys=osRelease just to call STS.
      defaultUserAgentProvider: () => Promise.resolve(USER_AGENT),
    },
  });
  return async () => {
    try {
      let credentials = await chain();
      // Instance metadata hands back expired credentials with a new expiry
      // ("static stability") when it fails; RDS would refuse their tokens.
      if (isStale(credentials, now())) {
        credentials = await chain({ forceRefresh: true });
      }
      if (isStale(credentials, now())) throw new StaleCredentialsError();
      return credentials;
    } catch (error) {
      throw new CredentialsError(
        await explainFailure(error, profile, env),
        { cause: error },
      );
    }
  };
}

/** Loading AWS credentials failed; the message says where and what to do. */
export class CredentialsError extends Error {
  override name = "CredentialsError";
}

type SdkCredentials = Credentials & { originalExpiration?: Date };

const SILENT = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};

const USER_AGENT: [string, string?][] = [
  ["iam-pgpass", denoConfig.version],
  ["lang/js"],
  ["md/deno", Deno.version.deno],
];

class StaleCredentialsError extends Error {
  override name = "StaleCredentialsError";
  constructor() {
    super("the instance metadata service did not renew expired credentials");
  }
}

function isStale(credentials: SdkCredentials, now: number): boolean {
  const original = credentials.originalExpiration?.getTime();
  return original !== undefined && original <= now;
}

/** A short description of the credential source the SDK will try first. */
export function describeCredentialSource(
  profileFlag: string | undefined,
  env: Env,
): string {
  if (profileFlag) return `profile "${profileFlag}" (--profile)`;
  if (env("AWS_PROFILE")) {
    return `profile "${env("AWS_PROFILE")}" (AWS_PROFILE)`;
  }
  if (env("AWS_ACCESS_KEY_ID")) return "environment (AWS_ACCESS_KEY_ID)";
  if (env("AWS_WEB_IDENTITY_TOKEN_FILE")) {
    return "web identity (AWS_WEB_IDENTITY_TOKEN_FILE)";
  }
  if (
    env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") ||
    env("AWS_CONTAINER_CREDENTIALS_FULL_URI")
  ) {
    return "container credentials";
  }
  return "default chain (shared files, SSO, instance metadata)";
}
