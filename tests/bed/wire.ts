/**
 * The few pieces of the PostgreSQL frontend/backend protocol (version 3)
 * that the stand-in speaks before it hands a session to the real server.
 */

/** The request codes a client may send instead of a startup message. */
export const SSL_REQUEST = 80877103;
export const GSSENC_REQUEST = 80877104;
export const CANCEL_REQUEST = 80877102;

/** The largest startup or password message the stand-in accepts. */
export const MAX_MESSAGE_BYTES = 64 * 1024;

/** Reads whole messages from a connection, keeping any bytes read ahead. */
export class MessageReader {
  #conn: Deno.Conn;
  #buffered: Uint8Array = new Uint8Array(0);

  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  /** Reads exactly `n` bytes, or returns `null` if the peer closes first. */
  async readExactly(n: number): Promise<Uint8Array | null> {
    while (this.#buffered.length < n) {
      const chunk = new Uint8Array(Math.max(n - this.#buffered.length, 8192));
      const count = await this.#conn.read(chunk);
      if (count === null) return null;
      this.#buffered = concat(this.#buffered, chunk.subarray(0, count));
    }
    const out = this.#buffered.slice(0, n);
    this.#buffered = this.#buffered.slice(n);
    return out;
  }

  /** Returns and forgets the bytes read ahead of the last message. */
  takeBuffered(): Uint8Array {
    const out = this.#buffered;
    this.#buffered = new Uint8Array(0);
    return out;
  }
}

/**
 * Reads an untyped message (startup, SSL, GSS or cancel request) and
 * returns it whole, length included; `null` on close or a bad length.
 */
export async function readUntyped(
  reader: MessageReader,
): Promise<Uint8Array | null> {
  const head = await reader.readExactly(4);
  if (head === null) return null;
  const length = view(head).getInt32(0);
  if (length < 8 || length > MAX_MESSAGE_BYTES) return null;
  const rest = await reader.readExactly(length - 4);
  return rest === null ? null : concat(head, rest);
}

/** Reads a typed message; `null` on close or a bad length. */
export async function readTyped(
  reader: MessageReader,
): Promise<{ type: string; body: Uint8Array } | null> {
  const head = await reader.readExactly(5);
  if (head === null) return null;
  const length = view(head).getInt32(1);
  if (length < 4 || length > MAX_MESSAGE_BYTES) return null;
  const body = await reader.readExactly(length - 4);
  if (body === null) return null;
  return { type: String.fromCharCode(head[0]), body };
}

/** The request code (or protocol version) of an untyped message. */
export function requestCode(message: Uint8Array): number {
  return view(message).getInt32(4);
}

/** The `name=value` parameters of a startup message. */
export function startupParameters(message: Uint8Array): Map<string, string> {
  const fields = new TextDecoder().decode(message.subarray(8)).split("\0");
  const params = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length && fields[i] !== ""; i += 2) {
    params.set(fields[i], fields[i + 1]);
  }
  return params;
}

/** The body of a PasswordMessage as text, without its closing NUL. */
export function passwordText(body: Uint8Array): string {
  const end = body.indexOf(0);
  return new TextDecoder().decode(body.subarray(0, end < 0 ? undefined : end));
}

/** AuthenticationCleartextPassword: asks the client for its password. */
export function cleartextPasswordRequest(): Uint8Array {
  const out = new Uint8Array(9);
  out[0] = "R".charCodeAt(0);
  view(out).setInt32(1, 8);
  view(out).setInt32(5, 3);
  return out;
}

/** An ErrorResponse with severity FATAL, the SQLSTATE and the message. */
export function fatalError(sqlstate: string, message: string): Uint8Array {
  const fields = [`SFATAL`, `VFATAL`, `C${sqlstate}`, `M${message}`];
  const body = new TextEncoder().encode(fields.join("\0") + "\0\0");
  const out = new Uint8Array(5 + body.length);
  out[0] = "E".charCodeAt(0);
  view(out).setInt32(1, 4 + body.length);
  out.set(body, 5);
  return out;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
