/**
 * `npm run discover -- <host:port>/<repo>:<tag|@digest> [options]`: print
 * everything attached to an artifact, like `oras discover`.
 */
import { formatReference, parseReference, referenceTarget, registryEndpoint } from "../oci/reference";
import { RegistryClient } from "../oci/registry-client";
import type { Credentials } from "../oci/auth/credentials";
import { discover } from "../supply-chain/discover";
import { toDiscoverJson, toDiscoverTree } from "../supply-chain/tree";
import { failure, parseCli, runAsScript, UsageError, type CliResult } from "./cli";
import { readDocuments } from "../documents/read";
import { summarize } from "../documents/summary";
import { describeError } from "../oci/errors";

/** Puts `summary` on each referrer of the JSON tree that has one. */
function addSummaries(node: { digest?: string; manifests?: unknown[]; platformManifests?: unknown[] } & Record<string, unknown>, summaries: Map<string, string>): void {
  if (node.digest && summaries.has(node.digest)) node.summary = summaries.get(node.digest);
  for (const child of [...(node.manifests ?? []), ...(node.platformManifests ?? [])]) addSummaries(child as typeof node, summaries);
}

const USAGE = `usage: npm run discover -- <host[:port]>/<repository>(:<tag>|@<digest>) [--artifact-type T] [--depth N] [--summary] [--plain-http] [--username U --password P] [--output tree|json]`;

/** Largest document --summary reads (as the server's documents.maxMiB default). */
const SUMMARY_MAX_BYTES = 64 * 1024 * 1024;


export async function runDiscover(argv: string[]): Promise<CliResult> {
  try {
    const { values, positionals } = parseCli(
      argv,
      {
        "artifact-type": { type: "string" },
        depth: { type: "string" },
        "plain-http": { type: "boolean", default: false },
        summary: { type: "boolean", default: false },
        username: { type: "string", short: "u" },
        password: { type: "string", short: "p" },
        output: { type: "string", short: "o", default: "tree" },
        help: { type: "boolean", short: "h" },
      },
      USAGE,
    );
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
    // --summary: what each SBOM, scan and attestation says, in one line (as the dashboard's node panel).
    const summaries = new Map<string, string>();
    if (values.summary) {
      for (const node of graph.nodes) {
        if (node.role !== "referrer" || !["sbom", "vulnerability-scan", "attestation"].includes(node.classification.kind)) continue;
        const docs = await readDocuments(client, ref.repository, node.digest, { maxBytes: SUMMARY_MAX_BYTES }).catch((err: unknown) => [{ error: describeError(err) }]);
        const text = docs.map((d) => ("parsed" in d && d.parsed ? summarize(d.parsed).text : `not readable: ${d.error}`)).join("; ");
        if (text) summaries.set(node.digest, text);
      }
    }
    const json = toDiscoverJson(graph, shown, ref.registry);
    if (values.summary) addSummaries(json as unknown as Parameters<typeof addSummaries>[0], summaries);
    const stdout = values.output === "json" ? JSON.stringify(json, null, 2) : toDiscoverTree(graph, shown, (d) => summaries.get(d));
    return { code: 0, stdout: `${stdout}\n`, stderr: "" };
  } catch (err) {
    return failure(err);
  }
}

runAsScript(/discover\.[cm]?[tj]s$/, runDiscover);
