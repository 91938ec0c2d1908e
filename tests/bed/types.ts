/** The types shared by the two forms of the bed. */

/** The endpoint tokens are signed for; the port defaults to the bed's. */
export interface Endpoint {
  hostname: string;
  port?: number;
}

/** What a bed stands for: endpoint, region, IAM users and their database. */
export interface BedOptions {
  /** Default: `{ hostname: "localhost" }` on the bed's own port. */
  endpoint?: Endpoint;
  region: string;
  users: readonly string[];
  database: string;
  /** The key the bed accepts; default `TEST_CREDENTIALS`. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** A running bed, either form; `stop()` always cleans up. */
export interface Bed extends AsyncDisposable {
  kind: "rds-box" | "stand-in";
  /** What clients dial. */
  host: string;
  port: number;
  /** The `sslmode` clients need: `require` for the box, `disable` else. */
  sslmode: "require" | "disable";
  /** The endpoint tokens must be signed for. */
  endpoint: { hostname: string; port: number };
  /** One line per login attempt: user, token length, ok or the reason. */
  verifierLog(): Promise<string[]>;
  stop(): Promise<void>;
}
