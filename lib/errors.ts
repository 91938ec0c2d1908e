/**
 * The errors that `main.ts` turns into exit codes, and the codes themselves.
 * Library code throws these; only `main.ts` exits.
 */

/** Exit codes, documented in the README and `--help`. */
export const EXIT = {
  ok: 0,
  /** An unexpected failure (a bug, or the system refused something). */
  failure: 1,
  /** A bad flag, argument or setting. */
  usage: 2,
  /** The path is not something iam-pgpass may serve at. */
  path: 3,
  /** No AWS region could be found. */
  aws: 4,
  /** No token could be signed (no credentials, or AWS refused them). */
  signing: 5,
  /** `check`: no client would get a valid token from the password file. */
  check: 6,
  /** `exec`: the command could not be run (not executable). */
  cannotRun: 126,
  /** `exec`: the command was not found. */
  notFound: 127,
  /** Stopped by SIGHUP. */
  hangup: 129,
  /** Stopped by SIGINT. */
  interrupted: 130,
  /** Stopped by SIGTERM. */
  terminated: 143,
} as const;

/** A bad flag, argument or setting (exit 2). */
export class UsageError extends Error {
  override name = "UsageError";
}

/** The path cannot be served at (exit 3); nothing was created. */
export class PathError extends Error {
  override name = "PathError";
}

/** The AWS configuration is missing something needed to sign (exit 4). */
export class AwsConfigError extends Error {
  override name = "AwsConfigError";
}

/** No token could be signed where one is needed at once (exit 5). */
export class SigningError extends Error {
  override name = "SigningError";
}

/** The exit code for an error thrown out of the program. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError) return EXIT.usage;
  if (error instanceof PathError) return EXIT.path;
  if (error instanceof AwsConfigError) return EXIT.aws;
  if (error instanceof SigningError) return EXIT.signing;
  return EXIT.failure;
}
