/**
 * The `check` subcommand as `cli.ts` calls it: parse its options, print its
 * help or run the check, and return the exit code.
 */
import { runCheck } from "./check.ts";
import { currentAccount, parseCheckSettings } from "./check_settings.ts";
import { EXIT } from "./errors.ts";
import { CHECK_HELP } from "./help.ts";
import type { Env } from "./settings_values.ts";

/** Runs `iam-pgpass check <args>`; throws a `UsageError` for bad input. */
export async function checkCommand(
  args: string[],
  env: Env,
  print: (text: string) => void,
): Promise<number> {
  const settings = parseCheckSettings(args, env, await currentAccount(env));
  if (settings === "help") {
    print(CHECK_HELP);
    return EXIT.ok;
  }
  return await runCheck(settings, { env, print });
}
