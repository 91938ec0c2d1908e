/**
 * The judgements of `iam-pgpass check`, one function per concern: the file,
 * the line lookup, the token and each client. Each returns findings; none
 * quotes a password.
 */
import type { Client } from "./check_clients.ts";
import type { PassfileFacts } from "./check_file.ts";
import type { CheckSettings } from "./check_settings.ts";
import type { Lookup, MissedLine } from "./pgpass_parse.ts";

/** How serious a finding is. */
export type Level = "ok" | "info" | "warn" | "error";

/** One line of the report; `code` is stable for scripts. */
export interface Finding {
  level: Level;
  code: string;
  message: string;
}

/** Builds a finding. */
export const finding = (
  level: Level,
  code: string,
  message: string,
): Finding => ({
  level,
  code,
  message,
});

/** Findings about the file itself: kind, mode, owner, readability. */
export function fileFindings(
  settings: CheckSettings,
  facts: PassfileFacts,
): Finding[] {
  const name = `${
    settings.passfileSource === "the default"
      ? "Password file"
      : settings.passfileSource
  } "${settings.passfile}"`;
  if (facts.kind === "missing") {
    return [finding("error", "file-missing", `${name} does not exist`)];
  }
  if (facts.kind === "other") {
    return [finding(
      "error",
      "file-kind",
      `${name} is neither a regular file nor a named pipe`,
    )];
  }
  const mode = octal(facts.mode!);
  const out = [finding(
    "ok",
    facts.kind === "pipe" ? "file-pipe" : "file-regular",
    `${name}: ${
      facts.kind === "pipe" ? "a named pipe" : "a regular file"
    }, mode ${mode}`,
  )];
  if ((facts.mode! & 0o077) !== 0) {
    out.push(finding(
      "warn",
      "file-mode",
      `Mode ${mode} lets group or others in: libpq, asyncpg, ` +
        `node-postgres and Go lib/pq ignore the file; chmod 600 it`,
    ));
  }
  if (!facts.ownedByYou) {
    out.push(finding(
      "warn",
      "file-owner",
      `The file belongs to uid ${facts.uid}, not to you (uid ${Deno.uid()})`,
    ));
  }
  if (facts.kind === "pipe") {
    out.push(finding(
      "info",
      "pipe-read",
      "Reading the pipe took one line from its server, as a client would",
    ));
  }
  if (facts.content === null) {
    out.push(finding(
      "error",
      "file-unreadable",
      `Cannot read the file: ${facts.readError ?? "unknown error"}`,
    ));
  }
  return out;
}

/** Which line matches, or why each line does not. */
export function lookupFindings(
  settings: CheckSettings,
  lookup: Lookup,
): Finding[] {
  const out = lookup.misses.slice(0, 5).map((miss) =>
    finding("info", `miss-${miss.field}`, describeMiss(settings, miss))
  );
  if (lookup.misses.length > 5) {
    out.push(finding(
      "info",
      "miss-more",
      `${lookup.misses.length - 5} more lines do not match`,
    ));
  }
  if (lookup.match === null) {
    out.push(finding(
      "error",
      "no-match",
      `No line matches ${settings.host}:${settings.port} database ` +
        `"${settings.database}" user "${settings.user}"`,
    ));
  } else {
    out.push(finding(
      "ok",
      "match",
      `Line ${lookup.match.line} matches: ${lookup.match.fields}`,
    ));
  }
  return out;
}

function describeMiss(settings: CheckSettings, miss: MissedLine): string {
  const wanted = String(settings[miss.field]);
  const at = `Line ${miss.line}`;
  if (miss.found === null) return `${at} ends before its ${miss.field} field`;
  if (miss.found.toLowerCase() === wanted.toLowerCase()) {
    return `${at}: ${miss.field} "${miss.found}" differs from "${wanted}" ` +
      `only in case, and libpq compares exactly`;
  }
  return `${at}: ${miss.field} "${miss.found}" is not "${wanted}"`;
}

/** Findings on the transport: RDS refuses IAM logins without TLS. */
export function tlsFindings(settings: CheckSettings): Finding[] {
  if (!["disable", "allow", "prefer"].includes(settings.sslmode)) {
    return [finding("ok", "tls", `sslmode ${settings.sslmode} requires TLS`)];
  }
  const from = settings.sslmodeSource === "the default"
    ? "PGSSLMODE unset, libpq's default"
    : `from ${settings.sslmodeSource}`;
  return [finding(
    "warn",
    "tls-off",
    `sslmode ${settings.sslmode} (${from}) can send the token without ` +
      `TLS, and RDS refuses IAM logins without TLS: use require or verify-full`,
  )];
}

/** Groups the clients that do not get a valid token by their reason. */
export function clientFindings(
  verdicts: { client: Client; reason: string | null }[],
): Finding[] {
  const getting = verdicts.filter((v) => v.reason === null);
  const level: Level = getting.length > 0 ? "warn" : "error";
  const out: Finding[] = [];
  if (getting.length > 0) {
    out.push(finding(
      "ok",
      "clients",
      `Gets a valid token: ${getting.map((v) => v.client.name).join(", ")}`,
    ));
  }
  const byReason = new Map<string, string[]>();
  for (const { client, reason } of verdicts) {
    if (reason !== null) {
      byReason.set(reason, [...(byReason.get(reason) ?? []), client.name]);
    }
  }
  for (const [reason, names] of byReason) {
    out.push(
      finding(level, "clients-refused", `${names.join(", ")}: ${reason}`),
    );
  }
  return out;
}

/** Permission bits as `0600`. */
export function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, "0")}`;
}

/** Milliseconds as whole seconds. */
export function seconds(ms: number): number {
  return Math.round(ms / 1000);
}
