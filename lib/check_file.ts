/**
 * Looking at a password file as a client would: what it is (regular file,
 * named pipe, missing), its mode and owner, and its content. Reading a pipe
 * takes one reader's turn from the server behind it.
 */

/** What the password file is. */
export type FileKind = "file" | "pipe" | "missing" | "other";

/** The file's kind, mode and owner, and its content if it could be read. */
export interface PassfileFacts {
  kind: FileKind;
  /** Permission bits, e.g. `0o600`; `null` when missing. */
  mode: number | null;
  uid: number | null;
  /** Whether the file belongs to the user running the check. */
  ownedByYou: boolean;
  /** `null` when the content could not be read; `readError` says why. */
  content: string | null;
  readError?: string;
}

/**
 * Stats and reads `path`. A pipe is opened like a client does; when no
 * server opens it for writing within `pipeTimeoutMs`, the wait is ended by
 * opening it for writing here, so nothing is left blocked.
 */
export async function inspectPassfile(
  path: string,
  pipeTimeoutMs: number,
): Promise<PassfileFacts> {
  let info: Deno.FileInfo;
  try {
    // libpq uses stat(), so a symbolic link counts as what it points to.
    info = await Deno.stat(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    return {
      kind: "missing",
      mode: null,
      uid: null,
      ownedByYou: false,
      content: null,
    };
  }
  const kind: FileKind = info.isFile ? "file" : info.isFifo ? "pipe" : "other";
  const facts: PassfileFacts = {
    kind,
    mode: (info.mode ?? 0) & 0o7777,
    uid: info.uid,
    ownedByYou: info.uid === Deno.uid(),
    content: null,
  };
  if (kind === "other") return facts;
  try {
    facts.content = kind === "file"
      ? await Deno.readTextFile(path)
      : await readPipe(path, pipeTimeoutMs);
  } catch (error) {
    facts.readError = error instanceof Error ? error.message : String(error);
  }
  return facts;
}

async function readPipe(path: string, timeoutMs: number): Promise<string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const opening = Deno.open(path, { read: true });
  const timedOut = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), timeoutMs);
  });
  const file = await Promise.race([opening, timedOut]);
  clearTimeout(timer);
  if (file === null) {
    // Our own writer lets the blocked open return, with nothing to read.
    const writer = await Deno.open(path, { write: true });
    writer.close();
    (await opening).close();
    throw new Error(
      `no server opened the pipe for writing within ${timeoutMs / 1000} s`,
    );
  }
  try {
    const chunks: Uint8Array[] = [];
    const buffer = new Uint8Array(65536);
    while (true) {
      const n = await file.read(buffer);
      if (n === null) break;
      chunks.push(buffer.slice(0, n));
    }
    return new TextDecoder().decode(concat(chunks));
  } finally {
    file.close();
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((sum, c) => sum + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
