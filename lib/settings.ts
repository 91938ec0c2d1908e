/**
 * Settings from flags and the standard `PG*` variables, for each command:
 * the pipe server, file mode, `exec` and `token`. Flags win over the
 * environment; the environment wins over the defaults (`localhost`, `5432`,
 * `postgres`, any database).
 */
import { parseArgs } from "node:util";
import { type Entry, parseEndpoint } from "./endpoints.ts";
import { UsageError } from "./errors.ts";
import {
  checkDatabase,
  checkHostList,
  checkLogLevel,
  checkName,
  checkPath,
  checkRefreshInterval,
  type Env,
  nonEmpty,
  pick,
  usageErrors,
} from "./settings_values.ts";
import type {
  Settings,
  SigningSettings,
  WriterSettings,
} from "./settings_types.ts";

export type { Env } from "./settings_values.ts";
export type {
  Endpoint,
  ExecSettings,
  FileSettings,
  ServeSettings,
  Settings,
  SigningSettings,
  TokenSettings,
  WriterSettings,
} from "./settings_types.ts";

const COMMON = {
  host: { type: "string" },
  port: { type: "string" },
  user: { type: "string" },
  database: { type: "string" },
  endpoint: { type: "string" },
  region: { type: "string" },
  profile: { type: "string" },
  "log-level": { type: "string" },
  quiet: { type: "boolean", short: "q" },
  verbose: { type: "boolean", short: "v" },
  help: { type: "boolean", short: "h" },
} as const;

const WRITER = {
  "no-escape-password": { type: "boolean" },
  "refresh-interval": { type: "string" },
} as const;

const SERVE = {
  ...COMMON,
  ...WRITER,
  config: { type: "string" },
  file: { type: "string" },
  replace: { type: "boolean" },
  version: { type: "boolean", short: "V" },
} as const;

const TOKEN = {
  ...COMMON,
  line: { type: "boolean" },
  "no-escape-password": { type: "boolean" },
} as const;

/** Parses the command line and environment, or throws a `UsageError`. */
export function parseSettings(args: string[], env: Env): Settings {
  if (args[0] === "exec") return parseExec(args.slice(1), env);
  if (args[0] === "token") return parseToken(args.slice(1), env);
  const { values, positionals } = usageErrors(
    () => parseArgs({ args, options: SERVE, allowPositionals: true }),
    "iam-pgpass --help",
  );
  if (values.help) return { command: "help" };
  if (values.version) return { command: "version" };
  if (values.file !== undefined) {
    if (positionals.length > 0) {
      throw new UsageError(
        `Unexpected argument "${
          positionals[0]
        }": --file names the path, so no pipe path is expected`,
      );
    }
    return {
      command: "file",
      path: checkPath(values.file, "path for --file"),
      replace: values.replace ?? false,
      ...writerSettings(values, env),
    };
  }
  const fileOnly = ["replace", "no-escape-password", "refresh-interval"]
    .find((name) => values[name as keyof typeof values] !== undefined);
  if (fileOnly) {
    throw new UsageError(
      `Option --${fileOnly} needs --file: a named pipe is served as it is`,
    );
  }
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
    ...signingSettings(values, env),
  };
}

function parseExec(args: string[], env: Env): Settings {
  const split = args.indexOf("--");
  const options = split < 0 ? args : args.slice(0, split);
  const { values, positionals } = usageErrors(
    () =>
      parseArgs({
        args: options,
        options: { ...COMMON, ...WRITER, config: { type: "string" } },
        allowPositionals: true,
      }),
    "iam-pgpass exec --help",
  );
  if (values.help) return { command: "help", topic: "exec" };
  if (positionals.length > 0) {
    throw new UsageError(
      `Unexpected argument "${
        positionals[0]
      }" before "--": usage is iam-pgpass exec [options] -- <command> [args...]`,
    );
  }
  const argv = split < 0 ? [] : args.slice(split + 1);
  if (argv.length === 0 || argv[0] === "") {
    throw new UsageError(
      'Missing the command after "--": usage is iam-pgpass exec [options] -- <command> [args...]',
    );
  }
  return { command: "exec", argv, ...writerSettings(values, env) };
}

function parseToken(args: string[], env: Env): Settings {
  const { values, positionals } = usageErrors(
    () => parseArgs({ args, options: TOKEN, allowPositionals: true }),
    "iam-pgpass token --help",
  );
  if (values.help) return { command: "help", topic: "token" };
  if (positionals.length > 0) {
    throw new UsageError(
      `Unexpected argument "${
        positionals[0]
      }": iam-pgpass token takes only options`,
    );
  }
  const signing = signingSettings(values, env);
  if (signing.entries.length > 1) {
    const source = signing.entries[0]!.label;
    throw new UsageError(
      `Too many hosts (${signing.entries.length}) from ${source}: ` +
        "iam-pgpass token signs for one host",
    );
  }
  return {
    command: "token",
    line: values.line ?? false,
    escapePassword: !values["no-escape-password"],
    ...signing,
  };
}

interface CommonValues {
  host?: string;
  port?: string;
  user?: string;
  database?: string;
  endpoint?: string;
  region?: string;
  profile?: string;
  config?: string;
  "log-level"?: string;
  quiet?: boolean;
  verbose?: boolean;
}

/** The options that describe one entry; a config file describes its own. */
const ENTRY_OPTIONS = [
  "host",
  "port",
  "user",
  "database",
  "endpoint",
  "region",
  "profile",
] as const;

function signingSettings(values: CommonValues, env: Env): SigningSettings {
  const flag = values.config === undefined
    ? undefined
    : ENTRY_OPTIONS.find((name) => values[name] !== undefined);
  if (flag) {
    throw new UsageError(
      `Option --${flag} cannot be used with --config: set "${flag}" in the config file's entries`,
    );
  }
  const hosts = pick(values.host, "--host", env, "PGHOST", "localhost");
  const ports = pick(values.port, "--port", env, "PGPORT", "5432");
  const user = checkName(
    pick(values.user, "--user", env, "PGUSER", "postgres"),
  );
  const database = checkDatabase(values.database, env);
  const region = nonEmpty(values.region, "--region");
  const profile = nonEmpty(values.profile, "--profile");
  const signFor = values.endpoint === undefined
    ? undefined
    : parseEndpoint(values.endpoint, "--endpoint");
  const addresses = checkHostList(hosts, ports);
  const common = { region, profile, logLevel: checkLogLevel(values) };
  const endpoint = { ...addresses[0]!, user, database };
  if (values.config !== undefined) {
    return {
      endpoint,
      entries: [],
      config: checkPath(values.config, "path for --config"),
      ...common,
    };
  }
  const entries = addresses.map(({ host, port }): Entry => ({
    label: hosts.source === "the default" ? "the default host" : hosts.source,
    match: { host, port, database, user },
    signFor: { host: signFor?.host ?? host, port: signFor?.port ?? port },
    separate: signFor !== undefined,
    region,
    regionSource: region && "--region",
    profile,
    profileSource: profile && "--profile",
  }));
  return { endpoint, entries, ...common };
}

function writerSettings(
  values: CommonValues & {
    "no-escape-password"?: boolean;
    "refresh-interval"?: string;
  },
  env: Env,
): WriterSettings {
  return {
    ...signingSettings(values, env),
    escapePassword: !values["no-escape-password"],
    refreshMs: checkRefreshInterval(values["refresh-interval"]),
  };
}
