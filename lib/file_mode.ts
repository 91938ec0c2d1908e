/**
 * File mode: a regular password file with a line per endpoint, written
 * before clients are told about it and kept fresh until stopped.
 */
import type { PasswordFile } from "./file_writer.ts";
import type { Content, LineSource } from "./line_source.ts";
import type { Logger } from "./log.ts";
import { type Clock, keepFresh } from "./refresh.ts";

/** What {@link startFileMode} needs. */
export interface FileModeOptions {
  file: PasswordFile;
  sources: LineSource[];
  log: Logger;
  clock: Clock;
  /** Sign at least this often; default five minutes. */
  intervalMs?: number | undefined;
}

/** A file that is being kept fresh. */
export interface FreshFile {
  /** What was written first. */
  first: Content;
  /** Stops refreshing and waits for the loop; does not remove the file. */
  stop(): Promise<void>;
  /** Settles when the loop ends: by `stop()`, or rejected by a failure. */
  done: Promise<void>;
}

/**
 * Signs and writes the first content, then refreshes each endpoint in the
 * background on its own schedule, so one failing endpoint never holds back
 * the others. A write failure rejects `done`; the file stays as last
 * written.
 */
export async function startFileMode(
  options: FileModeOptions,
): Promise<FreshFile> {
  const { file, sources, log, clock } = options;
  const current: Content[] = await Promise.all(
    sources.map((source) => source.sign()),
  );
  // Writes go one after another, each with every endpoint's latest content.
  let writing = file.write(current.map((c) => c.text).join(""));
  await writing;
  const write = () => {
    writing = writing.then(() =>
      file.write(current.map((c) => c.text).join(""))
    );
    return writing;
  };
  const controller = new AbortController();
  const loops = sources.map((source, i) =>
    keepFresh({
      sign: () => source.sign(),
      write: (content) => {
        current[i] = content;
        return write();
      },
      credentialsId: () => source.credentialsId(),
      initial: current[i],
      label: sources.length === 1 ? file.path : `${file.path}, line ${i + 1}`,
      clock,
      log,
      intervalMs: options.intervalMs,
      signal: controller.signal,
    })
  );
  const done = Promise.all(loops).then(() => {}, (error) => {
    controller.abort();
    throw error;
  });
  return {
    first: combine(current),
    done,
    stop: async () => {
      controller.abort();
      await done;
    },
  };
}

/**
 * Joins the content of several endpoints: signed only when every one is, and
 * then valid until the first of them expires.
 */
export function combine(contents: Content[]): Content {
  const text = contents.map((content) => content.text).join("");
  const failed = contents.find((content) => !content.ok);
  if (failed && !failed.ok) return { ok: false, text, reason: failed.reason };
  const signed = contents.filter((content) => content.ok);
  return {
    ok: true,
    text,
    signedAt: Math.min(...signed.map((content) => content.signedAt)),
    expiresAt: Math.min(...signed.map((content) => content.expiresAt)),
    credentialsId: signed.map((content) => content.credentialsId).join(" "),
  };
}
