import type { ArtifactKind } from "./classify";
import type { SupplyChainGraph } from "./discover";

/**
 * The badges of a subject: is it signed, does it have an SBOM, a
 * vulnerability scan, an attestation. Counted over what is attached to the
 * subject itself or to one of its platform manifests (a signature of an SBOM
 * does not make the image signed).
 */

export interface SupplyChainStatus {
  signed: boolean;
  sbom: boolean;
  scanned: boolean;
  attested: boolean;
  /** Direct referrers by kind. */
  counts: Partial<Record<ArtifactKind, number>>;
  /** Referrers found at any depth the walk went (status calls walk one level). */
  referrers: number;
  /** Newest created date among the direct referrers, when any is dated. */
  latest?: string;
}

/**
 * The image itself: the subject and its platform manifests (an index's images). Signatures and documents
 * attached to any of these are the image's own; those on its referrers (an SBOM's signature) are not.
 */
export function imageDigests(graph: Pick<SupplyChainGraph, "root" | "edges">): Set<string> {
  const own = new Set([graph.root]);
  for (const e of graph.edges) if (e.relation === "platform" && own.has(e.from)) own.add(e.to);
  return own;
}

export function supplyChainStatus(graph: SupplyChainGraph): SupplyChainStatus {
  const subjects = imageDigests(graph);
  const byDigest = new Map(graph.nodes.map((n) => [n.digest, n]));
  const direct = new Set<string>();
  for (const e of graph.edges) if (e.relation === "referrer" && subjects.has(e.from)) direct.add(e.to);
  const counts: Partial<Record<ArtifactKind, number>> = {};
  let latest: string | undefined;
  for (const digest of direct) {
    const n = byDigest.get(digest);
    if (!n) continue;
    counts[n.classification.kind] = (counts[n.classification.kind] ?? 0) + 1;
    if (n.created && (!latest || n.created > latest)) latest = n.created;
  }
  return {
    signed: (counts.signature ?? 0) > 0,
    sbom: (counts.sbom ?? 0) > 0,
    scanned: (counts["vulnerability-scan"] ?? 0) > 0,
    attested: (counts.attestation ?? 0) > 0,
    counts,
    referrers: graph.nodes.filter((n) => n.role === "referrer").length,
    latest,
  };
}
