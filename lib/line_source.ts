/**
 * Renders the password-file content for one entry: a line with a fresh
 * token, reused for repeated reads while it is young, or a comment saying why
 * no token could be signed. The pipe server and the file writer share it.
 */
import type { EntryMatch } from "./endpoints.ts";
import type { Logger } from "./log.ts";
import { formatComment, formatLine } from "./pgpass.ts";
import { signToken, TOKEN_LIFETIME_SECONDS } from "./token.ts";
import type { CredentialProvider } from "./aws.ts";
import type { Credentials } from "./token.ts";

/** Everything needed to sign for one entry. */
export interface LineSourceOptions {
  /** What the line matches: what the client dials and its user. */
  endpoint: EntryMatch;
  /** What the token is signed for; default the match's host and port. */
  signFor?: { host: string; port: number } | undefined;
  region: string;
  credentials: CredentialProvider;
  log: Logger;
  /** The clock; tests inject one. */
  now?: () => Date;
  /** How long a signed line is served again before a new token is signed. */
  reuseMs?: number;
  /** Escape `\` and `:` in the token (default); asyncpg needs it raw. */
  escapePassword?: boolean;
}

/** A line with a token, and how long RDS will accept that token. */
export interface SignedContent {
  ok: true;
  text: string;
  /** Milliseconds since the epoch, as everywhere in this interface. */
  signedAt: number;
  /** The earlier of signing time + 900 s and the credentials' expiry. */
  expiresAt: number;
  /** Which credentials signed it: access key id and expiry, never secret. */
  credentialsId: string;
}

/** The content of one endpoint, with the token alone. */
export interface SignedLine extends SignedContent {
  token: string;
}

/** A comment line saying why no token could be signed. */
export interface FailedContent {
  ok: false;
  text: string;
  reason: string;
}

/** What a password file holds: lines with tokens, or why there are none. */
export type Content = SignedContent | FailedContent;

/** What a line source renders. */
export type LineContent = SignedLine | FailedContent;

/** Signed lines for one endpoint. */
export interface LineSource {
  /** The current content: the cached line while young, else a new one. */
  read(): Promise<LineContent>;
  /** Signs a new line now, whatever the cache holds. */
  sign(): Promise<LineContent>;
  /** The identity of the credentials the provider gives now, or `null`. */
  credentialsId(): Promise<string | null>;
}

/** A token is reused for at most a minute: RDS accepts it for fifteen. */
export const DEFAULT_REUSE_MS = 60_000;

/**
 * Creates a line source. A signing failure is logged once (again only when
 * its cause changes) and the reader gets a comment line instead of a token.
 */
export function createLineSource(options: LineSourceOptions): LineSource {
  const { endpoint, region, credentials, log } = options;
  const now = options.now ?? (() => new Date());
  const reuseMs = options.reuseMs ?? DEFAULT_REUSE_MS;
  const signFor = options.signFor ?? signingTarget(endpoint);
  const dialed = `${endpoint.host ?? "*"}:${endpoint.port ?? "*"}`;
  const signed = `${signFor.host}:${signFor.port}`;
  const where = `${dialed} user "${endpoint.user}"` +
    (dialed === signed ? "" : ` (signed for ${signed})`);
  let cached: SignedLine | null = null;
  let lastFailure: string | null = null;

  const sign = async (): Promise<LineContent> => {
    const signingDate = now();
    try {
      const creds = await credentials();
      const token = await signToken({
        hostname: signFor.host,
        port: signFor.port,
        username: endpoint.user,
        region,
        credentials: creds,
        signingDate,
      });
      const signedAt = signingDate.getTime();
      cached = {
        ok: true,
        token,
        text: formatLine(endpoint, token, {
          escapePassword: options.escapePassword,
        }),
        signedAt,
        expiresAt: tokenExpiry(signedAt, creds),
        credentialsId: identify(creds),
      };
      if (lastFailure !== null) log.info(`Signing works again for ${where}`);
      lastFailure = null;
      log.debug("Signed a new token", { endpoint: where, region });
      return cached;
    } catch (error) {
      const reason = describeFailure(error);
      if (reason !== lastFailure) {
        log.error(`Could not sign a token for ${where}: ${reason}`);
        lastFailure = reason;
      }
      cached = null;
      const text = formatComment(
        `iam-pgpass: no token for ${where}: ${reason}`,
      );
      return { ok: false, text, reason };
    }
  };

  return {
    sign,
    read: async () => {
      if (cached && now().getTime() - cached.signedAt < reuseMs) return cached;
      return await sign();
    },
    credentialsId: async () => {
      try {
        return identify(await credentials());
      } catch {
        // The next signing attempt reports the failure.
        return null;
      }
    },
  };
}

/** The match's own host and port, when neither is a wildcard. */
function signingTarget(match: EntryMatch): { host: string; port: number } {
  if (match.host === null || match.port === null) {
    throw new TypeError(
      "Cannot sign for a wildcard host or port: pass signFor",
    );
  }
  return { host: match.host, port: match.port };
}

/**
 * When RDS stops accepting a token signed at `signedAt`: after 900 seconds,
 * or when the credentials that signed it expire, whichever comes first.
 */
export function tokenExpiry(signedAt: number, credentials: Credentials) {
  const byLifetime = signedAt + TOKEN_LIFETIME_SECONDS * 1000;
  const byCredentials = credentials.expiration?.getTime() ?? Infinity;
  return Math.min(byLifetime, byCredentials);
}

function identify(credentials: Credentials): string {
  const expiry = credentials.expiration?.toISOString() ?? "never";
  return `${credentials.accessKeyId}/${expiry}`;
}

/** The first line of an SDK error, without anything that looks secret. */
function describeFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split("\n")[0]!.trim().slice(0, 300);
  return firstLine.replace(/(?:[A-Za-z0-9+/]{40,})/g, "[redacted]") ||
    "unknown error";
}
