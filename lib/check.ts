/**
 * `iam-pgpass check`: what a client with the current `PG*` settings gets
 * from its password file, and why it would fail. Prints a report for people,
 * or with `--json` one object for scripts, and returns the exit code.
 */
import { CLIENTS, passwordFor, refusal } from "./check_clients.ts";
import { inspectPassfile, type PassfileFacts } from "./check_file.ts";
import {
  clientFindings,
  fileFindings,
  type Finding,
  lookupFindings,
  octal,
  tlsFindings,
} from "./check_findings.ts";
import { identityFindings } from "./check_identity.ts";
import { renderReport } from "./check_report.ts";
import type { CheckSettings } from "./check_settings.ts";
import {
  looksCut,
  readToken,
  type TokenFacts,
  tokenFindings,
} from "./check_token.ts";
import { EXIT } from "./errors.ts";
import { type Lookup, lookup, type MatchedLine } from "./pgpass_parse.ts";
import type { Env } from "./settings_values.ts";
import type { Credentials } from "./token.ts";

/** What `check` needs from the outside world; tests inject the clock. */
export interface CheckRuntime {
  env: Env;
  print: (text: string) => void;
  now?: () => number;
  /** The SDK's credential chain; `check_identity.ts` builds the real one. */
  credentials?: () => Promise<Credentials>;
}

/** The whole verdict; `--json` prints it as it is. */
export interface CheckReport {
  ok: boolean;
  connection: {
    host: string;
    port: number;
    database: string;
    user: string;
    sslmode: string;
  };
  passfile: {
    path: string;
    kind: PassfileFacts["kind"];
    mode: string | null;
    uid: number | null;
  };
  match: { line: number; fields: string } | null;
  token: (TokenFacts & { signedAtIso: string; expiresAtIso: string }) | null;
  clients: { id: string; name: string; ok: boolean; reason: string | null }[];
  identity: { accessKeyId: string; source: string } | { error: string };
  findings: Finding[];
}

/** Runs the check and prints the report; returns 0 or `EXIT.check`. */
export async function runCheck(
  settings: CheckSettings,
  runtime: CheckRuntime,
): Promise<number> {
  const now = (runtime.now ?? Date.now)();
  const facts = await inspectPassfile(
    settings.passfile,
    settings.pipeTimeoutMs,
  );
  const findings = fileFindings(settings, facts);
  const found: Lookup | null = facts.content === null
    ? null
    : lookup(facts.content, connectionOf(settings));
  if (found) findings.push(...lookupFindings(settings, found));
  const match = found?.match ?? null;
  for (const note of serverNotes(facts.content)) findings.push(note);

  const passwords = match ? clientPasswords(match) : [];
  const read = passwords.map(({ password }) =>
    password === null ? null : readToken(password)
  );
  const token = read.find((r): r is TokenFacts =>
    r !== null && !("error" in r)
  );
  let tokenValid = false;
  if (match && match.password !== "" && looksCut(match.password, match.rest)) {
    findings.push({
      level: "warn",
      code: "token-cut",
      message: `Line ${match.line} holds an unescaped token: libpq and ` +
        `pgjdbc read it cut at its first ":", the Go drivers skip the line`,
    });
  }
  if (match && !token) {
    const reason = read.find((r) => r !== null && "error" in r);
    findings.push({
      level: "error",
      code: "not-a-token",
      message: `The password on line ${match.line} is not an IAM token` +
        (reason && "error" in reason ? `: ${reason.error}` : ""),
    });
  }
  if (token) {
    const judged = tokenFindings(settings, token, now);
    tokenValid = judged.valid;
    findings.push(...judged.findings);
  }

  const verdicts = facts.kind === "file" || facts.kind === "pipe"
    ? CLIENTS.map((client, i) => ({
      client,
      reason: refusal(client, facts.kind as "file" | "pipe", facts.mode!) ??
        (match
          ? passwordProblem(client.password, match, read[i]!, tokenValid)
          : null),
    }))
    : [];
  if (match) findings.push(...clientFindings(verdicts));
  findings.push(...tlsFindings(settings));
  const identity = await identityFindings(settings, runtime, token);
  findings.push(...identity.findings);

  const ok = match !== null && verdicts.some((v) => v.reason === null);
  const report: CheckReport = {
    ok,
    connection: {
      host: settings.host,
      port: settings.port,
      database: settings.database,
      user: settings.user,
      sslmode: settings.sslmode,
    },
    passfile: {
      path: settings.passfile,
      kind: facts.kind,
      mode: facts.mode === null ? null : octal(facts.mode),
      uid: facts.uid,
    },
    match: match ? { line: match.line, fields: match.fields } : null,
    token: token
      ? {
        ...token,
        signedAtIso: new Date(token.signedAt).toISOString(),
        expiresAtIso: new Date(token.expiresAt).toISOString(),
      }
      : null,
    clients: verdicts.map(({ client, reason }) => ({
      id: client.id,
      name: client.name,
      ok: reason === null,
      reason,
    })),
    identity: identity.identity,
    findings,
  };
  runtime.print(
    settings.json
      ? `${JSON.stringify(report, null, 2)}\n`
      : renderReport(settings, report),
  );
  return ok ? EXIT.ok : EXIT.check;
}

/** The comments a failing iam-pgpass server writes instead of a token. */
function serverNotes(content: string | null): Finding[] {
  const notes = (content ?? "").split("\n")
    .filter((line) => line.startsWith("# iam-pgpass: no token"));
  return notes.map((line) => ({
    level: "error",
    code: "server-failed",
    message: `The server wrote no token: ${line.slice(14)}`,
  }));
}

function connectionOf(settings: CheckSettings) {
  return {
    host: settings.host,
    port: String(settings.port),
    database: settings.database,
    user: settings.user,
  };
}

function clientPasswords(match: MatchedLine) {
  return CLIENTS.map((client) => ({
    client,
    password: passwordFor(client, match),
  }));
}

/** Why a client that reads the file still gets no valid token, or `null`. */
function passwordProblem(
  rule: string,
  match: MatchedLine,
  read: TokenFacts | { error: string } | null,
  tokenValid: boolean,
): string | null {
  if (read === null) return "skips the line: its token is not escaped";
  if ("error" in read) {
    if (rule === "raw" && match.rest.includes("\\")) {
      return "keeps the backslashes of an escaped token " +
        "(serve it with --no-escape-password)";
    }
    return rule === "libpq"
      ? 'reads the password cut at its first unescaped ":"'
      : "reads a password that is not an IAM token";
  }
  return tokenValid ? null : "the token is refused (see above)";
}
