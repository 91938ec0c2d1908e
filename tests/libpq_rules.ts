/**
 * The reference reader of password-file lines, following libpq's
 * `passwordFromFile` step by step, so tests can check that what iam-pgpass
 * writes is read back as intended. It lives in `lib/pgpass_parse.ts`, apart
 * from the writer in `lib/pgpass.ts`, because `check` reads files with it.
 */
export { libpqPassword } from "../lib/pgpass_parse.ts";
