import type { Verdict } from "../verification/verdict";

/**
 * Signatures verified again at the target after a copy, compared with the
 * source: the copy keeps every digest, so a signature that verified at the
 * source must verify at the target too. A different verdict at the target
 * is either the trust configuration (a trust policy scoped to the source's
 * registry says "no-policy" at the target: the summary says so) or a copy
 * that is not whole.
 */

/** What the comparison needs of a verified signature (SignatureResult has it). */
export interface VerifiedSignature {
  digest: string;
  layer: number;
  label: string;
  verdict: Verdict;
  summary: string;
}

export interface SignatureAtBothEnds {
  digest: string;
  layer: number;
  label: string;
  source: Verdict;
  /** "missing": the target's graph has no such signature. */
  target: Verdict | "missing";
  /** The target's summary (why it differs, when it does). */
  summary: string;
}

export interface VerificationComparison {
  /** Every signature that verified at the source verifies at the target. */
  agree: boolean;
  signatures: SignatureAtBothEnds[];
  /** In words, for the result line. */
  summary: string;
}

/** Compare the signatures the copy carried (`copied`: digests of the plan's manifests). */
export function compareVerification(source: VerifiedSignature[], target: VerifiedSignature[], copied: ReadonlySet<string>): VerificationComparison {
  const key = (s: VerifiedSignature) => `${s.digest}#${s.layer}`;
  const atTarget = new Map(target.map((s) => [key(s), s]));
  const signatures: SignatureAtBothEnds[] = source
    .filter((s) => copied.has(s.digest))
    .map((s) => {
      const t = atTarget.get(key(s));
      return { digest: s.digest, layer: s.layer, label: s.label, source: s.verdict, target: t?.verdict ?? "missing", summary: t?.summary ?? "the target's graph has no such signature" };
    });
  // A signature verified at the source must verify at the target, or be unjudged there for want of trust ("no-policy": the trust
  // configuration does not cover the target, which a copy cannot change and does not make the copy wrong).
  const lost = signatures.filter((s) => s.source === "verified" && s.target !== "verified" && s.target !== "no-policy");
  const unscoped = signatures.filter((s) => s.source === "verified" && s.target === "no-policy");
  const verified = signatures.filter((s) => s.target === "verified").length;
  const n = signatures.length;
  const plural = (k: number, word: string) => `${k} ${word}${k === 1 ? "" : "s"}`;
  const others = () => {
    const counts = new Map<string, number>();
    for (const s of signatures) if (s.target !== "verified") counts.set(s.target, (counts.get(s.target) ?? 0) + 1);
    return [...counts].map(([v, k]) => `${k} ${v === "no-policy" ? "not covered by any trust policy or key (no-policy)" : v}`).join(", ");
  };
  let summary: string;
  if (n === 0) summary = "no signature was copied";
  else if (lost.length > 0) summary = `${plural(lost.length, "signature")} verified at the source but not at the target: ${lost.map((s) => `${s.label} (${s.target}: ${s.summary})`).join("; ")}`;
  else if (unscoped.length > 0)
    summary = `${verified} of ${plural(n, "signature")} verify at the target; ${unscoped.length} that verified at the source are not judged there, as no trust policy or key covers the target (add it to a trust policy's registryScopes or a key's scopes)`;
  else if (verified === n) summary = `all ${plural(n, "signature")} verify at the target`;
  else summary = `${verified} of ${plural(n, "signature")} verify at the target, as at the source (the others: ${others()})`;
  return { agree: lost.length === 0, signatures, summary };
}
