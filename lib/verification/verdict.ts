import { appendTo } from "../supply-chain/append";
import type { GraphVerification } from "./verify-graph";

/**
 * The outcome of verifying one signature, as data (notation-go style): every
 * check is a named step with its own result and a reason in words, and the
 * verdict is derived from the steps, never thrown.
 */

export const VERDICTS = ["verified", "invalid", "untrusted", "expired", "revoked", "no-policy", "unsupported", "error"] as const;
export type Verdict = (typeof VERDICTS)[number];

/** passed / failed: the check ran; skipped: not run (policy or not applicable); logged: failed, but the policy only logs it. */
export type CheckResult = "passed" | "failed" | "skipped" | "logged";

export interface Check {
  /** Stable id, e.g. "integrity", "authenticity", "tlog". */
  name: string;
  /** Human label, e.g. "Envelope integrity". */
  label: string;
  result: CheckResult;
  /** Why, in words: what was checked and what was found. */
  reason: string;
}

export type SignatureFormat = "notation-jws" | "notation-cose" | "cosign" | "sigstore-bundle";

export const FORMAT_LABELS: Record<SignatureFormat, string> = {
  "notation-jws": "Notary Project (JWS)",
  "notation-cose": "Notary Project (COSE)",
  cosign: "cosign",
  "sigstore-bundle": "Sigstore bundle",
};

export interface Signer {
  /** x509: a certificate chain's leaf; keyless: a Fulcio certificate identity; key: a configured public key. */
  kind: "x509" | "keyless" | "key";
  /** x509 subject DN of the signing certificate. */
  subject?: string;
  /** x509 issuer DN of the signing certificate. */
  issuer?: string;
  /** keyless: certificate subject alternative name (e-mail, workflow URI). */
  san?: string;
  /** keyless: OIDC issuer recorded in the certificate. */
  oidcIssuer?: string;
  /** key: the configured key's name. */
  keyName?: string;
}

export interface SignatureVerification {
  format: SignatureFormat | "unknown";
  verdict: Verdict;
  /** One sentence: the verdict and its cause (the first check that decided it). */
  summary: string;
  checks: Check[];
  signer?: Signer;
  /** When the signer says it signed (not authenticated unless timestamped). */
  signingTime?: string;
  /** An authenticated time: RFC 3161 timestamp or transparency log. */
  timestamp?: { time: string; authority: string };
  /** Which trust policy / key / identity was applied. */
  policy?: string;
  /**
   * Who vouches for the signer, to count distinct signers: the trusted anchor certificate of a Notary chain
   * ("x509:<sha256>"), a configured key ("key:<name>"), or a keyless identity ("keyless:<issuer> <san>"). Two
   * signatures with the same root are one signer.
   */
  trustRoot?: string;
  /** Checks that failed but were only logged (permissive / audit levels). */
  warnings: string[];
  /** The next moment the verdict may change by the clock alone (a certificate or the signature expiring). */
  changesAt?: string;
}

/** Who signed, in words: the certificate subject, the keyless identity and issuer, or the key's name. */
export function signerText(signer: Signer | undefined): string {
  if (!signer) return "an unknown signer";
  if (signer.kind === "key") return `key "${signer.keyName}"`;
  if (signer.kind === "keyless") return `${signer.san ?? "unknown"} (${signer.oidcIssuer ?? "unknown issuer"})`;
  return signer.subject ?? "an unknown certificate";
}

/** Human words for a verdict, used by the CLI and the UI. */
export const VERDICT_LABELS: Record<Verdict, string> = {
  verified: "verified",
  invalid: "invalid",
  untrusted: "untrusted signer",
  expired: "expired",
  revoked: "revoked",
  "no-policy": "no trust policy applies",
  unsupported: "unsupported format",
  error: "could not be verified",
};

/**
 * Ranks for "the most informative failure" of a subject with no verified
 * signature: a definite problem (invalid, revoked, expired, untrusted) says
 * more than "nothing applies" or "could not check".
 */
const INFORMATIVENESS: Record<Verdict, number> = {
  verified: 8,
  invalid: 7,
  revoked: 6,
  expired: 5,
  untrusted: 4,
  error: 3,
  "no-policy": 2,
  unsupported: 1,
};

export function mostInformative(verdicts: readonly Verdict[]): Verdict | undefined {
  let best: Verdict | undefined;
  for (const v of verdicts) if (!best || INFORMATIVENESS[v] > INFORMATIVENESS[best]) best = v;
  return best;
}

/** Builds the check list of one verification step by step. */
export class CheckList {
  readonly checks: Check[] = [];
  readonly warnings: string[] = [];

  pass(name: string, label: string, reason: string): void {
    this.checks.push({ name, label, result: "passed", reason });
  }
  fail(name: string, label: string, reason: string): void {
    this.checks.push({ name, label, result: "failed", reason });
  }
  skip(name: string, label: string, reason: string): void {
    this.checks.push({ name, label, result: "skipped", reason });
  }
  log(name: string, label: string, reason: string): void {
    this.checks.push({ name, label, result: "logged", reason });
    this.warnings.push(`${label}: ${reason}`);
  }
  get failed(): Check | undefined {
    return this.checks.find((c) => c.result === "failed");
  }
}


/**
 * The verdict to show on each graph node: a signature's own (the best of its
 * layers), else the verdict of what it signs.
 */
export function verdictsByNode(v: GraphVerification): Record<string, Verdict> {
  const out: Record<string, Verdict> = {};
  for (const [digest, s] of Object.entries(v.subjects)) out[digest] = s.verdict;
  const bySignature = new Map<string, Verdict[]>();
  for (const s of v.signatures) appendTo(bySignature, s.digest, s.verdict);
  for (const [digest, verdicts] of bySignature) out[digest] = verdicts.includes("verified") ? "verified" : mostInformative(verdicts)!;
  return out;
}
