/** The `--help` texts: the main one, and one per subcommand. */

const SIGNING_OPTIONS =
  `  --host <name>        host the client dials and the token is signed for
                       (PGHOST, default localhost); a comma-separated list
                       gives one line per host, as libpq tries each
  --port <number>      port (PGPORT, default 5432); one for every host, or
                       a list with one per host
  --user <name>        database user (PGUSER, default postgres)
  --database <name>    database the line matches (PGDATABASE, default *)
  --endpoint <host[:port]>
                       sign the token for this RDS endpoint instead of
                       --host and --port: through a tunnel the client dials
                       localhost:15432, but RDS accepts only tokens signed
                       for <name>.<id>.<region>.rds.amazonaws.com:5432
  --region <region>    AWS region to sign for (default: the region in an
                       RDS host name, else AWS_REGION, AWS_DEFAULT_REGION or
                       the profile's region)
  --profile <name>     AWS profile for credentials (AWS_PROFILE)
  --log-level <level>  error, warn, info (default) or debug; logs go to stderr
  -q, --quiet          same as --log-level warn
  -v, --verbose        same as --log-level debug
  -h, --help           show this text`;

const WRITER_OPTIONS = `  --no-escape-password
                       write the token without escaping ":" and "\\"; only
                       for asyncpg, which keeps the backslashes; libpq,
                       pgjdbc and the Go drivers then cut or skip the line
  --refresh-interval <seconds>
                       sign new tokens at least this often (default 300; a
                       token lives 900 s, or less when the credentials
                       expire sooner, and is renewed at half its life)`;

const CONFIG_OPTION =
  `  --config <path>      serve every entry of a TOML file instead of the
                       options above (see "Config file" below)`;

const CONFIG =
  `Config file (--config): one [[entry]] table per line to serve, for
example:
  region = "eu-central-1"          # optional default for every entry

  [[entry]]
  name = "orders through a tunnel" # optional, for messages
  host = "localhost"               # what the client dials; required
  port = 15432                     # default 5432
  database = "*"                   # default *, any database
  user = "app"                     # required: a token is for one user
  endpoint = "orders.abc123.eu-central-1.rds.amazonaws.com:5432"
  profile = "prod"                 # AWS profile; default AWS_PROFILE

  [[entry]]
  host = "reports.xyz789.eu-west-1.rds.amazonaws.com"
  user = "reporter"

"endpoint" defaults to host and port, "region" to the region in the
endpoint's name, else AWS_REGION, AWS_DEFAULT_REGION or the profile's. host
"*" needs an endpoint, and port "*" an endpoint with a port. Unknown keys
and bad values are refused, naming the file, entry and key. SIGHUP reads
the file again without stopping: a pipe keeps serving, a file is rewritten;
if the new file is bad, the error is logged and the old entries stay.`;

const CREDENTIALS =
  `Credentials come from the AWS SDK's default chain: AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY, AWS_PROFILE with the shared config and credentials
files (credential_process, role_arn, SSO), web identity, container and
instance credentials.`;

/** The main `--help` text. */
export const HELP =
  `iam-pgpass: serve PostgreSQL password-file lines holding fresh RDS IAM tokens

Usage:
  iam-pgpass exec [options] -- <command> [args...]
  iam-pgpass --file <path> [options]
  iam-pgpass token [options]
  iam-pgpass check [options]
  iam-pgpass [options] <path>

Each line reads host:port:database:user:<token>, with an IAM token signed
for the endpoint. Point PGPASSFILE at it: PGPASSFILE=<path> some-client

exec runs one command with PGPASSFILE set to a private file, kept fresh
while the command runs and removed when it ends (see iam-pgpass exec --help).

--file <path> keeps a regular password file (mode 0600) at <path>, replaced
atomically well before its tokens expire and removed on exit. Every client
reads it: libpq (psql, pg_dump, psycopg), asyncpg, node-postgres, pgjdbc and
the Go drivers.

token prints one token, or with --line one password-file line
(see iam-pgpass token --help).

check explains what a client with the current PG* settings gets from
PGPASSFILE, or why it gets no valid token (see iam-pgpass check --help).

<path> alone makes a named pipe there (mode 0600), or reuses a pipe of
yours, and gives every client that opens it a freshly signed line. Only
pgjdbc, Go lib/pq and Go pgx read a pipe; libpq clients, asyncpg and
node-postgres refuse it ("not a plain file"), and concurrent readers of one
pipe can get nothing: prefer --file or exec. A pipe path named "exec",
"token" or "check" must be written ./exec, ./token or ./check.

Options (each overrides its environment variable):
${SIGNING_OPTIONS}
${CONFIG_OPTION}
  -V, --version        show the version

Options with --file:
  --replace            overwrite an existing file that iam-pgpass did not
                       write (it refuses by default)
${WRITER_OPTIONS}

${CONFIG}

A warning is logged at start when a token would be signed for a host that
is not an RDS endpoint name (localhost, an IP address, your own DNS name)
and no endpoint is given: RDS refuses such tokens.

${CREDENTIALS}

A failure to sign is logged and retried. A pipe's reader then gets a
comment line explaining it; a file keeps its tokens while they are valid,
then holds that comment instead, so clients fail for want of a password
rather than with an expired token.

Exit codes:
  0    stopped normally
  1    unexpected failure
  2    bad option, argument or setting
  3    the path cannot be served at (nothing was created)
  4    no AWS region found
  5    no token could be signed (token, exec)
  6    check: no client would get a valid token
  126  exec: the command could not be run
  127  exec: the command was not found
  129  stopped by SIGHUP (without --config; with it, SIGHUP reloads)
  130  stopped by SIGINT
  143  stopped by SIGTERM
`;

