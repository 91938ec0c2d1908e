/**
 * The config file (`--config`): TOML with one `[[entry]]` table per line to
 * serve, and optional `region` and `profile` defaults at the top. Checked
 * strictly: every problem is a `UsageError` naming the file, the entry and
 * the key.
 *
 *     region = "eu-central-1"
 *
 *     [[entry]]
 *     name = "orders through a tunnel"
 *     host = "localhost"
 *     port = 15432
 *     user = "app"
 *     endpoint = "orders.abc123.eu-central-1.rds.amazonaws.com:5432"
 */
import { parse, TomlError } from "smol-toml";
import type { Entry } from "./endpoints.ts";
import { parseEndpoint } from "./endpoints.ts";
import { UsageError } from "./errors.ts";
import { checkRegionName } from "./region.ts";

const TOP_KEYS = ["entry", "region", "profile"];
const ENTRY_KEYS = [
  "name",
  "host",
  "port",
  "database",
  "user",
  "endpoint",
  "region",
  "profile",
];

type Table = Record<string, unknown>;

/** Reads and checks a config file; throws a `UsageError` naming the path. */
export async function readConfig(path: string): Promise<Entry[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new UsageError(
      `Cannot read config file "${path}": ${readFailure(error)}`,
      { cause: error },
    );
  }
  return parseConfig(text, path);
}

/** Parses and checks config text; `path` names the file in messages. */
export function parseConfig(text: string, path: string): Entry[] {
  const file = `config file "${path}"`;
  let doc: Table;
  try {
    doc = parse(text) as Table;
  } catch (error) {
    const at = error instanceof TomlError
      ? `line ${error.line}, column ${error.column}: `
      : "";
    const reason = (error instanceof Error ? error.message : String(error))
      .split("\n")[0]!.replace(/^Invalid TOML document: /, "");
    throw new UsageError(`Cannot parse ${file}: ${at}${reason}`, {
      cause: error,
    });
  }
  checkKeys(doc, TOP_KEYS, file);
  const defaults = {
    region: optionalRegion(doc, file),
    profile: optionalString(doc, "profile", file),
  };
  const tables = doc.entry ?? [];
  if (!Array.isArray(tables) || !tables.every(isTable)) {
    throw new UsageError(
      `Invalid "entry" in ${file}: expected [[entry]] tables`,
    );
  }
  if (tables.length === 0) {
    throw new UsageError(
      `No entries in ${file}: expected at least one [[entry]] table with "host" and "user"`,
    );
  }
  const names = new Set<string>();
  return tables.map((table, index) => {
    const name = optionalString(table, "name", `entry ${index + 1} of ${file}`);
    const where = `entry ${index + 1}${name ? ` ("${name}")` : ""} of ${file}`;
    if (name !== undefined) {
      if (names.has(name)) {
        throw new UsageError(
          `Duplicate name "${name}" in ${where}: expected each entry's name once`,
        );
      }
      names.add(name);
    }
    return parseEntry(table, where, file, defaults);
  });
}

