import type { Signer } from "./verdict";
import type { SignatureResult } from "./verify-graph";

/**
 * A stable order for signature results (they arrive in the order fetches
 * finish): Notary, Sigstore, cosign, then by digest and layer. Pure, so the
 * pages can use it too.
 */
const FORMAT_ORDER = ["notation-jws", "notation-cose", "sigstore-bundle", "cosign", "unknown"];

export function stableOrder(a: SignatureResult, b: SignatureResult): number {
  return FORMAT_ORDER.indexOf(a.format) - FORMAT_ORDER.indexOf(b.format) || (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : a.layer - b.layer);
}

/** Each signer once, in the order given. */
export function distinctSigners(results: SignatureResult[]): Signer[] {
  const seen = new Map<string, Signer>();
  for (const r of results) if (r.signer && !seen.has(JSON.stringify(r.signer))) seen.set(JSON.stringify(r.signer), r.signer);
  return [...seen.values()];
}
