/**
 * Checks for single settings: where each value came from (flag, variable or
 * default) and whether it is usable. Each failure is a `UsageError` naming
 * the flag or variable at fault.
 */
import { UsageError } from "./errors.ts";
import { isLogLevel, type LogLevel } from "./log.ts";

/** Reads one environment variable. */
export type Env = (name: string) => string | undefined;

/** A value and where it came from, for error messages. */
export interface Picked {
  value: string;
  source: string;
}

/** Runs a `parseArgs` call, turning its errors into a `UsageError`. */
export function usageErrors<T>(parse: () => T, help: string): T {
  try {
    return parse();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // Node's own message goes on about positionals after "--": cut it.
    const unknown = /^Unknown option '([^']*)'/.exec(message);
    const ambiguous = /^Option '([^']*)' argument is ambiguous/.exec(message);
    const first = unknown
      ? `Unknown option "${unknown[1]}"`
      : ambiguous
      ? `Value for ${ambiguous[1]} starts with "-": write ${
        ambiguous[1]
      }=<value>`
      : message.split("\n")[0]!.replace(/\.$/, "");
    throw new UsageError(`${first}: see ${help}`, { cause: error });
  }
}

/** The flag, else the variable (an empty one counts as unset), else the default. */
export function pick(
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

/** A non-empty name that fits on one password-file line. */
export function checkName({ value, source }: Picked): string {
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

/** One TCP host name: no Unix socket directory. */
export function checkHost(picked: Picked): string {
  const host = checkName(picked);
  if (host.startsWith("/")) {
    throw new UsageError(
      `Host "${host}" from ${picked.source} is a Unix socket directory: ` +
        "IAM authentication needs a TCP host name",
    );
  }
  return host;
}

/** One address of a host list. */
export interface Address {
  host: string;
  port: number;
}

/**
 * libpq's comma-separated host and port lists, one address per host: a
 * single port applies to every host, and an empty port is the default.
 */
export function checkHostList(hosts: Picked, ports: Picked): Address[] {
  const hostList = hosts.value.split(",");
  const portList = ports.value.split(",");
  if (portList.length !== 1 && portList.length !== hostList.length) {
    throw new UsageError(
      `Cannot match ${portList.length} ports from ${ports.source} to ` +
        `${hostList.length} hosts from ${hosts.source}: expected one port ` +
        "for all hosts or one per host",
    );
  }
  return hostList.map((host, index) => {
    if (host === "" && hostList.length > 1) {
      throw new UsageError(
        `Empty host ${index + 1} in list "${hosts.value}" from ` +
          `${hosts.source}: libpq dials a Unix socket there, and IAM ` +
          "authentication needs a TCP host name",
      );
    }
    const port = portList.length === 1 ? portList[0]! : portList[index]!;
    return {
      host: checkHost({ value: host, source: hosts.source }),
      port: port === "" && portList.length > 1
        ? 5432
        : checkPort({ value: port, source: ports.source }),
    };
  });
}

/** A TCP port number. */
export function checkPort({ value, source }: Picked): number {
  const port = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(port >= 1 && port <= 65535)) {
    throw new UsageError(
      `Invalid port "${value}" from ${source}: expected a whole number from 1 to 65535`,
    );
  }
  return port;
}

/** The database to match, or `null` for any (`*`, or nothing set). */
export function checkDatabase(
  flag: string | undefined,
  env: Env,
): string | null {
  if (flag === "*") return null;
  const picked = pick(flag, "--database", env, "PGDATABASE", "");
  return picked.value === "" && flag === undefined ? null : checkName(picked);
}

/** A non-empty path; `what` names it in the message ("pipe path"). */
export function checkPath(path: string, what = "pipe path"): string {
  if (path === "") {
    throw new UsageError(`Empty ${what}: expected a file system path`);
  }
  return path;
}

/** An optional flag value that must not be empty. */
export function nonEmpty(value: string | undefined, flag: string) {
  if (value === "") {
    throw new UsageError(`Empty value for ${flag}: expected a name`);
  }
  return value;
}

/** The longest refresh interval: tokens live 900 s. */
export const MAX_REFRESH_SECONDS = 600;

/** `--refresh-interval` in seconds, returned in milliseconds. */
export function checkRefreshInterval(value: string | undefined) {
  if (value === undefined) return undefined;
  const seconds = /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
  if (!(seconds >= 0.001 && seconds <= MAX_REFRESH_SECONDS)) {
    throw new UsageError(
      `Invalid interval "${value}" for --refresh-interval: expected seconds from 0.001 to ${MAX_REFRESH_SECONDS}`,
    );
  }
  return seconds * 1000;
}

/** The log level from `--log-level`, `--quiet` or `--verbose`. */
export function checkLogLevel(
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