function parseEntry(
  table: Table,
  where: string,
  file: string,
  defaults: { region?: string | undefined; profile?: string | undefined },
): Entry {
  checkKeys(table, ENTRY_KEYS, where);
  const host = lineField(
    table,
    "host",
    where,
    "the host name the client dials",
  );
  if (host.startsWith("/")) {
    throw new UsageError(
      `Invalid host "${host}" in ${where}: a Unix socket directory cannot be used; IAM authentication needs a TCP host name`,
    );
  }
  if (host.includes(",")) {
    throw new UsageError(
      `Invalid host "${host}" in ${where}: expected one host name; write one entry per host`,
    );
  }
  const port = portField(table, where);
  const user = lineField(table, "user", where, "the database user");
  if (user === "*") {
    throw new UsageError(
      `Invalid user "*" in ${where}: a token is signed for one database user, so "*" cannot be used`,
    );
  }
  const database = table.database === undefined
    ? "*"
    : lineField(table, "database", where, 'a database name or "*"');
  const endpointText = optionalString(table, "endpoint", where);
  const endpoint = endpointText === undefined
    ? undefined
    : parseEndpoint(endpointText, `"endpoint" in ${where}`);
  if (host === "*" && endpoint === undefined) {
    throw new UsageError(
      `Invalid host "*" in ${where}: a token is signed for one host, so "*" needs "endpoint"`,
    );
  }
  const signPort = endpoint?.port ?? port;
  if (signPort === null) {
    throw new UsageError(
      `Invalid port "*" in ${where}: a token is signed for one port, so "*" needs a port in "endpoint"`,
    );
  }
  const region = optionalRegion(table, where);
  const profile = optionalString(table, "profile", where);
  return {
    label: where,
    match: {
      host: host === "*" ? null : host,
      port,
      database: database === "*" ? null : database,
      user,
    },
    signFor: { host: endpoint?.host ?? host, port: signPort },
    separate: endpoint !== undefined,
    region: region ?? defaults.region,
    regionSource: region
      ? `"region" in ${where}`
      : defaults.region && `"region" in ${file}`,
    profile: profile ?? defaults.profile,
    profileSource: profile
      ? `"profile" in ${where}`
      : defaults.profile && `"profile" in ${file}`,
  };
}

function checkKeys(table: Table, known: string[], where: string) {
  const unknown = Object.keys(table).find((key) => !known.includes(key));
  if (unknown !== undefined) {
    const list = `${known.slice(0, -1).join(", ")} or ${known.at(-1)}`;
    throw new UsageError(
      `Unknown key "${unknown}" in ${where}: expected ${list}`,
    );
  }
}

/** A required string that fits on one password-file line. */
function lineField(
  table: Table,
  key: string,
  where: string,
  expected: string,
): string {
  const value = optionalString(table, key, where);
  if (value === undefined) {
    throw new UsageError(`Missing "${key}" in ${where}: expected ${expected}`);
  }
  if (/[\r\n]/.test(value)) {
    throw new UsageError(
      `Invalid "${key}" in ${where}: a password file line cannot hold a line break`,
    );
  }
  return value;
}

function optionalString(
  table: Table,
  key: string,
  where: string,
): string | undefined {
  const value = table[key];
  if (value === undefined) return undefined;
  if (typeof value !== "string") {
    throw new UsageError(
      `Invalid "${key}" in ${where}: expected a string, not ${kind(value)}`,
    );
  }
  if (value === "") {
    throw new UsageError(`Empty "${key}" in ${where}: expected a name`);
  }
  return value;
}

function optionalRegion(table: Table, where: string): string | undefined {
  const region = optionalString(table, "region", where);
  return region && checkRegionName(region, `"region" in ${where}`);
}

/** A port number, `null` for `"*"`; 5432 when missing. */
function portField(table: Table, where: string): number | null {
  const value = table.port;
  if (value === undefined) return 5432;
  if (value === "*") return null;
  if (
    typeof value !== "number" || !Number.isInteger(value) || value < 1 ||
    value > 65535
  ) {
    const shown = typeof value === "string" ? `"${value}"` : kind(value);
    throw new UsageError(
      `Invalid port ${shown} in ${where}: expected a whole number from 1 to 65535, or "*"`,
    );
  }
  return value;
}

function isTable(value: unknown): value is Table {
  return typeof value === "object" && value !== null && !Array.isArray(value) &&
    !(value instanceof Date);
}

/** Names a TOML value's type, with the value when it is short. */
function kind(value: unknown): string {
  if (typeof value === "number" || typeof value === "boolean") {
    return String(value);
  }
  if (Array.isArray(value)) return "an array";
  if (value instanceof Date) return "a date";
  if (isTable(value)) return "a table";
  return typeof value;
}

function readFailure(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) return "it does not exist";
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (error instanceof Deno.errors.IsADirectory) return "it is a directory";
  if (error instanceof TypeError) return "it is not UTF-8 text";
  // Deno keeps /dev, /proc and /sys behind --allow-all.
  if (error instanceof Deno.errors.NotCapable) {
    return "it is under /dev, /proc or /sys; expected a regular file";
  }
  return error instanceof Error ? error.message : String(error);
}
