/**
 * Helpers for the client matrix: the ways iam-pgpass serves a password file,
 * what a client run is taken to show, running a client under `exec`, and the
 * markdown table the README quotes.
 */
import type { ClientName, ClientResult } from "./clients/mod.ts";
import { loggedIn } from "./clients/mod.ts";
import { baseEnv, ROOT, userPermissionFlags } from "./fixtures.ts";

/** The ways of serving the file, in the matrix's column order. */
export const MODES = [
  "file",
  "file-raw",
  "exec",
  "exec-raw",
  "pipe",
] as const;

/** One of {@linkcode MODES}. */
export type Mode = typeof MODES[number];

/** The column headers: what the user types. */
export const MODE_TITLES: Record<Mode, string> = {
  "file": "`--file`",
  "file-raw": "`--file --no-escape-password`",
  "exec": "`exec`",
  "exec-raw": "`exec --no-escape-password`",
  "pipe": "pipe",
};

/** What one client run showed. */
export type Outcome =
  | "logs in"
  | "refuses the pipe"
  | "token rejected"
  | "no password"
  | "not tested"
  | `other: ${string}`;

/** A row of the matrix, one outcome per mode in {@linkcode MODES} order. */
export type Row = readonly [Outcome, Outcome, Outcome, Outcome, Outcome];

/**
 * Names what a run shows. A refused pipe is told by the client's own
 * warning; a rejected token by PostgreSQL's PAM failure, which only the
 * bed's verifier causes; "no password" when the client found no usable
 * line and sent none (or an empty one).
 */
export function outcomeOf(
  name: ClientName,
  result: ClientResult,
  user: string,
): Outcome {
  if (loggedIn(name, result, user)) return "logs in";
  const { stderr } = result;
  // libpq quotes the path; asyncpg prints PosixPath('...').
  if (/password file .* is not a plain file/.test(stderr)) {
    return "refuses the pipe";
  }
  if (stderr.includes(`PAM authentication failed for user "${user}"`)) {
    return "token rejected";
  }
  if (NO_PASSWORD.test(stderr)) return "no password";
  const last = stderr.trim().split("\n").at(-1) ?? "";
  return `other: exit ${result.code}: ${last.slice(0, 120)}`;
}

/** What each client says when it has no password to send. */
const NO_PASSWORD = new RegExp(
  [
    "no password supplied",
    "password must be a string",
    "no password was provided",
    "password is required",
    // The server's answer to an empty password (lib/pq, pgx send one).
    "empty password returned by client",
  ].join("|"),
);

/**
 * Formats the matrix as the markdown table the README quotes; a cell not
 * measured (its step failed before it) reads "not run".
 */
export function markdownTable(
  rows: Map<ClientName, readonly Outcome[]>,
): string {
  const lines = [
    `| client | ${MODES.map((mode) => MODE_TITLES[mode]).join(" | ")} |`,
    `| --- |${" --- |".repeat(MODES.length)}`,
  ];
  for (const [name, row] of rows) {
    const cells = MODES.map((_, column) => row[column] ?? "not run");
    lines.push(`| ${name} | ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}

/** How {@linkcode runExec} runs a client under `iam-pgpass exec`. */
export interface ExecRun {
  /** Options between `exec` and `--`. */
  flags: string[];
  /** The client's command line. */
  argv: string[];
  /** Environment for iam-pgpass; the command inherits all of it. */
  env: Record<string, string>;
  timeoutMs?: number;
}

/**
 * Runs `iam-pgpass exec [flags] -- <argv>` as users start it and returns
 * the output of both; the client's output passes through iam-pgpass. On a
 * timeout iam-pgpass gets SIGTERM, which it passes on, and the code is 124.
 */
export async function runExec(run: ExecRun): Promise<ClientResult> {
  const timeoutMs = run.timeoutMs ?? 30_000;
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...userPermissionFlags(),
      `${ROOT}main.ts`,
      "exec",
      ...run.flags,
      "--",
      ...run.argv,
    ],
    env: { ...baseEnv(), ...run.env },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGTERM");
  }, timeoutMs);
  try {
    const output = await child.output();
    const decoder = new TextDecoder();
    const stderr = decoder.decode(output.stderr);
    return {
      code: timedOut ? 124 : output.code,
      stdout: decoder.decode(output.stdout),
      stderr: timedOut ? `${stderr}timed out after ${timeoutMs} ms\n` : stderr,
    };
  } finally {
    clearTimeout(timer);
  }
}
