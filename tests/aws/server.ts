/**
 * What every AWS stand-in shares: an HTTP server on a free loopback port that
 * can be made to fail (500) or go down (refuse connections) and come back on
 * the same port, and the credentials it handed out, so tests can verify the
 * tokens signed with them.
 */

/** Temporary credentials as a stand-in issued them. */
export interface IssuedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

/** Issues numbered credentials that live `lifeMs` from the moment issued. */
export class CredentialIssuer {
  readonly issued: IssuedCredentials[] = [];

  constructor(readonly prefix: string, public lifeMs: number) {}

  /** New credentials; the key id and session token say which these are. */
  issue(): IssuedCredentials {
    const n = this.issued.length + 1;
    const id = `${this.prefix}${String(n).padStart(4, "0")}`;
    const credentials = {
      accessKeyId: `ASIA${id}`,
      secretAccessKey: `secret/${id}/not+a+real+one`,
      sessionToken: `session-${id}`,
      // Whole seconds, as AWS writes them: the SDK parses what it is sent.
      expiration: new Date(
        Math.floor((Date.now() + this.lifeMs) / 1000) * 1000,
      ),
    };
    this.issued.push(credentials);
    return credentials;
  }

  /** The credentials that carry `sessionToken`, if this issuer made them. */
  bySessionToken(sessionToken: string): IssuedCredentials | undefined {
    return this.issued.find((c) => c.sessionToken === sessionToken);
  }
}

/** A running stand-in. */
export interface StandInServer extends AsyncDisposable {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  readonly url: string;
  /** Requests answered so far, failures included. */
  readonly requests: number;
  /** While true, every request gets a 500. */
  failing: boolean;
  /** Stops listening: connections are refused until {@link up}. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): void;
  close(): Promise<void>;
}

/** Serves `handler` on a free loopback port. */
export function serveStandIn(
  handler: (request: Request) => Response | Promise<Response>,
): StandInServer {
  let requests = 0;
  let failing = false;
  const handle = async (request: Request) => {
    requests++;
    if (failing) {
      await request.body?.cancel();
      return new Response("stand-in is failing on purpose", { status: 500 });
    }
    return await handler(request);
  };
  const listen = (port: number) =>
    Deno.serve({ hostname: "127.0.0.1", port, onListen: () => {} }, handle);
  let server: Deno.HttpServer<Deno.NetAddr> | null = listen(0);
  const port = server.addr.port;
  const stop = async () => {
    const running = server;
    server = null;
    if (running) await running.shutdown();
  };
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return requests;
    },
    get failing() {
      return failing;
    },
    set failing(value: boolean) {
      failing = value;
    },
    down: stop,
    up() {
      server ??= listen(port);
    },
    close: stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** A JSON response. */
export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
}
