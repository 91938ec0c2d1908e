/**
 * Settings of `iam-pgpass check`: the connection a client would make, with
 * libpq's own defaults rather than iam-pgpass's, because the point is to
 * predict what the client does.
 */
import { parseArgs } from "node:util";
import { UsageError } from "./errors.ts";
import {
  checkName,
  checkPort,
  type Env,
  nonEmpty,
  pick,
  usageErrors,
} from "./settings_values.ts";

/** The sslmode values libpq accepts. */
const SSL_MODES = [
  "disable",
  "allow",
  "prefer",
  "require",
  "verify-ca",
  "verify-full",
];

/** What `check` looks at. */
export interface CheckSettings {
  host: string;
  port: number;
  user: string;
  /** Where the user came from: a flag, `PGUSER` or the login name. */
  userSource: string;
  database: string;
  sslmode: string;
  sslmodeSource: string;
  /** The password file, and where its name came from. */
  passfile: string;
  passfileSource: string;
  profile?: string | undefined;
  json: boolean;
  /** How long to wait for a pipe's server, in milliseconds. */
  pipeTimeoutMs: number;
}

const OPTIONS = {
  host: { type: "string" },
  port: { type: "string" },
  user: { type: "string" },
  database: { type: "string" },
  sslmode: { type: "string" },
  passfile: { type: "string" },
  profile: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** The user's login name and home directory, as libpq finds them. */
export interface Account {
  name: string | undefined;
  home: string | undefined;
}

/**
 * Parses `check`'s arguments (after the word `check`), or returns `"help"`.
 * Throws a `UsageError` for bad input.
 */
export function parseCheckSettings(
  args: string[],
  env: Env,
  account: Account,
): CheckSettings | "help" {
  const { values, positionals } = usageErrors(
    () => parseArgs({ args, options: OPTIONS, allowPositionals: true }),
    "iam-pgpass check --help",
  );
  if (values.help) return "help";
  if (positionals.length > 0) {
    throw new UsageError(
      `Unexpected argument "${
        positionals[0]
      }": iam-pgpass check takes only options`,
    );
  }
  // libpq logs in as the login name when PGUSER is unset, and picks the
  // database named like the user when PGDATABASE is unset.
  const user = pick(values.user, "--user", env, "PGUSER", account.name ?? "");
  if (user.source === "the default") user.source = "your login name";
  const userName = checkName(user);
  const database = checkName(
    pick(values.database, "--database", env, "PGDATABASE", userName),
  );
  const ssl = pick(values.sslmode, "--sslmode", env, "PGSSLMODE", "prefer");
  const sslmode = ssl.value;
  if (!SSL_MODES.includes(sslmode)) {
    throw new UsageError(
      `Invalid sslmode "${sslmode}": expected one of ${SSL_MODES.join(", ")}`,
    );
  }
  const home = env("HOME") || account.home;
  const passfile = pick(
    values.passfile,
    "--passfile",
    env,
    "PGPASSFILE",
    home ? `${home}/.pgpass` : "",
  );
  if (passfile.value === "") {
    throw new UsageError(
      "No password file to check: set PGPASSFILE or --passfile (no home directory)",
    );
  }
  return {
    host: checkName(pick(values.host, "--host", env, "PGHOST", "localhost")),
    port: checkPort(pick(values.port, "--port", env, "PGPORT", "5432")),
    user: userName,
    userSource: user.source,
    database,
    sslmode,
    sslmodeSource: ssl.source,
    passfile: passfile.value,
    passfileSource: passfile.source,
    profile: nonEmpty(values.profile, "--profile"),
    json: values.json ?? false,
    pipeTimeoutMs: 3000,
  };
}

/** The login name and home directory of the current uid, from /etc/passwd. */
export async function currentAccount(env: Env): Promise<Account> {
  const uid = Deno.uid();
  try {
    const passwd = await Deno.readTextFile("/etc/passwd");
    for (const line of passwd.split("\n")) {
      const fields = line.split(":");
      if (fields[2] === String(uid)) {
        return { name: fields[0], home: fields[5] || undefined };
      }
    }
  } catch {
    // No /etc/passwd (some containers): fall back to the environment.
  }
  return { name: env("USER") || env("LOGNAME"), home: env("HOME") };
}
