import type { Finding, Severity } from "../documents/model";
import { vexFor } from "../documents/vex";
import { patternMatches } from "../oci/pattern";
import { mostInformative, signerText, VERDICT_LABELS } from "../verification/verdict";
import type { SignatureResult } from "../verification/verify-graph";
import type { DocumentEvidence, ImageEvidence, SbomFacts } from "./evidence";
import type { Policy } from "./schema";

/**
 * A policy judged on one image, notation-go style: each requirement is a
 * named rule with its own outcome, a reason in words and the digests of the
 * evidence it used; the verdict is data. `unknown` is not `fail`: the
 * evidence is missing a part the rule needs (unreadable, no time, no trust
 * material to verify with), and saying so is more useful than guessing.
 */

export type Outcome = "pass" | "fail" | "unknown";
export type RuleName = "signature" | "sbom" | "scan" | "provenance";

export interface RuleResult {
  rule: RuleName;
  outcome: Outcome;
  reason: string;
  /** Digests of the artifacts (signatures, documents) the rule looked at. */
  evidence: string[];
}

export interface PolicyResult {
  policy: string;
  mode: "enforce" | "audit";
  outcome: Outcome;
  rules: RuleResult[];
}

export const RULE_LABELS: Record<RuleName, string> = { signature: "Signed", sbom: "SBOM", scan: "Scanned", provenance: "Provenance" };

export function evaluatePolicy(policy: Policy, evidence: ImageEvidence, now: Date): PolicyResult {
  const rules: RuleResult[] = [];
  const r = policy.require;
  if (r.signature) rules.push(signatureRule(r.signature, evidence.signatures));
  if (r.sbom) rules.push(sbomRule(r.sbom, evidence, r.signature?.trustedBy));
  if (r.scan) rules.push(scanRule(r.scan, evidence, now));
  if (r.provenance) rules.push(provenanceRule(r.provenance, evidence));
  return { policy: policy.name, mode: policy.mode, outcome: combine(rules.map((x) => x.outcome)), rules };
}

/** Any fail fails; else any unknown is unknown; else pass. */
export function combine(outcomes: Outcome[]): Outcome {
  if (outcomes.includes("fail")) return "fail";
  if (outcomes.includes("unknown")) return "unknown";
  return "pass";
}

type SignatureRequirement = NonNullable<Policy["require"]["signature"]>;

type TrustedBy = NonNullable<SignatureRequirement["trustedBy"]>[number];

function trustedByMatches(s: SignatureResult, by: TrustedBy): boolean {
  if ("notation" in by) return s.format.startsWith("notation") && s.policy === by.notation;
  if ("key" in by) return s.signer?.kind === "key" && s.signer.keyName === by.key;
  if ("keyless" in by) return s.signer?.kind === "keyless" && s.signer.oidcIssuer === by.keyless.issuer && s.signer.san !== undefined && patternMatches(by.keyless.subject, s.signer.san);
  return s.signer?.kind === "keyless" && s.policy === by.identity;
}

function describeTrustedBy(by: TrustedBy): string {
  if ("notation" in by) return `Notary trust policy "${by.notation}"`;
  if ("key" in by) return `key "${by.key}"`;
  if ("keyless" in by) return `keyless ${by.keyless.subject} from ${by.keyless.issuer}`;
  return `identity "${by.identity}"`;
}

/** Verified, and by a signer the policy accepts (any, when it names none). */
function accepts(s: SignatureResult, trustedBy: TrustedBy[] | undefined): boolean {
  return s.verdict === "verified" && (!trustedBy || trustedBy.some((by) => trustedByMatches(s, by)));
}

export function signatureRule(req: SignatureRequirement, signatures: SignatureResult[]): RuleResult {
  const evidence = [...new Set(signatures.map((s) => s.digest))];
  if (signatures.length === 0) return { rule: "signature", outcome: "fail", reason: "nothing signs this image", evidence };
  const verified = signatures.filter((s) => s.verdict === "verified");
  const accepted = verified.filter((s) => accepts(s, req.trustedBy));
  if (verified.length === 0) {
    const verdict = mostInformative(signatures.map((s) => s.verdict))!;
    const decisive = signatures.find((s) => s.verdict === verdict)!;
    // No trust material to judge with, or the signature could not be read: not the image's fault, not a pass either.
    const outcome: Outcome = verdict === "error" || verdict === "no-policy" || verdict === "unsupported" ? "unknown" : "fail";
    return { rule: "signature", outcome, reason: `${signatures.length} signature${signatures.length > 1 ? "s" : ""}, none verified: ${VERDICT_LABELS[verdict]} (${decisive.summary})`, evidence };
  }
  if (accepted.length === 0) {
    return {
      rule: "signature",
      outcome: "fail",
      reason: `verified for ${[...new Set(verified.map((s) => signerText(s.signer)))].join(", ")}, but the policy accepts only ${req.trustedBy!.map(describeTrustedBy).join(" or ")}`,
      evidence,
    };
  }
  // Distinct signers are distinct trust roots: the same CA, key or identity signing twice is one signer.
  const roots = new Map<string, SignatureResult>();
  for (const s of accepted) if (!roots.has(s.trustRoot ?? s.digest)) roots.set(s.trustRoot ?? s.digest, s);
  const who = [...roots.values()].map((s) => signerText(s.signer)).join(", ");
  if (roots.size < req.minSigners) {
    return { rule: "signature", outcome: "fail", reason: `${roots.size} distinct signer${roots.size > 1 ? "s" : ""} (${who}; ${accepted.length} verified signature${accepted.length > 1 ? "s" : ""}), ${req.minSigners} required`, evidence };
  }
  return { rule: "signature", outcome: "pass", reason: `verified: ${who}${roots.size > 1 ? ` (${roots.size} distinct signers)` : ""}`, evidence };
}

