/**
 * `npm run policy -- check <host[:port]>/<repository>(:<tag>|@<digest>) [options]`:
 * judge one image against the policies of a Chainsight configuration, live
 * from the registry (no index, no server), for CI. Exit 0 when every enforced
 * policy passes, 1 when one fails, 2 when one cannot be decided (evidence
 * unreadable, no trust material, no policy covering the image, the registry
 * unreachable, or a usage error).
 */
import { basename, dirname, resolve } from "node:path";
import type { Credentials } from "../oci/auth/credentials";
import { isDigest } from "../oci/digest";
import { describeError } from "../oci/errors";
import { LayoutStore } from "../oci/layout-store";
import { formatReference, parseReference, referenceTarget, registryEndpoint } from "../oci/reference";
import { RegistryClient } from "../oci/registry-client";
import type { Store } from "../oci/store";
import { readDocuments } from "../documents/read";
import { checkPolicies } from "../policy/check";
import { RULE_LABELS, type Outcome } from "../policy/evaluate";
import { loadConfig, type Config } from "../server/config";
import { discover } from "../supply-chain/discover";
import { loadTrust } from "../verification/trust-config";
import { verifyGraph } from "../verification/verify-graph";
import { parseCli, runAsScript, UsageError, type CliResult } from "./cli";

const USAGE = `usage: npm run policy -- check <host[:port]>/<repository>(:<tag>|@<digest>) [options]
       npm run policy -- check --oci-layout <folder>(:<tag>|@<digest>) [options]
  --config FILE        the Chainsight configuration (policies, verification trust); default $CHAINSIGHT_CONFIG
  --policy NAME        judge only this policy (repeatable), whether or not its scope covers the image
  --output text|json
  --plain-http  --username U  (password from $CHAINSIGHT_REGISTRY_PASSWORD or --password P)
A registry named in the configuration (same host) is reached with its credentials and trust scope.
exit: 0 pass, 1 fail, 2 undecided (unknown evidence, no policy applies, registry error, usage)`;

const MARK: Record<Outcome, string> = { pass: "✓", fail: "✗", unknown: "?" };

export async function runPolicy(argv: string[]): Promise<CliResult> {
  try {
    const { values: v, positionals } = parseCli(
      argv,
      {
        config: { type: "string" },
        policy: { type: "string", multiple: true },
        output: { type: "string", short: "o", default: "text" },
        "oci-layout": { type: "boolean", default: false },
        "plain-http": { type: "boolean", default: false },
        username: { type: "string", short: "u" },
        password: { type: "string", short: "p" },
        help: { type: "boolean", short: "h" },
      },
      USAGE,
    );
    if (v.help) return { code: 0, stdout: `${USAGE}\n`, stderr: "" };
    if (positionals[0] !== "check" || positionals.length !== 2) throw new UsageError(`expected "check" and one reference\n${USAGE}`);
    if (v.output !== "text" && v.output !== "json") throw new UsageError(`--output must be "text" or "json", not "${v.output}"`);
    const configPath = v.config ?? process.env.CHAINSIGHT_CONFIG;
    if (!configPath) throw new UsageError("give the configuration that holds the policies: --config chainsight.yaml (or set CHAINSIGHT_CONFIG)");
    const config = loadConfig({ ...process.env, CHAINSIGHT_CONFIG: resolve(configPath) });
    if (config.policies.length === 0) throw new UsageError(`${config.source} defines no policies (README, Policies)`);
    for (const name of v.policy ?? []) {
      if (!config.policies.some((p) => p.name === name)) throw new UsageError(`no policy is named "${name}"; ${config.source} defines ${config.policies.map((p) => p.name).join(", ")}`);
    }
    const target = openTarget(positionals[1], v, config);
    const trust = loadTrust({ notation: config.verification.notation, sigstore: config.verification.sigstore, cosign: config.verification.cosign });
    let result;
    try {
      const graph = await discover(target.store, target.repository, target.reference, { maxDepth: 2, checkTruncation: false });
      const verification = await verifyGraph(target.store, graph, trust, { scope: `${target.scopeHost}/${target.repository}` });
      const maxBytes = Math.floor(config.documents.maxMiB * 1024 * 1024);
      result = await checkPolicies(config.policies, graph, verification, (digest) => readDocuments(target.store, target.repository, digest, { maxBytes }), {
        registry: target.registryId,
        repository: target.repository,
        tags: isDigest(target.reference) ? undefined : [target.reference],
        only: v.policy,
      });
    } catch (err) {
      // Not a verdict about the image: it could not be read.
      return { code: 2, stdout: "", stderr: `error: ${target.shown} could not be judged: ${describeError(err)}\n` };
    }
    const code = result.outcome === "pass" ? 0 : result.outcome === "fail" ? 1 : 2;
    if (v.output === "json") return { code, stdout: `${JSON.stringify({ reference: target.shown, ...result }, null, 2)}\n`, stderr: "" };
    const lines = [`${target.shown} (${result.digest})`];
    if (result.outcome === "none") lines.push(`no policy of ${config.source} covers ${target.registryId}/${target.repository}; name one with --policy`);
    for (const r of result.results) {
      lines.push("", `policy "${r.policy}" (${r.mode}): ${r.outcome.toUpperCase()}`);
      for (const rule of r.rules) lines.push(`  ${MARK[rule.outcome]} ${RULE_LABELS[rule.rule]}: ${rule.reason}`);
    }
    lines.push("", `result: ${result.outcome === "none" ? "no policy applies" : result.outcome}`);
    return { code, stdout: `${lines.join("\n")}\n`, stderr: "" };
  } catch (err) {
    // Usage and configuration problems: nothing was judged.
    return { code: 2, stdout: "", stderr: `error: ${err instanceof UsageError ? err.message : describeError(err)}\n` };
  }
}

interface Target {
  store: Store;
  repository: string;
  reference: string;
  /** The registry id policies are scoped by: a configured registry's, else the host. */
  registryId: string;
  scopeHost: string;
  shown: string;
}

function openTarget(input: string, v: { "oci-layout"?: boolean; "plain-http"?: boolean; username?: string; password?: string }, config: Config): Target {
  if (v["oci-layout"]) {
    const m = /^(.*?)(?:@(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})|:([A-Za-z0-9_][A-Za-z0-9._-]{0,127}))?$/.exec(input);
    const folder = resolve(m?.[1] ?? input);
    return { store: new LayoutStore({ root: dirname(folder), name: "oci-layout" }), repository: basename(folder), reference: m?.[2] ?? m?.[3] ?? "latest", registryId: "oci-layout", scopeHost: "local", shown: input };
  }
  const ref = parseReference(input);
  const host = registryEndpoint(ref.registry);
  const configured = config.registries.find((r) => r.kind === "registry" && r.host === host);
  const password = v.password ?? process.env.CHAINSIGHT_REGISTRY_PASSWORD;
  if (v.username !== undefined && password === undefined) throw new UsageError("--username needs a password: set CHAINSIGHT_REGISTRY_PASSWORD (or --password)");
  const credentials: Credentials = v.username !== undefined ? { kind: "basic", username: v.username, password: password! } : (configured?.credentials ?? { kind: "anonymous" });
  const store = new RegistryClient({ host, name: configured?.id ?? ref.registry, plainHttp: v["plain-http"] || (configured?.plainHttp ?? false), credentials });
  return { store, repository: ref.repository, reference: referenceTarget(ref), registryId: configured?.id ?? ref.registry, scopeHost: configured?.trustScope ?? ref.registry, shown: formatReference(ref) };
}

runAsScript(/policy\.[cm]?[tj]s$/, runPolicy);
