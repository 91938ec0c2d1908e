import assert from "node:assert/strict";
import { parseSettings, type ServeSettings } from "../lib/settings.ts";

const envOf = (vars: Record<string, string>) => (name: string) => vars[name];

function serve(args: string[], vars: Record<string, string> = {}) {
  const settings = parseSettings(args, envOf(vars));
  assert.equal(settings.command, "serve");
  return settings as ServeSettings;
}

Deno.test("defaults are localhost, 5432, postgres and any database", () => {
  assert.deepEqual(serve(["/p"]).endpoint, {
    host: "localhost",
    port: 5432,
    user: "postgres",
    database: null,
  });
});

Deno.test("PG variables override the defaults and flags override them", async (t) => {
  const vars = {
    PGHOST: "envhost",
    PGPORT: "6000",
    PGUSER: "envuser",
    PGDATABASE: "envdb",
  };
  await t.step("environment", () => {
    assert.deepEqual(serve(["/p"], vars).endpoint, {
      host: "envhost",
      port: 6000,
      user: "envuser",
      database: "envdb",
    });
  });
  await t.step("flags", () => {
    const args = [
      "--host",
      "h",
      "--port",
      "7",
      "--user",
      "u",
      "--database",
      "d",
      "/p",
    ];
    assert.deepEqual(serve(args, vars).endpoint, {
      host: "h",
      port: 7,
      user: "u",
      database: "d",
    });
  });
  await t.step("empty variables count as unset, as in libpq", () => {
    const empty = { PGHOST: "", PGPORT: "", PGUSER: "", PGDATABASE: "" };
    assert.deepEqual(serve(["/p"], empty).endpoint, serve(["/p"]).endpoint);
  });
  await t.step("--database '*' asks for the wildcard", () => {
    assert.equal(
      serve(["--database", "*", "/p"], vars).endpoint.database,
      null,
    );
  });
});

Deno.test("log level flags map to levels", () => {
  assert.equal(serve(["/p"]).logLevel, "info");
  assert.equal(serve(["-q", "/p"]).logLevel, "warn");
  assert.equal(serve(["--verbose", "/p"]).logLevel, "debug");
  assert.equal(serve(["--log-level", "error", "/p"]).logLevel, "error");
});

Deno.test("--help and --version win over everything else", () => {
  assert.deepEqual(parseSettings(["--help", "--port", "x"], envOf({})), {
    command: "help",
  });
  assert.deepEqual(parseSettings(["-V"], envOf({})), { command: "version" });
});
