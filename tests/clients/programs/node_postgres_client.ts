/**
 * Logs in with node-postgres (`npm:pg`) from the PG* environment alone and
 * prints `current_user`. With no password given, pg asks its `pgpass` module,
 * which reads `PGPASSFILE`.
 */
import pg from "pg";

const encoder = new TextEncoder();
const client = new pg.Client();
try {
  await client.connect();
  const result = await client.query("select current_user as user");
  await Deno.stdout.write(encoder.encode(`${result.rows[0].user}\n`));
  await client.end();
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  await Deno.stderr.write(encoder.encode(`${message}\n`));
  Deno.exit(1);
}
