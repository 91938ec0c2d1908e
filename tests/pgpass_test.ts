import assert from "node:assert/strict";
import { escapeField, formatComment, formatLine } from "../lib/pgpass.ts";
import { libpqPassword } from "./libpq_rules.ts";
import { seededRandom } from "./fixtures.ts";

const TOKEN =
  "db.example.com:5432/?Action=connect&DBUser=app&X-Amz-Signature=ab12";

Deno.test("escapeField escapes backslash and colon as libpq reads them", async (t) => {
  const cases: [string, string][] = [
    ["plain", "plain"],
    ["a:b", "a\\:b"],
    ["a\\b", "a\\\\b"],
    ["\\:", "\\\\\\:"],
    ["*", "\\*"],
    ["a*", "a*"],
    ["ünï:code", "ünï\\:code"],
    ["", ""],
  ];
  for (const [input, expected] of cases) {
    await t.step(JSON.stringify(input), () => {
      assert.equal(escapeField(input), expected);
    });
  }
});

Deno.test("formatLine keeps the whole token when libpq reads it back", () => {
  const content = formatLine(
    { host: "db.example.com", port: 5432, database: null, user: "app" },
    TOKEN,
  );
  assert.equal(
    content,
    "db.example.com:5432:*:app:db.example.com\\:5432/?Action=connect&DBUser=app&X-Amz-Signature=ab12\n",
  );
  const conn = {
    host: "db.example.com",
    port: "5432",
    database: "any",
    user: "app",
  };
  assert.equal(libpqPassword(content, conn), TOKEN);
});

Deno.test("an unescaped token is cut at its first colon by libpq", () => {
  const content = formatLine(
    { host: "h", port: 1, database: "d", user: "u" },
    TOKEN,
    { escapePassword: false },
  );
  const conn = { host: "h", port: "1", database: "d", user: "u" };
  assert.equal(libpqPassword(content, conn), "db.example.com");
});

Deno.test("a literal '*' database matches only '*', the wildcard any", () => {
  const literal = formatLine(
    { host: "h", port: 1, database: "*", user: "u" },
    "p",
  );
  const conn = { host: "h", port: "1", database: "other", user: "u" };
  assert.equal(libpqPassword(literal, conn), null);
  assert.equal(libpqPassword(literal, { ...conn, database: "*" }), "p");
  const wildcard = formatLine(
    { host: "h", port: 1, database: null, user: "u" },
    "p",
  );
  assert.equal(libpqPassword(wildcard, conn), "p");
});

Deno.test("a host starting with '#' is not read as a comment", () => {
  const content = formatLine(
    { host: "#h", port: 1, database: null, user: "u" },
    "p",
  );
  assert.equal(content, "\\#h:1:*:u:p\n");
  const conn = { host: "#h", port: "1", database: "d", user: "u" };
  assert.equal(libpqPassword(content, conn), "p");
});

Deno.test("formatComment makes one line that libpq skips", () => {
  const content = formatComment("no token:\nbecause\r\nreasons") +
    formatLine({ host: "h", port: 1, database: null, user: "u" }, "p");
  assert.equal(content.split("\n").length, 3);
  const conn = { host: "h", port: "1", database: "d", user: "u" };
  assert.equal(libpqPassword(content, conn), "p");
});

Deno.test("libpq reads back exactly the fields of any line we write", () => {
  const random = seededRandom(20261203);
  const alphabet = [
    "a",
    "Z",
    "0",
    ":",
    "\\",
    " ",
    "*",
    "#",
    "é",
    "漢",
    "🐘",
    "-",
    ".",
  ];
  const text = (min: number) => {
    const length = min + Math.floor(random() * 12);
    let out = "";
    for (let i = 0; i < length; i++) {
      out += alphabet[Math.floor(random() * alphabet.length)];
    }
    return out;
  };
  for (let i = 0; i < 2000; i++) {
    const match = {
      host: text(1),
      port: 1 + Math.floor(random() * 65535),
      database: text(1),
      user: text(1),
    };
    const password = text(0) + TOKEN + text(0);
    const content = formatLine(match, password);
    const conn = { ...match, port: String(match.port) };
    assert.equal(libpqPassword(content, conn), password, content);
    for (const field of ["host", "database", "user"] as const) {
      const other = { ...conn, [field]: conn[field] + "x" };
      assert.equal(libpqPassword(content, other), null, `${field}: ${content}`);
    }
  }
});
