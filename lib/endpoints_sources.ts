/**
 * Turns entries into line sources: resolves each entry's region, shares one
 * credential provider per (profile, region), and collects the warnings and
 * the start-up summary of each entry.
 */
import {
  type CredentialProvider,
  credentialProvider,
  describeCredentialSource,
  profileName,
  profileRegion,
} from "./aws.ts";
import { type Entry, signingHostWarning } from "./endpoints.ts";
import { createLineSource, type LineSource } from "./line_source.ts";
import type { Logger } from "./log.ts";
import { type ResolvedRegion, resolveRegion } from "./region.ts";
import type { Env } from "./settings_values.ts";

/** Returns the provider for a profile (`undefined`: the SDK's chain). */
export type Providers = (
  profile: string | undefined,
  region: string,
) => CredentialProvider;

/**
 * Caches one provider per (profile, region), so entries of one account
 * share credentials and a reload keeps them.
 */
export function cachedProviders(
  make: Providers = credentialProvider,
): Providers {
  const cache = new Map<string, CredentialProvider>();
  return (profile, region) => {
    const key = JSON.stringify([profile ?? null, region]);
    let provider = cache.get(key);
    if (provider === undefined) {
      provider = make(profile, region);
      cache.set(key, provider);
    }
    return provider;
  };
}

/** What {@link prepareEntries} needs. */
export interface PrepareOptions {
  env: Env;
  providers: Providers;
  /** Receives each line source's own lines (signing failures). */
  sourceLog: Logger;
  escapePassword?: boolean | undefined;
  /** Ends the warning about a host that is not an RDS endpoint name. */
  endpointHint: string;
}

/** Line sources for entries, in order, and what to tell the user. */
export interface PreparedEntries {
  sources: LineSource[];
  /** The start-up summary's fields, one record per entry. */
  summaries: Record<string, string>[];
  /** Where the region settings disagree. */
  warnings: string[];
  /** Hosts that tokens are signed for but are not RDS endpoint names. */
  hostWarnings: string[];
}

/**
 * Resolves every entry's region and builds its line source. Throws, before
 * building anything, when an entry has no region or a malformed one.
 */
export async function prepareEntries(
  entries: Entry[],
  options: PrepareOptions,
): Promise<PreparedEntries> {
  const { env } = options;
  const regions: ResolvedRegion[] = [];
  for (const entry of entries) {
    const profile = profileName(entry.profile, env);
    const needsProfile = !entry.region && !env("AWS_REGION") &&
      !env("AWS_DEFAULT_REGION");
    regions.push(resolveRegion(entry.signFor.host, {
      flag: entry.region,
      flagSource: entry.regionSource,
      awsRegion: env("AWS_REGION"),
      awsDefaultRegion: env("AWS_DEFAULT_REGION"),
      profileRegion: needsProfile ? await profileRegion(profile) : undefined,
      profileName: profile,
    }));
  }
  const warnings = regions.flatMap((region) =>
    region.warning ? [region.warning] : []
  );
  const hostWarnings = entries.flatMap((entry) => {
    const warning = signingHostWarning(entry, options.endpointHint);
    return warning ? [warning] : [];
  });
  const sources = entries.map((entry, index) =>
    createLineSource({
      endpoint: entry.match,
      signFor: entry.signFor,
      region: regions[index]!.region,
      credentials: options.providers(entry.profile, regions[index]!.region),
      log: options.sourceLog,
      escapePassword: options.escapePassword,
    })
  );
  const summaries = entries.map((entry, index) => {
    const { match, signFor } = entry;
    const region = regions[index]!;
    return {
      endpoint: `${match.host ?? "*"}:${match.port ?? "*"}`,
      ...(entry.separate
        ? { signed_for: `${signFor.host}:${signFor.port}` }
        : {}),
      database: match.database ?? "*",
      user: match.user,
      region: `${region.region} (${region.source})`,
      credentials: entry.profile
        ? `profile "${entry.profile}" (${entry.profileSource})`
        : describeCredentialSource(undefined, env),
    };
  });
  return { sources, summaries, warnings, hostWarnings };
}

/**
 * The content of every source, in order: each one's line, or its comment
 * when it cannot sign, so one failing entry leaves the others served.
 */
export async function readAll(sources: LineSource[]): Promise<string> {
  const contents = await Promise.all(sources.map((source) => source.read()));
  return contents.map((content) => content.text).join("");
}
