/**
 * Cached builds of the compiled client programs (Go and Java) under the
 * repository's `.cache/clients/`. A build is redone only when a source file
 * is newer than its output.
 */

const PROGRAMS = new URL("./programs/", import.meta.url).pathname;

/** Where the builds go; `.cache/` is ignored by git. */
export const CACHE_DIR = new URL("../../.cache/clients/", import.meta.url)
  .pathname;

/** The pgjdbc jar from Debian's `libpostgresql-jdbc-java`. */
export const PGJDBC_JAR = "/usr/share/java/postgresql.jar";

const pending = new Map<string, Promise<string>>();

/**
 * Builds `programs/<dir>/main.go` in GOPATH mode against Debian's Go packages
 * and returns the binary's path.
 */
export function buildGo(dir: "go_libpq" | "go_pgx"): Promise<string> {
  return once(dir, async () => {
    const output = `${CACHE_DIR}${dir}`;
    if (await isFresh(output, `${PROGRAMS}${dir}/main.go`)) return output;
    await Deno.mkdir(CACHE_DIR, { recursive: true });
    // Build beside the target and rename, so a concurrent run never
    // executes a half-written binary.
    const temporary = `${output}.${Deno.pid}.tmp`;
    await run("go", ["build", "-o", temporary, `${PROGRAMS}${dir}/main.go`], {
      GO111MODULE: "off",
      GOPATH: "/usr/share/gocode",
      GOCACHE: `${CACHE_DIR}gocache`,
    });
    await Deno.rename(temporary, output);
    return output;
  });
}

/**
 * Compiles `programs/PgjdbcClient.java` and returns the class path to run it
 * with, the pgjdbc jar included.
 */
export function buildJava(): Promise<string> {
  return once("java", async () => {
    const output = `${CACHE_DIR}java`;
    const classPath = `${output}:${PGJDBC_JAR}`;
    const source = `${PROGRAMS}PgjdbcClient.java`;
    if (await isFresh(`${output}/PgjdbcClient.class`, source)) {
      return classPath;
    }
    await Deno.mkdir(CACHE_DIR, { recursive: true });
    const temporary = `${output}.${Deno.pid}.tmp`;
    await run("javac", ["-d", temporary, "-cp", PGJDBC_JAR, source]);
    await Deno.remove(output, { recursive: true }).catch(() => {});
    await Deno.rename(temporary, output);
    return classPath;
  });
}

function once(key: string, build: () => Promise<string>): Promise<string> {
  let promise = pending.get(key);
  if (!promise) {
    promise = build();
    // A failed build is retried by the next caller.
    promise.catch(() => pending.delete(key));
    pending.set(key, promise);
  }
  return promise;
}

async function isFresh(output: string, source: string): Promise<boolean> {
  try {
    const built = (await Deno.stat(output)).mtime!;
    return (await Deno.stat(source)).mtime! <= built;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

async function run(
  command: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<void> {
  let output;
  try {
    output = await new Deno.Command(command, { args, env, stdin: "null" })
      .output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(`Cannot build with '${command}': not installed`);
    }
    throw error;
  }
  if (!output.success) {
    const stderr = new TextDecoder().decode(output.stderr).trim();
    throw new Error(`Cannot build with '${command}': ${stderr}`);
  }
}
