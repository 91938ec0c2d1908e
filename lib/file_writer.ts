/**
 * The regular password file on disk: checked before anything is written,
 * replaced atomically (a 0600 temporary file in the same directory, renamed
 * over the old one), and removed on shutdown if it is still the one written.
 */
import { basename, dirname, resolve } from "node:path";
import { PathError } from "./errors.ts";

/** The first line of every file iam-pgpass writes; it recognizes its own. */
export const MARKER = "# written by iam-pgpass; do not edit";

/** A password file this run may write. */
export interface PasswordFile {
  path: string;
  /** Replaces the whole content; readers see the old or the new, never less. */
  write(text: string): Promise<void>;
  /** Removes the file if it is still the one last written here. */
  remove(): Promise<void>;
}

/** Options for {@link openPasswordFile}. */
export interface OpenOptions {
  /** Take over an existing regular file that iam-pgpass did not write. */
  replace?: boolean;
}

/**
 * Checks that a password file may be kept at `path` and returns a writer for
 * it; writes nothing. Throws a `PathError` naming the path and the reason.
 */
export async function openPasswordFile(
  path: string,
  options: OpenOptions = {},
): Promise<PasswordFile> {
  await checkDirectory(path);
  const info = await lstatOrNull(path);
  if (info !== null) await checkExisting(path, info, options);
  const dir = dirname(resolve(path));
  const name = basename(path);
  let writtenIno: number | null = null;

  return {
    path,
    async write(text) {
      const temp = `${dir}/.${name}.${crypto.randomUUID().slice(0, 8)}.tmp`;
      // createNew (O_EXCL) refuses an existing name or a planted symlink;
      // the mode is set again below because the umask may have cut it.
      const file = await Deno.open(temp, {
        write: true,
        createNew: true,
        mode: 0o600,
      });
      try {
        await Deno.chmod(temp, 0o600);
        await writeAll(file, new TextEncoder().encode(`${MARKER}\n${text}`));
        await file.syncData();
        file.close();
        writtenIno = (await Deno.stat(temp)).ino;
        await Deno.rename(temp, path);
      } catch (error) {
        try {
          file.close();
        } catch { /* already closed */ }
        await Deno.remove(temp).catch(() => {});
        throw error;
      }
    },
    async remove() {
      const now = await lstatOrNull(path);
      if (now?.isFile && writtenIno !== null && now.ino === writtenIno) {
        await Deno.remove(path);
      }
    },
  };
}

/** Whether `text` starts with the line iam-pgpass puts first. */
export function isOwnContent(text: string): boolean {
  return text === MARKER || text.startsWith(`${MARKER}\n`);
}

async function checkExisting(
  path: string,
  info: Deno.FileInfo,
  options: OpenOptions,
): Promise<void> {
  if (!info.isFile) {
    throw new PathError(
      `Cannot write a password file at "${path}": it is ${
        describeKind(info)
      }; expected a regular file or a path that does not exist`,
    );
  }
  if (info.uid !== null && info.uid !== Deno.uid()) {
    throw new PathError(
      `Cannot write a password file at "${path}": the file belongs to uid ${info.uid}; expected one owned by you (uid ${Deno.uid()})`,
    );
  }
  if (options.replace || isOwnContent(await readHead(path))) return;
  throw new PathError(
    `Cannot write a password file at "${path}": iam-pgpass did not write it; pass --replace to overwrite it`,
  );
}

async function checkDirectory(path: string): Promise<void> {
  const parent = dirname(resolve(path));
  const info = await Deno.stat(parent).catch((error) => {
    if (error instanceof Deno.errors.NotFound) return null;
    throw refused(path, error);
  });
  if (info === null) {
    throw new PathError(
      `Cannot write a password file at "${path}": directory "${parent}" does not exist`,
    );
  }
  if (!info.isDirectory) {
    throw new PathError(
      `Cannot write a password file at "${path}": "${parent}" is not a directory`,
    );
  }
  const mode = info.mode ?? 0;
  // Without the sticky bit, anyone who can write the directory can rename
  // another file over ours and hand clients their own password.
  if ((mode & 0o002) !== 0 && (mode & 0o1000) === 0) {
    throw new PathError(
      `Cannot write a password file at "${path}": directory "${parent}" is writable by others and has no sticky bit`,
    );
  }
}

async function readHead(path: string): Promise<string> {
  const file = await Deno.open(path, { read: true });
  try {
    const buffer = new Uint8Array(MARKER.length + 1);
    let length = 0;
    while (length < buffer.length) {
      const n = await file.read(buffer.subarray(length));
      if (n === null) break;
      length += n;
    }
    return new TextDecoder().decode(buffer.subarray(0, length));
  } finally {
    file.close();
  }
}

async function lstatOrNull(path: string): Promise<Deno.FileInfo | null> {
  try {
    return await Deno.lstat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw refused(path, error);
  }
}

/**
 * Deno keeps /dev, /proc and /sys behind --allow-all, which iam-pgpass never
 * asks for: say what is wrong with the path instead of passing that on.
 */
function refused(path: string, error: unknown): unknown {
  if (!(error instanceof Deno.errors.NotCapable)) return error;
  return new PathError(
    `Cannot write a password file at "${path}": it is under /dev, /proc or /sys; expected a regular file elsewhere`,
  );
}

async function writeAll(file: Deno.FsFile, data: Uint8Array): Promise<void> {
  let written = 0;
  while (written < data.length) {
    written += await file.write(data.subarray(written));
  }
}

function describeKind(info: Deno.FileInfo): string {
  if (info.isSymlink) return "a symbolic link";
  if (info.isDirectory) return "a directory";
  if (info.isFifo) return "a named pipe";
  if (info.isSocket) return "a socket";
  return "a device";
}