type SbomRequirement = NonNullable<Policy["require"]["sbom"]>;

function sbomRule(req: SbomRequirement, evidence: ImageEvidence, trustedBy: TrustedBy[] | undefined): RuleResult {
  const all = evidence.sboms;
  const digests = [...new Set(all.map((d) => d.digest))];
  const readable = all.filter((d) => d.document);
  if (all.length === 0) return { rule: "sbom", outcome: "fail", reason: "no SBOM is attached", evidence: [] };
  if (readable.length === 0) return { rule: "sbom", outcome: "unknown", reason: `the attached SBOM could not be read: ${all[0].error}`, evidence: digests };
  const allowed = req.formats ? readable.filter((d) => req.formats!.includes(d.document!.format)) : readable;
  if (allowed.length === 0) return { rule: "sbom", outcome: "fail", reason: `the SBOM is ${[...new Set(readable.map((d) => d.document!.format))].join(", ")}; the policy accepts ${req.formats!.join(" or ")}`, evidence: digests };
  if (req.signed) {
    const signed = allowed.find((d) => d.signatures.some((s) => accepts(s, trustedBy)));
    if (!signed) {
      const tried = allowed.flatMap((d) => d.signatures);
      const byOther = tried.find((s) => s.verdict === "verified");
      const why =
        tried.length === 0
          ? "nothing signs it"
          : byOther
            ? `it is signed by ${signerText(byOther.signer)}, whom the signature rule does not accept`
            : `its signature is ${VERDICT_LABELS[mostInformative(tried.map((s) => s.verdict))!]}`;
      return { rule: "sbom", outcome: tried.some((s) => s.verdict === "no-policy" || s.verdict === "error") && !tried.some((s) => ["invalid", "revoked", "expired", "untrusted"].includes(s.verdict)) ? "unknown" : "fail", reason: `an SBOM is attached, but it must be signed and ${why}`, evidence: [...digests, ...tried.map((s) => s.digest)] };
    }
    const sig = signed.signatures.find((s) => accepts(s, trustedBy))!;
    return { rule: "sbom", outcome: "pass", reason: `${describeSbom(signed)}, signed by ${signerText(sig.signer)}`, evidence: [signed.digest, sig.digest] };
  }
  return { rule: "sbom", outcome: "pass", reason: describeSbom(allowed[0]), evidence: [allowed[0].digest] };
}

function describeSbom(d: DocumentEvidence<SbomFacts>): string {
  const s = d.document!;
  return `${s.format === "spdx" ? "SPDX" : "CycloneDX"} SBOM of ${s.packages} package${s.packages === 1 ? "" : "s"}`;
}

type ScanRequirement = NonNullable<Policy["require"]["scan"]>;
const RANK: Record<Severity, number> = { critical: 4, high: 3, medium: 2, low: 1, unknown: 0 };
const DAY = 86_400_000;

/** A bare date allows the whole day it names. */
function untilTime(until: string): number {
  return /^\d{4}-\d{2}-\d{2}$/.test(until) ? Date.parse(`${until}T23:59:59.999Z`) : Date.parse(until);
}

