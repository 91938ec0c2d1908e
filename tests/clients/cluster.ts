/**
 * A small throwaway PostgreSQL cluster for the client tests: `initdb` in a
 * temporary directory, a free port on 127.0.0.1, password logins over TCP and
 * trusted logins on its own unix socket.
 */

/** A running throwaway cluster. */
export interface Cluster {
  /** The TCP address clients dial. */
  host: string;
  port: number;
  /** The directory holding the server's unix socket. */
  socketDir: string;
  /** Runs SQL as the superuser over the unix socket; returns psql's output. */
  sql(statements: string, database?: string): Promise<string>;
  /** Stops the server at once and deletes its directory. */
  stop(): Promise<void>;
}

/** Where `initdb` and `pg_ctl` live; `PG_BINDIR` overrides the search. */
export async function findPgBinDir(): Promise<string> {
  const fromEnv = Deno.env.get("PG_BINDIR");
  if (fromEnv) return fromEnv;
  const versions: number[] = [];
  try {
    for await (const entry of Deno.readDir("/usr/lib/postgresql")) {
      if (/^\d+$/.test(entry.name)) versions.push(Number(entry.name));
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  if (versions.length === 0) {
    throw new Error(
      "Cannot find the PostgreSQL server: no /usr/lib/postgresql/<version>" +
        " (install the Debian package 'postgresql' or set 'PG_BINDIR')",
    );
  }
  return `/usr/lib/postgresql/${Math.max(...versions)}/bin`;
}

/** Returns a TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** How to start a cluster. */
export interface ClusterOptions {
  /**
   * Turns on TLS with a self-signed certificate made for the run, so clients
   * can use `sslmode=require`.
   */
  tls?: boolean;
  /** `pg_hba.conf` lines put first, so they override the defaults. */
  hba?: string[];
}

/**
 * Starts a cluster with superuser `postgres`. TCP logins use
 * `scram-sha-256`; make roles with {@linkcode Cluster.sql}. PostgreSQL
 * refuses to run as root, so as root the server runs as the OS user
 * `postgres`.
 */
export async function startCluster(
  clusterOptions: ClusterOptions = {},
): Promise<Cluster> {
  const binDir = await findPgBinDir();
  const dir = await Deno.makeTempDir({ prefix: "iam-pgpass-clients-" });
  const dataDir = `${dir}/data`;
  const port = freePort();
  const asServer = await serverUser(dir);
  try {
    await run([
      ...asServer,
      `${binDir}/initdb`,
      "--pgdata",
      dataDir,
      "--username=postgres",
      "--auth-local=trust",
      "--auth-host=scram-sha-256",
      "--encoding=UTF8",
      "--no-sync",
    ]);
    // Only these lines: TCP logins must prove a password, nothing else.
    const hba = [
      ...clusterOptions.hba ?? [],
      "local all all trust",
      "host all all 127.0.0.1/32 scram-sha-256",
    ];
    await Deno.writeTextFile(`${dataDir}/pg_hba.conf`, `${hba.join("\n")}\n`);
    const settings = [
      `-p ${port}`,
      `-k ${dir}`,
      "-c listen_addresses=127.0.0.1",
      "-c fsync=off",
      "-c password_encryption=scram-sha-256",
    ];
    if (clusterOptions.tls) {
      settings.push(...await makeCertificate(asServer, dir));
    }
    await run([
      ...asServer,
      `${binDir}/pg_ctl`,
      "--pgdata",
      dataDir,
      "--log",
      `${dir}/server.log`,
      "--wait",
      "--options",
      settings.join(" "),
      "start",
    ]);
  } catch (error) {
    await Deno.remove(dir, { recursive: true });
    throw error;
  }
  return {
    host: "127.0.0.1",
    port,
    socketDir: dir,
    sql: (statements, database = "postgres") =>
      run([
        "psql",
        "-XAtq",
        "-v",
        "ON_ERROR_STOP=1",
        "-h",
        dir,
        "-p",
        String(port),
        "-U",
        "postgres",
        "-d",
        database,
        "-c",
        statements,
      ]),
    stop: async () => {
      try {
        await run([
          ...asServer,
          `${binDir}/pg_ctl`,
          "--pgdata",
          dataDir,
          "--mode=immediate",
          "stop",
        ]);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  };
}

/** Makes a self-signed certificate; returns the server settings for it. */
async function makeCertificate(
  asServer: string[],
  dir: string,
): Promise<string[]> {
  const key = `${dir}/server.key`;
  const cert = `${dir}/server.crt`;
  await run([
    ...asServer,
    "openssl",
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "1",
    "-subj",
    "/CN=localhost",
    "-keyout",
    key,
    "-out",
    cert,
  ]);
  // PostgreSQL refuses a key that others can read.
  await run([...asServer, "chmod", "600", key]);
  return ["-c ssl=on", `-c ssl_cert_file=${cert}`, `-c ssl_key_file=${key}`];
}

/** Hands `dir` to the OS user `postgres` when we are root. */
async function serverUser(dir: string): Promise<string[]> {
  // `id` rather than Deno.uid(), which would need --allow-sys.
  if (await run(["id", "-u"]) !== "0") return [];
  const uid = Number(await run(["id", "-u", "postgres"]));
  const gid = Number(await run(["id", "-g", "postgres"]));
  await Deno.chown(dir, uid, gid);
  return ["runuser", "-u", "postgres", "--"];
}

async function run(argv: string[]): Promise<string> {
  const [command, ...args] = argv;
  const output = await new Deno.Command(command, {
    args,
    stdin: "null",
    env: { LANG: "C.UTF-8" },
  }).output();
  const decoder = new TextDecoder();
  if (!output.success) {
    throw new Error(
      `Cannot run '${argv.join(" ")}': exit ${output.code}: ` +
        decoder.decode(output.stderr).trim(),
    );
  }
  return decoder.decode(output.stdout).trim();
}
