/**
 * `npm run verify -- <host[:port]>/<repository>(:<tag>|@<digest>) [options]`:
 * verify every signature of an artifact offline, like `notation verify` and
 * `cosign verify`; exit 0 only when at least one signature verifies.
 */
import { imageDigests } from "../supply-chain/status";
import { basename, dirname, resolve } from "node:path";
import type { Credentials } from "../oci/auth/credentials";
import { LayoutStore } from "../oci/layout-store";
import { formatReference, parseReference, referenceTarget, registryEndpoint } from "../oci/reference";
import { RegistryClient } from "../oci/registry-client";
import type { Store } from "../oci/store";
import { loadConfig } from "../server/config";
import { subjectVerdict } from "../server/verification";
import { discover } from "../supply-chain/discover";
import { loadTrust, TrustConfigError, type TrustSettings } from "../verification/trust-config";
import { FORMAT_LABELS, signerText, VERDICT_LABELS } from "../verification/verdict";
import { verifyGraph, type SignatureResult } from "../verification/verify-graph";
import { failure, parseCli, runAsScript, UsageError, type CliResult } from "./cli";

const USAGE = `usage: npm run verify -- <host[:port]>/<repository>(:<tag>|@<digest>) [options]
       npm run verify -- --oci-layout <folder>(:<tag>|@<digest>) [options]
trust (as notation and cosign take it; or --config chainsight.yaml for its verification: section):
  --trust-policy FILE          notation trustpolicy.json
  --trust-store DIR            notation trust store (holds x509/{ca,signingAuthority,tsa}/<name>/)
  --crl URL=FILE               a CRL for a distribution point (repeatable); nothing is fetched
  --trusted-root FILE          Sigstore trusted_root.json (keyless and Rekor checks)
  --key FILE                   cosign public key (repeatable)
  --certificate-identity SAN | --certificate-identity-regexp RE
  --certificate-oidc-issuer URL | --certificate-oidc-issuer-regexp RE
other: --scope HOST (trust policy scope host; default the registry host, "local" for --oci-layout)
       --plain-http  --username U --password P  --output text|json`;


export async function runVerify(argv: string[]): Promise<CliResult> {
  try {
    const { values: v, positionals } = parseCli(
      argv,
      {
        "trust-policy": { type: "string" },
        "trust-store": { type: "string" },
        crl: { type: "string", multiple: true },
        "trusted-root": { type: "string" },
        key: { type: "string", multiple: true },
        "certificate-identity": { type: "string" },
        "certificate-identity-regexp": { type: "string" },
        "certificate-oidc-issuer": { type: "string" },
        "certificate-oidc-issuer-regexp": { type: "string" },
        config: { type: "string" },
        scope: { type: "string" },
        "oci-layout": { type: "boolean", default: false },
        "plain-http": { type: "boolean", default: false },
        username: { type: "string", short: "u" },
        password: { type: "string", short: "p" },
        output: { type: "string", short: "o", default: "text" },
        help: { type: "boolean", short: "h" },
      },
      USAGE,
    );
    if (v.help) return { code: 0, stdout: `${USAGE}\n`, stderr: "" };
    if (positionals.length !== 1) throw new UsageError(`expected exactly one reference, got ${positionals.length}\n${USAGE}`);
    if (v.output !== "text" && v.output !== "json") throw new UsageError(`--output must be "text" or "json", not "${v.output}"`);
    if ((v.username === undefined) !== (v.password === undefined)) throw new UsageError("--username and --password go together");

    const settings = trustSettings(v);
    let trust;
    try {
      trust = loadTrust(settings);
    } catch (err) {
      if (err instanceof TrustConfigError) throw new UsageError(err.message.replace(/verification\.notation\.trustPolicy/, "--trust-policy").replace(/verification\.notation\.trustStore/, "--trust-store").replace(/verification\.sigstore\.trustedRoot/, "--trusted-root"));
      throw err;
    }

    let store: Store;
    let repository: string;
    let reference: string;
    let scopeHost: string;
    let shown: string;
    if (v["oci-layout"]) {
      const m = /^(.*?)(?:@(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})|:([A-Za-z0-9_][A-Za-z0-9._-]{0,127}))?$/.exec(positionals[0]);
      const folder = resolve(m?.[1] ?? positionals[0]);
      repository = basename(folder);
      reference = m?.[2] ?? m?.[3] ?? "latest";
      store = new LayoutStore({ root: dirname(folder), name: "oci-layout" });
      scopeHost = v.scope ?? "local";
      shown = positionals[0];
    } else {
      const ref = parseReference(positionals[0]);
      const credentials: Credentials = v.username !== undefined ? { kind: "basic", username: v.username, password: v.password! } : { kind: "anonymous" };
      store = new RegistryClient({ host: registryEndpoint(ref.registry), name: ref.registry, plainHttp: v["plain-http"], credentials });
      repository = ref.repository;
      reference = referenceTarget(ref);
      scopeHost = v.scope ?? ref.registry;
      shown = formatReference(ref);
    }
    const graph = await discover(store, repository, reference, { maxDepth: 1, checkTruncation: false });
    const verification = await verifyGraph(store, graph, trust, { scope: `${scopeHost}/${repository}` });
    const verdict = subjectVerdict(graph, verification);
    const own = imageDigests(graph);
    const signatures = verification.signatures.filter((s) => own.has(s.subject));
    const code = verdict?.verdict === "verified" ? 0 : 1;
    if (v.output === "json") {
      return { code, stdout: `${JSON.stringify({ reference: shown, digest: graph.root, scope: `${scopeHost}/${repository}`, verdict: verdict ?? null, signatures }, null, 2)}\n`, stderr: "" };
    }
    const lines = [`${shown} (${graph.root})`];
    if (!verdict) lines.push("no signature found: nothing to verify");
    else if (verdict.verdict === "verified") lines.push(`✓ verified: ${verdict.verified} of ${verdict.signatures} signature${verdict.signatures === 1 ? "" : "s"} verified`);
    else lines.push(`✗ not verified (${VERDICT_LABELS[verdict.verdict]}): ${verdict.summary}`);
    for (const s of signatures) lines.push(...describe(s));
    return { code, stdout: `${lines.join("\n")}\n`, stderr: "" };
  } catch (err) {
    return failure(err);
  }
}

