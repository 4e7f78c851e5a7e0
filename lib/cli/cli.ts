import { parseArgs, type ParseArgsConfig } from "node:util";
import { describeError } from "../oci/errors";

/** What the command-line tools share: usage errors (exit 2), one-line failures (exit 1), and running as a script. */

export class UsageError extends Error {}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** node:util parseArgs whose complaints end with the usage text, as a UsageError. */
export function parseCli<O extends NonNullable<ParseArgsConfig["options"]>>(argv: string[], options: O, usage: string) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, options });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n${usage}`);
  }
}

/** Exit 2 for a usage error, 1 for anything else, with one line on stderr. */
export function failure(err: unknown): CliResult {
  return { code: err instanceof UsageError ? 2 : 1, stdout: "", stderr: `error: ${err instanceof UsageError ? err.message : describeError(err)}\n` };
}

/** Run `fn` with the process arguments when this file is the script node was started with. */
export function runAsScript(scriptPattern: RegExp, fn: (argv: string[]) => Promise<CliResult>): void {
  if (!process.argv[1] || !scriptPattern.test(process.argv[1])) return;
  void fn(process.argv.slice(2)).then((r) => {
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
    process.exitCode = r.code;
  });
}
