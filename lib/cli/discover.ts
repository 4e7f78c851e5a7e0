/**
 * `npm run discover -- <host:port>/<repo>:<tag|@digest> [options]`: print
 * everything attached to an artifact, like `oras discover`.
 */
import { parseArgs } from "node:util";
import { describeError } from "../oci/errors";
import { formatReference, parseReference, referenceTarget, registryEndpoint } from "../oci/reference";
import { RegistryClient } from "../oci/registry-client";
import type { Credentials } from "../oci/auth/credentials";
import { discover } from "../supply-chain/discover";
import { toDiscoverJson, toDiscoverTree } from "../supply-chain/tree";

const USAGE = `usage: npm run discover -- <host[:port]>/<repository>(:<tag>|@<digest>) [--artifact-type T] [--depth N] [--plain-http] [--username U --password P] [--output tree|json]`;

export class UsageError extends Error {}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runDiscover(argv: string[]): Promise<CliResult> {
  try {
    let parsed;
    try {
      parsed = parseArgs({
        args: argv,
        allowPositionals: true,
        options: {
          "artifact-type": { type: "string" },
          depth: { type: "string" },
          "plain-http": { type: "boolean", default: false },
          username: { type: "string", short: "u" },
          password: { type: "string", short: "p" },
          output: { type: "string", short: "o", default: "tree" },
          help: { type: "boolean", short: "h" },
        },
      });
    } catch (err) {
      throw new UsageError(`${(err as Error).message}\n${USAGE}`);
    }
    const { values, positionals } = parsed;
    if (values.help) return { code: 0, stdout: `${USAGE}\n`, stderr: "" };
    if (positionals.length !== 1) throw new UsageError(`expected exactly one reference, got ${positionals.length}\n${USAGE}`);
    if (values.output !== "tree" && values.output !== "json") throw new UsageError(`--output must be "tree" or "json", not "${values.output}"`);
    let maxDepth: number | undefined;
    if (values.depth !== undefined) {
      maxDepth = Number(values.depth);
      if (!Number.isInteger(maxDepth) || maxDepth < 1) throw new UsageError(`--depth must be a whole number of at least 1, not "${values.depth}"`);
    }
    if ((values.username === undefined) !== (values.password === undefined)) {
      throw new UsageError("--username and --password go together");
    }
    const ref = parseReference(positionals[0]);
    const credentials: Credentials =
      values.username !== undefined ? { kind: "basic", username: values.username, password: values.password! } : { kind: "anonymous" };
    const client = new RegistryClient({
      host: registryEndpoint(ref.registry),
      name: ref.registry,
      plainHttp: values["plain-http"],
      credentials,
    });
    const graph = await discover(client, ref.repository, referenceTarget(ref), {
      artifactType: values["artifact-type"],
      maxDepth,
    });
    const shown = formatReference(ref);
    const stdout =
      values.output === "json" ? JSON.stringify(toDiscoverJson(graph, shown, ref.registry), null, 2) : toDiscoverTree(graph, shown);
    return { code: 0, stdout: `${stdout}\n`, stderr: "" };
  } catch (err) {
    return { code: err instanceof UsageError ? 2 : 1, stdout: "", stderr: `error: ${describeError(err).split("\n").join("\n")}\n` };
  }
}

const isMain = process.argv[1] && /discover\.[cm]?[tj]s$/.test(process.argv[1]);
if (isMain) {
  runDiscover(process.argv.slice(2)).then((r) => {
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
    process.exitCode = r.code;
  });
}