function describe(s: SignatureResult): string[] {
  const format = s.format === "unknown" ? s.label : FORMAT_LABELS[s.format];
  const signer = s.signer ? signerText(s.signer) : "";
  const out = [``, `[${VERDICT_LABELS[s.verdict]}] ${format}${s.kind === "attestation" ? " attestation" : ""} ${s.digest}${s.layer ? ` layer ${s.layer + 1}` : ""}${signer ? `\n  signer: ${signer}` : ""}`];
  if (s.timestamp) out.push(`  timestamp: ${s.timestamp.time} by ${s.timestamp.authority}`);
  for (const c of s.checks) out.push(`  ${c.result.padEnd(7)} ${c.label}: ${c.reason}`);
  return out;
}

function trustSettings(v: Record<string, string | string[] | boolean | undefined>): TrustSettings {
  const base: TrustSettings = v.config
    ? (() => {
        const config = loadConfig({ ...process.env, CHAINSIGHT_CONFIG: String(v.config) });
        return { notation: config.verification.notation, sigstore: config.verification.sigstore, cosign: config.verification.cosign };
      })()
    : { notation: { crls: {} }, sigstore: {}, cosign: { keys: [], identities: [] } };
  const crls = { ...base.notation.crls };
  for (const entry of (v.crl as string[] | undefined) ?? []) {
    const i = entry.indexOf("=");
    if (i <= 0) throw new UsageError(`--crl takes URL=FILE (the distribution point the certificate names, then the CRL file), not "${entry}"`);
    crls[entry.slice(0, i)] = resolve(entry.slice(i + 1));
  }
  const identities = [...base.cosign.identities];
  const san = v["certificate-identity"] as string | undefined;
  const sanRe = v["certificate-identity-regexp"] as string | undefined;
  const issuer = v["certificate-oidc-issuer"] as string | undefined;
  const issuerRe = v["certificate-oidc-issuer-regexp"] as string | undefined;
  if (san || sanRe || issuer || issuerRe) {
    if (!(san || sanRe) || !(issuer || issuerRe)) throw new UsageError("keyless verification needs both an identity (--certificate-identity[-regexp]) and an issuer (--certificate-oidc-issuer[-regexp])");
    for (const re of [sanRe, issuerRe]) {
      if (re === undefined) continue;
      try {
        new RegExp(re);
      } catch {
        throw new UsageError(`"${re}" is not a regular expression`);
      }
    }
    identities.push({ name: "command line", subject: san, subjectRegExp: sanRe, issuer, issuerRegExp: issuerRe, scopes: ["*"] });
  }
  return {
    notation: {
      trustPolicy: v["trust-policy"] ? resolve(String(v["trust-policy"])) : base.notation.trustPolicy,
      trustStore: v["trust-store"] ? resolve(String(v["trust-store"])) : base.notation.trustStore,
      crls,
    },
    sigstore: { trustedRoot: v["trusted-root"] ? resolve(String(v["trusted-root"])) : base.sigstore.trustedRoot },
    cosign: { keys: [...base.cosign.keys, ...((v.key as string[] | undefined) ?? []).map((k) => ({ name: basename(k), path: resolve(k), scopes: ["*"] }))], identities },
  };
}

runAsScript(/verify\.[cm]?[tj]s$/, runVerify);
