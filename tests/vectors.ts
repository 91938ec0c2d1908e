/** The RDS token vectors in `testdata/`, made by botocore with a frozen clock. */

/** One vector: what was signed, by whom, when, and the token botocore made. */
export interface Vector {
  hostname: string;
  port: number;
  username: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string | null;
  signingTime: string;
  token: string;
}

/** Every vector in `testdata/rds-tokens.json`. */
export const VECTORS: Vector[] = JSON.parse(
  await Deno.readTextFile(
    new URL("./testdata/rds-tokens.json", import.meta.url),
  ),
).vectors;
