/**
 * The people-first form of the `check` report: a heading, one marked line
 * per finding (wrapped at 80 columns), and the verdict.
 */
import type { CheckReport } from "./check.ts";
import type { CheckSettings } from "./check_settings.ts";

const WIDTH = 80;
const INDENT = "      ";

/** Renders `report` as text, newline-terminated. */
export function renderReport(
  settings: CheckSettings,
  report: CheckReport,
): string {
  const { host, port, database, user } = report.connection;
  const lines = [
    `Checking ${host}:${port} database "${database}" user "${user}" ` +
    `(user from ${settings.userSource})`,
  ];
  for (const { level, message } of report.findings) {
    lines.push(...wrap(level.padEnd(INDENT.length), message));
  }
  lines.push(
    report.ok
      ? "Result: a client gets a valid token"
      : "Result: no client gets a valid token",
  );
  return `${lines.join("\n")}\n`;
}

function wrap(marker: string, text: string): string[] {
  const lines: string[] = [];
  let line = marker;
  for (const word of text.split(" ")) {
    if (line.length > INDENT.length && line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = INDENT + word;
    } else {
      line += line.length > INDENT.length ? ` ${word}` : word;
    }
  }
  lines.push(line);
  return lines;
}
