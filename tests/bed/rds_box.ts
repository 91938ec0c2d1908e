/**
 * "RDS in a box": a real PostgreSQL that checks IAM tokens through PAM as
 * RDS does, with `ssl=on`, `hostnossl ... reject` for the IAM users and
 * `hostssl ... pam` handing their passwords to `pam_exec.so`, which runs
 * `pam_verifier.ts`. Writes `/etc/pam.d`, so it needs root.
 */
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { TEST_CREDENTIALS } from "./fixtures.ts";
import { run } from "./exec.ts";
import type { PamVerifierConfig } from "./pam_verifier.ts";
import { quoteIdent, startPostgres } from "./postgres.ts";
import type { Bed, BedOptions } from "./types.ts";

const HERE = dirname(fileURLToPath(import.meta.url));

/** Starts RDS in a box; throws a `TypeError` when not run as root. */
export async function startRdsBox(options: BedOptions): Promise<Bed> {
  if (Deno.uid() !== 0) {
    throw new TypeError("Failed to start RDS in a box: it needs root");
  }
  const service = `iam-pgpass-bed-${crypto.randomUUID().slice(0, 8)}`;
  const pamFile = `/etc/pam.d/${service}`;
  const users = options.users.map(quoteIdent).join(",");
  const db = quoteIdent(options.database);
  const pg = await startPostgres({
    ssl: true,
    hbaLines: [
      `hostnossl ${db} ${users} 127.0.0.1/32 reject`,
      `hostssl ${db} ${users} 127.0.0.1/32 pam pamservice=${service}`,
    ],
    roles: options.users,
    databases: [options.database],
  });
  const stop = async () => {
    await Deno.remove(pamFile).catch(() => {});
    await pg.stop();
  };
  try {
    const vdir = `${pg.dir}/verifier`;
    const log = `${vdir}/verifier.log`;
    const endpoint = {
      hostname: options.endpoint?.hostname ?? "localhost",
      port: options.endpoint?.port ?? pg.port,
    };
    const config: PamVerifierConfig = {
      ...endpoint,
      region: options.region,
      ...(options.credentials ?? TEST_CREDENTIALS),
      log,
    };
    await Deno.mkdir(`${vdir}/deno`, { recursive: true });
    // The server's user cannot be assumed to read the checkout, so the
    // verifier runs from copies beside the cluster.
    for (const file of ["sigv4.ts", "verifier.ts", "pam_verifier.ts"]) {
      await Deno.copyFile(`${HERE}/${file}`, `${vdir}/${file}`);
    }
    await Deno.writeTextFile(`${vdir}/config.json`, JSON.stringify(config));
    await Deno.writeTextFile(log, "");
    await Deno.writeTextFile(`${vdir}/verify.sh`, wrapper(vdir, log), {
      mode: 0o755,
    });
    await Deno.chmod(`${vdir}/verify.sh`, 0o755);
    await run("chown", ["-R", pg.osUser!, vdir]);
    await Deno.chmod(`${vdir}/config.json`, 0o600);
    await Deno.writeTextFile(
      pamFile,
      `auth required pam_exec.so expose_authtok quiet ${vdir}/verify.sh\n` +
        "account required pam_permit.so\n",
    );
    return {
      kind: "rds-box",
      host: "localhost",
      port: pg.port,
      sslmode: "require",
      endpoint,
      verifierLog: async () =>
        (await Deno.readTextFile(log)).split("\n").filter((l) => l !== ""),
      stop,
      [Symbol.asyncDispose]: stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function wrapper(vdir: string, log: string): string {
  const flags = [
    "--no-config",
    "--no-lock",
    "--no-prompt",
    "--quiet",
    `--allow-read=${vdir}`,
    `--allow-write=${log}`,
    "--allow-env=PAM_USER",
  ];
  return [
    "#!/bin/sh",
    `export DENO_DIR='${vdir}/deno' HOME='${vdir}' DENO_NO_UPDATE_CHECK=1`,
    `exec '${Deno.execPath()}' run ${flags.join(" ")} ` +
    `'${vdir}/pam_verifier.ts' '${vdir}/config.json'`,
    "",
  ].join("\n");
}
