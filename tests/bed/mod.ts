/**
 * The test bed: a server that checks IAM tokens as RDS does. As root it is
 * RDS in a box (PostgreSQL with PAM and TLS); otherwise the wire-protocol
 * stand-in in front of a throwaway PostgreSQL.
 */
import { startRdsBox } from "./rds_box.ts";
import { startStandInBed } from "./standin.ts";
import type { Bed, BedOptions } from "./types.ts";

export type { Bed, BedOptions, Endpoint } from "./types.ts";
export {
  TEST_CREDENTIALS,
  TEST_DATABASE,
  TEST_REGION,
  TEST_USERS,
} from "./fixtures.ts";

/**
 * Starts RDS in a box when running as root and the stand-in otherwise,
 * saying loudly on stderr when the box is skipped. `kind` forces a form.
 */
export function startBed(
  options: BedOptions & { kind?: Bed["kind"] },
): Promise<Bed> {
  const kind = options.kind ?? (Deno.uid() === 0 ? "rds-box" : "stand-in");
  if (kind === "rds-box") return startRdsBox(options);
  if (options.kind === undefined) {
    console.error(
      "!!! RDS IN A BOX IS NOT EXERCISED: not running as root, so no " +
        "/etc/pam.d service can be written; using the wire-protocol " +
        "stand-in (no TLS) instead !!!",
    );
  }
  return startStandInBed(options);
}