/** The `exec --help` text. */
export const EXEC_HELP =
  `iam-pgpass exec: run a command that finds fresh IAM tokens in PGPASSFILE

Usage:
  iam-pgpass exec [options] -- <command> [args...]

Makes a directory of mode 0700 (under XDG_RUNTIME_DIR when set, else the
system's temporary directory) holding a 0600 password file, runs <command>
with PGPASSFILE naming that file, renews its tokens while the command runs,
and removes the directory when the command ends, however it ends (except
when iam-pgpass itself is killed with SIGKILL). For example:
  PGHOST=db.example.eu-central-1.rds.amazonaws.com PGUSER=app \\
    iam-pgpass exec -- psql -c 'select current_user'

SIGINT, SIGTERM and SIGHUP are passed on to the command. The exit status is
the command's, or 128 + the signal number if a signal ended it; 127 when the
command is not found, 126 when it cannot be run, 5 when no token could be
signed (the command is not run then). It needs deno run --allow-run without
a list, since the command can be any program.

Options (each overrides its environment variable):
${SIGNING_OPTIONS}
  --config <path>      every entry of a TOML file instead of the options
                       above (see iam-pgpass --help); SIGHUP still goes to
                       the command and does not reload the file
${WRITER_OPTIONS}

${CREDENTIALS}
`;

/** The `token --help` text. */
export const TOKEN_HELP =
  `iam-pgpass token: print one IAM token, like aws rds generate-db-auth-token

Usage:
  iam-pgpass token [options]

Prints a token signed now for the host, port and user, valid for 900
seconds (less if the credentials expire sooner); with --line, a whole
password-file line host:port:database:user:<token> instead.

Options (each overrides its environment variable):
${SIGNING_OPTIONS}
  --line               print a password-file line instead of the token
  --no-escape-password with --line: leave ":" and "\\" in the token unescaped
                       (only for asyncpg)

${CREDENTIALS}

Exit codes: 0 printed, 2 bad option, 4 no AWS region found, 5 no token
could be signed (no credentials, or they were refused).
`;

/** The `check --help` text. */
export const CHECK_HELP =
  `iam-pgpass check: explain what a client gets from its password file

Usage:
  iam-pgpass check [options]

Reads the password file as a client with the current PG* settings would
(PGPASSFILE, default ~/.pgpass) and says: whether it is a regular file or
a named pipe, its mode and owner, and which clients read it; which line
matches, following libpq's rules (exact comparison, "*" wildcards, "\\"
escapes), or why each line does not; the token's age and expiry, the host,
port, user and region it is signed for; the access key id of the AWS
credentials found here (never the secret; no AWS call is made); and a
warning when sslmode lets the token travel without TLS. Reading a named
pipe takes one line from its server, as any client does. No token or
password is printed.

Options (each overrides its environment variable):
  --host <name>        host the client dials (PGHOST, default localhost)
  --port <number>      port (PGPORT, default 5432)
  --user <name>        user (PGUSER, default your login name, as libpq)
  --database <name>    database (PGDATABASE, default the user name)
  --sslmode <mode>     libpq sslmode (PGSSLMODE, default prefer)
  --passfile <path>    password file (PGPASSFILE, default ~/.pgpass)
  --profile <name>     AWS profile whose credentials are shown (AWS_PROFILE)
  --json               print one JSON object instead of text
  -h, --help           show this text

Exit codes: 0 at least one client gets a valid token, 2 bad option, 6 no
client would (missing file, no matching line, expired or wrong token).
`;

/** The help text for a subcommand, or the main one. */
export function helpFor(topic: "exec" | "token" | undefined): string {
  if (topic === "exec") return EXEC_HELP;
  if (topic === "token") return TOKEN_HELP;
  return HELP;
}
