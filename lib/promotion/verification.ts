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
  const lost = signatures.filter((s) => s.source === "verified" && s.target !== "verified");
  const verified = signatures.filter((s) => s.target === "verified").length;
  const summary =
    signatures.length === 0
      ? "no signature was copied"
      : lost.length === 0
        ? `${verified} of ${signatures.length} signature${signatures.length === 1 ? "" : "s"} verif${verified === 1 ? "ies" : "y"} at the target${verified < signatures.length ? " (the others did not verify at the source either)" : ""}`
        : `${lost.length} signature${lost.length === 1 ? "" : "s"} verified at the source but not at the target: ${lost.map((s) => `${s.label} (${s.target}: ${s.summary})`).join("; ")}`;
  return { agree: lost.length === 0, signatures, summary };
}
