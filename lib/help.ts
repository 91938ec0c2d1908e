/** The `--help` text. */
export const HELP =
  `iam-pgpass: serve PostgreSQL password-file lines holding fresh RDS IAM tokens

Usage:
  iam-pgpass [options] <path>

Makes a named pipe at <path> (mode 0600), or reuses an existing pipe of
yours, and gives every client that opens it a line
  host:port:database:user:<token>
with an IAM token signed moments before. Point PGPASSFILE at the pipe:
  PGPASSFILE=<path> some-client

Clients that read a pipe: pgjdbc, Go lib/pq, Go pgx. libpq clients (psql,
pg_dump, psycopg), asyncpg and node-postgres refuse a pipe ("not a plain
file"); see the README for the file mode they need.

Options (each overrides its environment variable):
  --host <name>        host the client dials and the token is signed for
                       (PGHOST, default localhost)
  --port <number>      port (PGPORT, default 5432)
  --user <name>        database user (PGUSER, default postgres)
  --database <name>    database the line matches (PGDATABASE, default *)
  --region <region>    AWS region to sign for (default: the region in an
                       RDS host name, else AWS_REGION, AWS_DEFAULT_REGION or
                       the profile's region)
  --profile <name>     AWS profile for credentials (AWS_PROFILE)
  --log-level <level>  error, warn, info (default) or debug; logs go to stderr
  -q, --quiet          same as --log-level warn
  -v, --verbose        same as --log-level debug
  -h, --help           show this text
  -V, --version        show the version

Credentials come from the AWS SDK's default chain: AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY, AWS_PROFILE with the shared config and credentials
files (credential_process, role_arn, SSO), web identity, container and
instance credentials. A failure to sign is logged and the reader gets a
comment line explaining it; the server keeps serving.

Exit codes:
  0    stopped normally
  1    unexpected failure
  2    bad option, argument or setting
  3    the path cannot be served at (nothing was created)
  4    no AWS region found
  130  stopped by SIGINT
  143  stopped by SIGTERM
`;