function scanRule(req: ScanRequirement, evidence: ImageEvidence, now: Date): RuleResult {
  const all = evidence.scans;
  if (all.length === 0) return { rule: "scan", outcome: "fail", reason: "no scan result is attached", evidence: [] };
  const readable = all.filter((d) => d.document);
  if (readable.length === 0) return { rule: "scan", outcome: "unknown", reason: `the attached scan could not be read: ${all[0].error}`, evidence: [...new Set(all.map((d) => d.digest))] };
  // The newest scan decides: its own time, else when it was attached.
  const timeOf = (d: DocumentEvidence<unknown>) => {
    const t = Date.parse((d.document as { scannedAt?: string } | undefined)?.scannedAt ?? d.created ?? "");
    return Number.isNaN(t) ? undefined : t;
  };
  const newest = [...readable].sort((a, b) => (timeOf(b) ?? -Infinity) - (timeOf(a) ?? -Infinity))[0];
  const scan = newest.document!;
  const when = timeOf(newest);
  const used = [newest.digest, ...evidence.vex.map((v) => v.digest)];
  const parts: string[] = [];
  if (req.maxAgeDays !== undefined) {
    if (when === undefined) return { rule: "scan", outcome: "unknown", reason: `the newest scan (${scan.scanner}) says not when it ran, and its artifact has no created time; the policy wants one within ${req.maxAgeDays} days`, evidence: [newest.digest] };
    const days = (now.getTime() - when) / DAY;
    if (days > req.maxAgeDays) return { rule: "scan", outcome: "fail", reason: `the newest scan (${scan.scanner}) ran ${Math.floor(days)} days ago, on ${new Date(when).toISOString().slice(0, 10)}; the policy allows ${req.maxAgeDays}`, evidence: [newest.digest] };
    parts.push(`scanned by ${scan.scanner} ${days < 1 ? "today" : `${Math.floor(days)} day${Math.floor(days) === 1 ? "" : "s"} ago`}`);
  } else {
    parts.push(`scanned by ${scan.scanner}`);
  }
  if (req.failOn) {
    const threshold = RANK[req.failOn];
    const vexDocs = evidence.vex.flatMap((v) => (v.document ? [v.document] : []));
    // Counted by vulnerability id, as the blocking ones are (one CVE in two packages is one finding to decide on).
    const suppressed = new Set<string>();
    const allowed = new Set<string>();
    const expired: string[] = [];
    const blocking: Finding[] = [];
    for (const f of scan.findings) {
      if (RANK[f.severity] < threshold) continue;
      if (req.fixableOnly && !f.fixedVersion) continue;
      const statement = vexFor(f, vexDocs, evidence.digest);
      if (statement && (statement.status === "not_affected" || statement.status === "fixed")) {
        suppressed.add(f.id);
        continue;
      }
      const entry = req.allow.find((a) => a.id.toUpperCase() === f.id.toUpperCase());
      if (entry && now.getTime() <= untilTime(entry.until)) {
        allowed.add(f.id);
        continue;
      }
      if (entry) expired.push(`${f.id} (accepted until ${entry.until})`);
      blocking.push(f);
    }
    const extra = [suppressed.size ? `${suppressed.size} not affected by VEX` : "", allowed.size ? `${allowed.size} allow-listed` : ""].filter(Boolean).join(", ");
    if (blocking.length > 0) {
      const ids = [...new Set(blocking.map((f) => f.id))];
      return {
        rule: "scan",
        outcome: "fail",
        reason: `${ids.length} ${req.fixableOnly ? "fixable " : ""}finding${ids.length > 1 ? "s" : ""} at ${req.failOn} or above: ${ids.slice(0, 5).join(", ")}${ids.length > 5 ? ` and ${ids.length - 5} more` : ""}${expired.length ? `; allow-list entries expired: ${expired.join(", ")}` : ""}${extra ? ` (${extra})` : ""}`,
        evidence: used,
      };
    }
    parts.push(`no ${req.fixableOnly ? "fixable " : ""}finding at ${req.failOn} or above${extra ? ` (${extra})` : ""}`);
  }
  return { rule: "scan", outcome: "pass", reason: parts.join("; "), evidence: used };
}

type ProvenanceRequirement = NonNullable<Policy["require"]["provenance"]>;

function provenanceRule(req: ProvenanceRequirement, evidence: ImageEvidence): RuleResult {
  const all = evidence.provenance;
  if (all.length === 0) return { rule: "provenance", outcome: "fail", reason: "no provenance is attached", evidence: [] };
  const readable = all.filter((d) => d.document);
  if (readable.length === 0) return { rule: "provenance", outcome: "unknown", reason: `the attached provenance could not be read: ${all[0].error}`, evidence: [...new Set(all.map((d) => d.digest))] };
  const problems: string[] = [];
  for (const d of readable) {
    const p = d.document!;
    const builderOk = !req.builder || (p.builderId !== undefined && patternMatches(req.builder, p.builderId));
    const sourceOk = !req.source || (p.sourceUri !== undefined && patternMatches(req.source, p.sourceUri));
    if (builderOk && sourceOk) {
      return { rule: "provenance", outcome: "pass", reason: `built by ${p.builderId ?? "an unnamed builder"}${p.sourceUri ? ` from ${p.sourceUri}` : ""}`, evidence: [d.digest] };
    }
    if (!builderOk) problems.push(`builder ${p.builderId ?? "(none given)"} is not ${req.builder}`);
    if (!sourceOk) problems.push(`source ${p.sourceUri ?? "(none given)"} is not ${req.source}`);
  }
  return { rule: "provenance", outcome: "fail", reason: [...new Set(problems)].join("; "), evidence: readable.map((d) => d.digest) };
}
