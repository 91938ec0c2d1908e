/**
 * A reference reader of password-file lines that follows libpq's
 * `passwordFromFile` and `pwdfMatchesString` step by step, so tests can check
 * that what iam-pgpass writes is read back as intended.
 */

/** What libpq would send as the password for a connection, or `null`. */
export function libpqPassword(
  content: string,
  conn: { host: string; port: string; database: string; user: string },
): string | null {
  for (const rawLine of content.split("\n")) {
    const line = rawLine.replace(/\r$/, "");
    if (line === "" || line.startsWith("#")) continue;
    let rest: string | null = line;
    for (const token of [conn.host, conn.port, conn.database, conn.user]) {
      rest = matchesString(rest, token);
      if (rest === null) break;
    }
    if (rest === null) continue;
    return unescapePassword(rest);
  }
  return null;
}

/** The rest of the line after a field matching `token`, else `null`. */
function matchesString(buf: string, token: string): string | null {
  if (buf.startsWith("*:")) return buf.slice(2);
  let b = 0;
  let t = 0;
  let backslash = false;
  while (b < buf.length) {
    const char = buf[b]!;
    if (char === "\\" && !backslash) {
      backslash = true;
      b++;
      continue;
    }
    if (char === ":" && t === token.length && !backslash) {
      return buf.slice(b + 1);
    }
    backslash = false;
    if (t === token.length || char !== token[t]) return null;
    b++;
    t++;
  }
  return null;
}

/** The password runs to the first unescaped `:` or the end of the line. */
function unescapePassword(text: string): string {
  let out = "";
  for (let i = 0; i < text.length && text[i] !== ":"; i++) {
    if (text[i] === "\\" && i + 1 < text.length) i++;
    out += text[i];
  }
  return out;
}
