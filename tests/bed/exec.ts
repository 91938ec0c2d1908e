/** Small process and port helpers shared by the bed's modules. */

/** The OS user the bed runs PostgreSQL as when the tests run as root. */
export const SERVER_OS_USER = "postgres";

/** Options for {@linkcode run}. */
export interface RunOptions {
  /** Run as this OS user (through `setpriv`); the caller must be root. */
  asUser?: string;
  env?: Record<string, string>;
  stdin?: string;
}

/**
 * Runs a command to completion and returns its standard output; throws an
 * `Error` naming the command and holding its standard error when it fails.
 */
export async function run(
  cmd: string,
  args: string[],
  options: RunOptions = {},
): Promise<string> {
  const argv = options.asUser
    ? [
      "setpriv",
      `--reuid=${options.asUser}`,
      `--regid=${options.asUser}`,
      "--init-groups",
      "--",
      cmd,
      ...args,
    ]
    : [cmd, ...args];
  const child = new Deno.Command(argv[0], {
    args: argv.slice(1),
    env: options.env,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const { code, stdout, stderr } = await child.output();
  const decoder = new TextDecoder();
  if (code !== 0) {
    throw new Error(
      `Failed to run "${cmd}": exit ${code}: ${decoder.decode(stderr).trim()}`,
    );
  }
  return decoder.decode(stdout);
}

/** Returns a TCP port on the loopback address that was free a moment ago. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Whether the tests run as root, the only case where RDS in a box works. */
export function isRoot(): boolean {
  return Deno.uid() === 0;
}
