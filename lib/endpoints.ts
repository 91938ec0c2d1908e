/**
 * Entries: what a client dials (the password-file match fields) and what its
 * token is signed for (the RDS endpoint, region and AWS profile). They come
 * from flags and `PG*` variables (`settings.ts`) or a config file
 * (`config.ts`); `endpoints_sources.ts` turns them into line sources.
 */
import { UsageError } from "./errors.ts";
import { regionFromHost } from "./region.ts";

/** The match fields of one password-file line; `null` is the `*` wildcard. */
export interface EntryMatch {
  host: string | null;
  port: number | null;
  database: string | null;
  /** Always one user: RDS checks the token's user against the login. */
  user: string;
}

/** One line iam-pgpass serves. */
export interface Entry {
  /** Where the entry came from, after "from": `PGHOST`, `entry 2 of ...`. */
  label: string;
  match: EntryMatch;
  /** The endpoint the token is signed for. */
  signFor: { host: string; port: number };
  /** Whether `signFor` was given apart from the match fields. */
  separate: boolean;
  region?: string | undefined;
  /** Names where `region` came from, for messages. */
  regionSource?: string | undefined;
  profile?: string | undefined;
  /** Names where `profile` came from, for messages. */
  profileSource?: string | undefined;
}

/** A signing endpoint as written: a host name and maybe a port. */
export interface EndpointValue {
  host: string;
  port?: number | undefined;
}

const HOST_NAME = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_.])?$/;

/**
 * Parses `host` or `host:port`, the endpoint a token is signed for. `source`
 * names the flag or key in the message.
 */
export function parseEndpoint(value: string, source: string): EndpointValue {
  const match = /^([^:]*)(?::(\d{1,5}))?$/.exec(value);
  const host = match?.[1] ?? "";
  const port = match?.[2] === undefined ? undefined : Number(match[2]);
  if (!match || !HOST_NAME.test(host)) {
    throw new UsageError(
      `Invalid endpoint "${value}" from ${source}: expected a host name, ` +
        `optionally with ":port", like "mydb.abc123.eu-west-1.rds.amazonaws.com:5432"`,
    );
  }
  if (port !== undefined && !(port >= 1 && port <= 65535)) {
    throw new UsageError(
      `Invalid port in endpoint "${value}" from ${source}: expected a whole number from 1 to 65535`,
    );
  }
  return { host, port };
}

/**
 * A warning when the token is signed for a host that is not an RDS endpoint
 * name and nothing else was given: RDS refuses a token signed for a custom
 * DNS name, an IP address or a tunnel's `localhost`.
 */
export function signingHostWarning(entry: Entry, hint: string): string | null {
  const { host, port } = entry.signFor;
  if (entry.separate || regionFromHost(host) !== null) return null;
  return `Host "${host}" from ${entry.label} is not an RDS endpoint name ` +
    `(<name>.<id>.<region>.rds.amazonaws.com): tokens are signed for ` +
    `"${host}:${port}", which RDS refuses; for a tunnel, an IP address or ` +
    `your own DNS name, ${hint}`;
}
