/**
 * A PostgreSQL wire-protocol stand-in for RDS, for runs without root and
 * for the demo: it refuses TLS, asks for a clear-text password, checks it
 * with the verifier, and either answers with PostgreSQL's own PAM failure
 * or relays the session to a real PostgreSQL that trusts the user.
 */
import { TEST_CREDENTIALS } from "./fixtures.ts";
import { attemptLine } from "./pam_verifier.ts";
import { quoteIdent, startPostgres } from "./postgres.ts";
import type { Bed, BedOptions, Endpoint } from "./types.ts";
import { type Expectation, verifyToken } from "./verifier.ts";
import * as wire from "./wire.ts";

/** How to run a stand-in. */
export interface StandInOptions {
  /** The real server's port on 127.0.0.1; it must trust the IAM users. */
  upstreamPort: number;
  /** Default: `{ hostname: "localhost" }` on the stand-in's own port. */
  endpoint?: Endpoint;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** The verifier's clock; default the system clock. */
  now?: () => Date;
}

/** A running stand-in on a free loopback port. */
export interface StandIn extends AsyncDisposable {
  port: number;
  endpoint: { hostname: string; port: number };
  /** One line per login attempt, as `pam_verifier.ts` writes them. */
  attempts(): string[];
  /** Stops listening, closes every session and waits for them to end. */
  stop(): Promise<void>;
}

/** Starts a stand-in on 127.0.0.1 at a free port. */
export function startStandIn(options: StandInOptions): StandIn {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const endpoint = {
    hostname: options.endpoint?.hostname ?? "localhost",
    port: options.endpoint?.port ?? port,
  };
  const expect: Expectation = {
    ...endpoint,
    region: options.region,
    ...options.credentials,
  };
  const now = options.now ?? (() => new Date());
  const log: string[] = [];
  const open = new Set<Deno.Conn>();
  const sessions = new Set<Promise<void>>();
  const verify = (user: string, password: string) => {
    const verdict = verifyToken(password, user, expect, now());
    log.push(attemptLine(user, password, verdict));
    return verdict.ok;
  };
  const accepting = (async () => {
    try {
      for await (const conn of listener) {
        const session = serve(conn, options.upstreamPort, verify, open)
          .finally(() => sessions.delete(session));
        sessions.add(session);
      }
    } catch {
      // The listener was closed by stop().
    }
  })();
  let stopped: Promise<void> | undefined;
  const stop = () =>
    stopped ??= (async () => {
      close(listener);
      await accepting;
      for (const conn of open) close(conn);
      await Promise.allSettled([...sessions]);
    })();
  return {
    port,
    endpoint,
    attempts: () => [...log],
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/**
 * Starts a PostgreSQL that trusts the IAM users from loopback, and a
 * stand-in in front of it. Deno asks for net access to every unix socket
 * path, so the stand-in dials the server over TCP instead.
 */
export async function startStandInBed(options: BedOptions): Promise<Bed> {
  const users = options.users.map(quoteIdent).join(",");
  const pg = await startPostgres({
    hbaLines: [
      `host ${quoteIdent(options.database)} ${users} 127.0.0.1/32 trust`,
    ],
    roles: options.users,
    databases: [options.database],
  });
  const standIn = startStandIn({
    upstreamPort: pg.port,
    endpoint: options.endpoint,
    region: options.region,
    credentials: options.credentials ?? TEST_CREDENTIALS,
  });
  const stop = async () => {
    await standIn.stop();
    await pg.stop();
  };
  return {
    kind: "stand-in",
    host: "localhost",
    port: standIn.port,
    sslmode: "disable",
    endpoint: standIn.endpoint,
    verifierLog: () => Promise.resolve(standIn.attempts()),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

async function serve(
  client: Deno.Conn,
  upstreamPort: number,
  verify: (user: string, password: string) => boolean,
  open: Set<Deno.Conn>,
): Promise<void> {
  open.add(client);
  let server: Deno.Conn | undefined;
  try {
    const reader = new wire.MessageReader(client);
    const startup = await readStartup(client, reader);
    if (startup === null) return;
    if (wire.requestCode(startup) === wire.CANCEL_REQUEST) {
      // The client holds the real server's key, so the real server decides.
      server = await Deno.connect({
        hostname: "127.0.0.1",
        port: upstreamPort,
      });
      await writeAll(server, startup);
      return;
    }
    const user = wire.startupParameters(startup).get("user") ?? "";
    await writeAll(client, wire.cleartextPasswordRequest());
    const reply = await wire.readTyped(reader);
    if (reply === null || reply.type !== "p") return;
    if (!verify(user, wire.passwordText(reply.body))) {
      const message = `PAM authentication failed for user "${user}"`;
      await writeAll(client, wire.fatalError("28000", message));
      return;
    }
    server = await Deno.connect({ hostname: "127.0.0.1", port: upstreamPort });
    open.add(server);
    await writeAll(server, startup);
    await writeAll(server, reader.takeBuffered());
    await Promise.race([copy(client, server), copy(server, client)]);
  } catch {
    // A peer went away mid-message; the session simply ends.
  } finally {
    for (const conn of [client, server]) {
      if (conn) {
        open.delete(conn);
        close(conn);
      }
    }
  }
}

async function readStartup(
  client: Deno.Conn,
  reader: wire.MessageReader,
): Promise<Uint8Array | null> {
  for (;;) {
    const message = await wire.readUntyped(reader);
    if (message === null) return null;
    const code = wire.requestCode(message);
    if (code !== wire.SSL_REQUEST && code !== wire.GSSENC_REQUEST) {
      return message;
    }
    // Deno cannot start TLS on an accepted socket here: answer "no TLS".
    await writeAll(client, new TextEncoder().encode("N"));
  }
}

async function copy(from: Deno.Conn, to: Deno.Conn): Promise<void> {
  const buffer = new Uint8Array(32 * 1024);
  try {
    for (;;) {
      const count = await from.read(buffer);
      if (count === null) return;
      await writeAll(to, buffer.subarray(0, count));
    }
  } catch {
    // Either side closed; the caller closes both.
  }
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let done = 0; done < bytes.length;) {
    done += await conn.write(bytes.subarray(done));
  }
}

function close(resource: { close(): void }): void {
  try {
    resource.close();
  } catch {
    // Already closed.
  }
}
