/**
 * The named pipe on disk: made with `mkfifo` when missing, reused when it is
 * already a pipe of ours, refused otherwise with nothing created.
 */
import { dirname, resolve } from "node:path";
import { PathError } from "./errors.ts";

/** Whether this run made the pipe (and so removes it on shutdown). */
export interface PreparedPipe {
  path: string;
  created: boolean;
}

/**
 * Makes or reuses the pipe at `path`, leaving it mode 0600. Throws a
 * `PathError` naming the path and what was expected.
 */
export async function preparePipe(path: string): Promise<PreparedPipe> {
  const info = await lstatOrNull(path);
  if (info === null) {
    await checkParent(path);
    await mkfifo(path);
    return { path, created: true };
  }
  const kind = describeKind(info);
  if (kind !== "named pipe") {
    throw new PathError(
      `Cannot serve at "${path}": it is ${kind}; expected a named pipe or a path that does not exist`,
    );
  }
  if (info.uid !== Deno.uid()) {
    throw new PathError(
      `Cannot serve at "${path}": the named pipe belongs to uid ${info.uid}; expected one owned by you (uid ${Deno.uid()})`,
    );
  }
  // Tokens are secrets: nobody else may open the pipe.
  await Deno.chmod(path, 0o600);
  return { path, created: false };
}

/** Removes the pipe if this run created it and it is still a pipe. */
export async function removePipe(pipe: PreparedPipe): Promise<void> {
  if (!pipe.created) return;
  const info = await lstatOrNull(pipe.path);
  if (info?.isFifo) await Deno.remove(pipe.path);
}

async function lstatOrNull(path: string): Promise<Deno.FileInfo | null> {
  try {
    return await Deno.lstat(path);
  } catch (error) {
    // A parent that is a file shows as ENOTDIR; checkParent explains it.
    if (
      error instanceof Deno.errors.NotFound ||
      error instanceof Deno.errors.NotADirectory
    ) return null;
    throw error;
  }
}

async function checkParent(path: string): Promise<void> {
  const parent = dirname(resolve(path));
  const info = await statOrNull(parent);
  if (info === null) {
    throw new PathError(
      `Cannot create a pipe at "${path}": directory "${parent}" does not exist`,
    );
  }
  if (!info.isDirectory) {
    throw new PathError(
      `Cannot create a pipe at "${path}": "${parent}" is not a directory`,
    );
  }
}

async function statOrNull(path: string): Promise<Deno.FileInfo | null> {
  try {
    return await Deno.stat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

async function mkfifo(path: string): Promise<void> {
  // -m sets the mode exactly, whatever the umask.
  const { success, stderr } = await new Deno.Command("mkfifo", {
    args: ["-m", "0600", "--", path],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!success) {
    const reason = new TextDecoder().decode(stderr).trim();
    throw new PathError(`Cannot create a pipe at "${path}": ${reason}`);
  }
}

function describeKind(info: Deno.FileInfo): string {
  if (info.isSymlink) return "a symbolic link";
  if (info.isFile) return "a regular file";
  if (info.isDirectory) return "a directory";
  if (info.isFifo) return "named pipe";
  if (info.isSocket) return "a socket";
  if (info.isCharDevice || info.isBlockDevice) return "a device";
  return "not a named pipe";
}
