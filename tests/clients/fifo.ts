/**
 * A named pipe fed the same text by a plain writer loop, to see which clients
 * read a password file that is a pipe.
 */

/** A pipe being fed; {@linkcode PipeFeeder.stop} ends the loop. */
export interface PipeFeeder {
  /**
   * How many times the text was written so far. A reader that holds the pipe
   * open gets it again at each of the writer's opens, so this counts writes,
   * not readers.
   */
  readonly writes: number;
  /** Ends the writer loop and removes the pipe. */
  stop(): Promise<void>;
}

/**
 * Makes a 0600 named pipe at `path` and writes `text` to every reader that
 * opens it, until stopped.
 */
export async function feedPipe(
  path: string,
  text: string,
): Promise<PipeFeeder> {
  await run("mkfifo", ["-m", "600", path]);
  const bytes = new TextEncoder().encode(text);
  let writes = 0;
  let stopping = false;
  const loop = (async () => {
    while (true) {
      // Blocks until a reader opens the other end.
      const pipe = await Deno.open(path, { write: true });
      try {
        if (stopping) return;
        writes++;
        await writeAll(pipe, bytes);
      } catch (error) {
        // A reader that stops at the first matching line closes early.
        if (!(error instanceof Deno.errors.BrokenPipe)) throw error;
      } finally {
        pipe.close();
      }
    }
  })();
  return {
    get writes() {
      return writes;
    },
    async stop() {
      stopping = true;
      // Opening a FIFO for both reading and writing never blocks on Linux,
      // and it releases the writer's pending open.
      const release = await Deno.open(path, { read: true, write: true });
      try {
        await loop;
      } finally {
        release.close();
        await Deno.remove(path);
      }
    },
  };
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    written += await file.write(bytes.subarray(written));
  }
}

async function run(command: string, args: string[]): Promise<void> {
  const output = await new Deno.Command(command, { args, stdin: "null" })
    .output();
  if (!output.success) {
    const stderr = new TextDecoder().decode(output.stderr).trim();
    throw new Error(`Cannot run '${command}': ${stderr}`);
  }
}
