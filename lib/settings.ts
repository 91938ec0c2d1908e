/**
 * Settings for the pipe server from flags and the standard `PG*` variables.
 * Flags win over the environment; the environment wins over the defaults
 * (`localhost`, `5432`, `postgres`, any database).
 */
import { parseArgs } from "node:util";
import { UsageError } from "./errors.ts";
import { isLogLevel, type LogLevel } from "./log.ts";

/** Reads one environment variable. */
export type Env = (name: string) => string | undefined;

/** What the client dials and logs in as; `database: null` is any database. */
export interface Endpoint {
  host: string;
  port: number;
  user: string;
  database: string | null;
}

/** Everything the pipe server needs to start. */
export interface ServeSettings {
  command: "serve";
  path: string;
  endpoint: Endpoint;
  region?: string | undefined;
  profile?: string | undefined;
  logLevel: LogLevel;
}

/** What the command line asks for. */
export type Settings =
  | ServeSettings
  | { command: "help" }
  | { command: "version" };

const OPTIONS = {
  host: { type: "string" },
  port: { type: "string" },
  user: { type: "string" },
  database: { type: "string" },
  region: { type: "string" },
  profile: { type: "string" },
  "log-level": { type: "string" },
  quiet: { type: "boolean", short: "q" },
  verbose: { type: "boolean", short: "v" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "V" },
} as const;

/** Parses the command line and environment, or throws a `UsageError`. */
export function parseSettings(args: string[], env: Env): Settings {
  const { values, positionals } = parseCommandLine(args);
  if (values.help) return { command: "help" };
  if (values.version) return { command: "version" };
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0
        ? "Missing the pipe path: usage is iam-pgpass [options] <path>"
        : `Too many arguments (${positionals.length}): expected one pipe path`,
    );
  }
  return {
    command: "serve",
    path: checkPath(positionals[0]!),
    endpoint: {
      host: checkHost(pick(values.host, "--host", env, "PGHOST", "localhost")),
      port: checkPort(pick(values.port, "--port", env, "PGPORT", "5432")),
      user: checkName(pick(values.user, "--user", env, "PGUSER", "postgres")),
      database: checkDatabase(values.database, env),
    },
    region: nonEmpty(values.region, "--region"),
    profile: nonEmpty(values.profile, "--profile"),
    logLevel: checkLogLevel(values),
  };
}

function parseCommandLine(args: string[]) {
  try {
    return parseArgs({ args, options: OPTIONS, allowPositionals: true });
  } catch (error) {
    throw new UsageError(
      `${describeParseError(error)}: see iam-pgpass --help`,
      {
        cause: error,
      },
    );
  }
}

function describeParseError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code;
  const option = /^Unknown option '([^']+)'/.exec(message)?.[1];
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && option) {
    return `Unknown option "${option}"`;
  }
  return message.split("\n")[0]!;
}

interface Picked {
  value: string;
  source: string;
}

function pick(
  flag: string | undefined,
  flagName: string,
  env: Env,
  variable: string,
  fallback: string,
): Picked {
  if (flag !== undefined) return { value: flag, source: flagName };
  const fromEnv = env(variable);
  // libpq treats an empty variable as unset.
  if (fromEnv) return { value: fromEnv, source: variable };
  return { value: fallback, source: "the default" };
}

function checkName({ value, source }: Picked): string {
  if (value === "") {
    throw new UsageError(`Empty value from ${source}: expected a name`);
  }
  if (/[\r\n]/.test(value)) {
    throw new UsageError(
      `Invalid value from ${source}: a password file line cannot hold a line break`,
    );
  }
  return value;
}

function checkHost(picked: Picked): string {
  const host = checkName(picked);
  if (host.startsWith("/")) {
    throw new UsageError(
      `Host "${host}" from ${picked.source} is a Unix socket directory: ` +
        "IAM authentication needs a TCP host name",
    );
  }
  if (host.includes(",")) {
    throw new UsageError(
      `Host list "${host}" from ${picked.source} is not supported: ` +
        "expected one host name",
    );
  }
  return host;
}

function checkPort({ value, source }: Picked): number {
  const port = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(port >= 1 && port <= 65535)) {
    throw new UsageError(
      `Invalid port "${value}" from ${source}: expected a whole number from 1 to 65535`,
    );
  }
  return port;
}

function checkDatabase(
  flag: string | undefined,
  env: Env,
): string | null {
  if (flag === "*") return null;
  const picked = pick(flag, "--database", env, "PGDATABASE", "");
  return picked.value === "" && flag === undefined ? null : checkName(picked);
}

function checkPath(path: string): string {
  if (path === "") {
    throw new UsageError("Empty pipe path: expected a file system path");
  }
  return path;
}

function nonEmpty(value: string | undefined, flag: string) {
  if (value === "") {
    throw new UsageError(`Empty value for ${flag}: expected a name`);
  }
  return value;
}

function checkLogLevel(
  values: { "log-level"?: string; quiet?: boolean; verbose?: boolean },
): LogLevel {
  const chosen = [
    values["log-level"] !== undefined,
    values.quiet,
    values.verbose,
  ].filter(Boolean);
  if (chosen.length > 1) {
    throw new UsageError(
      "Conflicting options: use only one of --log-level, --quiet and --verbose",
    );
  }
  if (values.quiet) return "warn";
  if (values.verbose) return "debug";
  const level = values["log-level"] ?? "info";
  if (!isLogLevel(level)) {
    throw new UsageError(
      `Invalid log level "${level}" for --log-level: expected error, warn, info or debug`,
    );
  }
  return level;
}
