/**
 * Which AWS region a token is signed for: an explicit flag, else the region in
 * an RDS host name, else the AWS configuration (`AWS_REGION`,
 * `AWS_DEFAULT_REGION`, the profile's `region`).
 */
import { AwsConfigError, UsageError } from "./errors.ts";

const RDS_HOST =
  /\.([a-z]{2}(?:-[a-z]+)+-\d+)\.rds\.amazonaws\.com(?:\.cn)?\.?$/i;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;

/**
 * The region in an RDS endpoint name such as
 * `mydb.abc123.eu-west-1.rds.amazonaws.com`, or `null` for other names.
 */
export function regionFromHost(host: string): string | null {
  return RDS_HOST.exec(host)?.[1]?.toLowerCase() ?? null;
}

/** Throws a `UsageError` unless `region` looks like `us-east-1`. */
export function checkRegionName(region: string, source: string): string {
  if (!REGION.test(region)) {
    throw new UsageError(
      `Invalid region "${region}" from ${source}: expected a name like "us-east-1"`,
    );
  }
  return region;
}

/** Where the configured (non-host) region came from, in resolution order. */
export interface RegionSources {
  flag?: string | undefined;
  /** Names where `flag` came from; default `--region`. */
  flagSource?: string | undefined;
  awsRegion?: string | undefined;
  awsDefaultRegion?: string | undefined;
  profileRegion?: string | undefined;
  profileName: string;
}

/** The region to sign with, where it came from, and any warning. */
export interface ResolvedRegion {
  region: string;
  source: string;
  warning?: string;
}

/**
 * Resolves the signing region. A `--region` flag wins; otherwise the region
 * in an RDS host name wins over the AWS configuration, with a warning when
 * they disagree (a token signed for the wrong region is always refused).
 */
export function resolveRegion(
  host: string,
  sources: RegionSources,
): ResolvedRegion {
  const fromHost = regionFromHost(host);
  const configured = configuredRegion(sources);
  if (sources.flag) {
    const source = sources.flagSource ?? "--region";
    const region = checkRegionName(sources.flag, source);
    const warning = fromHost && fromHost !== region
      ? `${source} "${region}" differs from "${fromHost}" in host name "${host}"; signing for "${region}" as asked`
      : undefined;
    return { region, source, ...(warning ? { warning } : {}) };
  }
  if (fromHost) {
    const warning = configured && configured.region !== fromHost
      ? `${configured.source} says "${configured.region}" but host name "${host}" is in "${fromHost}"; signing for "${fromHost}"`
      : undefined;
    return {
      region: fromHost,
      source: "host name",
      ...(warning ? { warning } : {}),
    };
  }
  if (configured) {
    checkRegionName(configured.region, configured.source);
    return configured;
  }
  throw new AwsConfigError(
    `No AWS region for host "${host}": set --region, AWS_REGION or ` +
      `AWS_DEFAULT_REGION, add "region" to profile "${sources.profileName}", ` +
      `or use an RDS endpoint name (<name>.<id>.<region>.rds.amazonaws.com)`,
  );
}

function configuredRegion(
  sources: RegionSources,
): { region: string; source: string } | null {
  if (sources.awsRegion) {
    return { region: sources.awsRegion, source: "AWS_REGION" };
  }
  if (sources.awsDefaultRegion) {
    return { region: sources.awsDefaultRegion, source: "AWS_DEFAULT_REGION" };
  }
  if (sources.profileRegion) {
    return {
      region: sources.profileRegion,
      source: `profile "${sources.profileName}"`,
    };
  }
  return null;
}
