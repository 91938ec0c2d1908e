/**
 * Renders the password-file content for one endpoint: a line with a fresh
 * token, reused for repeated reads while it is young, or a comment saying why
 * no token could be signed.
 */
import type { Logger } from "./log.ts";
import { formatComment, formatLine } from "./pgpass.ts";
import type { Endpoint } from "./settings.ts";
import { signToken } from "./token.ts";
import type { CredentialProvider } from "./aws.ts";

/** Everything needed to sign for one endpoint. */
export interface LineSourceOptions {
  endpoint: Endpoint;
  region: string;
  credentials: CredentialProvider;
  log: Logger;
  /** The clock; tests inject one. */
  now?: () => Date;
  /** How long a signed line is served again before a new token is signed. */
  reuseMs?: number;
}

/** Returns the current content, signing a new token when the last is old. */
export type LineSource = () => Promise<string>;

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
  const where = `${endpoint.host}:${endpoint.port} user "${endpoint.user}"`;
  let cached: { line: string; signedAt: number } | null = null;
  let lastFailure: string | null = null;

  return async () => {
    const signingDate = now();
    if (cached && signingDate.getTime() - cached.signedAt < reuseMs) {
      return cached.line;
    }
    try {
      const token = await signToken({
        hostname: endpoint.host,
        port: endpoint.port,
        username: endpoint.user,
        region,
        credentials: await credentials(),
        signingDate,
      });
      cached = {
        line: formatLine(endpoint, token),
        signedAt: signingDate.getTime(),
      };
      if (lastFailure !== null) log.info(`Signing works again for ${where}`);
      lastFailure = null;
      log.debug("Signed a new token", { endpoint: where, region });
      return cached.line;
    } catch (error) {
      const reason = describeFailure(error);
      if (reason !== lastFailure) {
        log.error(`Could not sign a token for ${where}: ${reason}`);
        lastFailure = reason;
      }
      cached = null;
      return formatComment(`iam-pgpass: no token for ${where}: ${reason}`);
    }
  };
}

/** The first line of an SDK error, without anything that looks secret. */
function describeFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split("\n")[0]!.trim().slice(0, 300);
  return firstLine.replace(/(?:[A-Za-z0-9+/]{40,})/g, "[redacted]") ||
    "unknown error";
}
