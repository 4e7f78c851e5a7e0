import type { LayerDocument } from "../documents/read";
import type { Finding, Vex } from "../documents/model";
import type { SupplyChainGraph } from "../supply-chain/discover";
import { imageDigests } from "../supply-chain/status";
import type { GraphVerification, SignatureResult } from "../verification/verify-graph";

/**
 * What a policy is judged on, for one image: its signatures as verified, and
 * the documents attached to it (or to its platform manifests), each with the
 * digest of the artifact carrying it, its time, and the signatures over that
 * artifact. Gathered from the same graph, verification and document reader as
 * the pages; a document that cannot be read is kept with its error, so a rule
 * can say "unknown" and why instead of "missing".
 */

/** What rules read of each kind of document: plain values, from a parsed document or from the index's rows. */
export interface SbomFacts {
  format: "spdx" | "cyclonedx";
  packages: number;
}
export interface ScanFacts {
  scanner: string;
  /** When the scan ran, when it says. */
  scannedAt?: string;
  findings: Finding[];
}
export interface ProvenanceFacts {
  builderId?: string;
  sourceUri?: string;
}

export interface DocumentEvidence<T> {
  /** The attached artifact (referrer) carrying the document. */
  digest: string;
  /** The artifact's created time (annotation), when given. */
  created?: string;
  document?: T;
  /** Why it could not be read. */
  error?: string;
  /** Signatures over this artifact, as verified. */
  signatures: SignatureResult[];
}

export interface ImageEvidence {
  digest: string;
  /** Signatures over the image or its platform manifests (attestations excluded). */
  signatures: SignatureResult[];
  sboms: DocumentEvidence<SbomFacts>[];
  scans: DocumentEvidence<ScanFacts>[];
  vex: DocumentEvidence<Vex>[];
  provenance: DocumentEvidence<ProvenanceFacts>[];
}

const DOCUMENT_KINDS = new Set(["sbom", "vulnerability-scan", "attestation", "other"]);

/** Reads only the artifacts that may carry documents; `read` is the server's document reader (cached by digest). */
export async function gatherEvidence(graph: SupplyChainGraph, verification: GraphVerification, read: (digest: string) => Promise<LayerDocument[]>): Promise<ImageEvidence> {
  const own = imageDigests(graph);
  const attached = new Set(graph.edges.filter((e) => e.relation === "referrer" && own.has(e.from)).map((e) => e.to));
  const evidence: ImageEvidence = {
    digest: graph.root,
    signatures: verification.signatures.filter((s) => s.kind === "signature" && own.has(s.subject)),
    sboms: [],
    scans: [],
    vex: [],
    provenance: [],
  };
  const nodes = graph.nodes.filter((n) => attached.has(n.digest) && DOCUMENT_KINDS.has(n.classification.kind));
  const readDocs = await Promise.all(nodes.map(async (n) => ({ node: n, docs: await read(n.digest).catch((err: unknown): LayerDocument[] => [{ layer: { mediaType: "", digest: n.digest, size: 0 }, error: err instanceof Error ? err.message : String(err) }]) })));
  for (const { node, docs } of readDocs) {
    const base = { digest: node.digest, created: node.created, signatures: verification.signatures.filter((s) => s.kind === "signature" && s.subject === node.digest) };
    let found = false;
    for (const d of docs) {
      const parsed = d.parsed;
      if (!parsed) continue;
      const doc = parsed.document;
      found = true;
      if (doc.kind === "sbom") evidence.sboms.push({ ...base, document: { format: doc.format, packages: doc.packages.length } });
      else if (doc.kind === "scan") evidence.scans.push({ ...base, document: { scanner: doc.scanner.name, scannedAt: doc.scannedAt, findings: doc.findings } });
      else if (doc.kind === "vex") evidence.vex.push({ ...base, document: doc });
      else if (doc.kind === "provenance") evidence.provenance.push({ ...base, document: { builderId: doc.builderId, sourceUri: doc.source?.uri } });
      if (parsed.scan) evidence.scans.push({ ...base, document: { scanner: parsed.scan.scanner.name, scannedAt: parsed.scan.scannedAt, findings: parsed.scan.findings } });
    }
    if (!found) {
      // Unreadable: kept under what its classification says it is, with the reason.
      const error = docs.find((d) => d.error)?.error ?? "it carries no document Chainsight reads";
      const kind = node.classification.kind;
      if (kind === "sbom") evidence.sboms.push({ ...base, error });
      else if (kind === "vulnerability-scan") evidence.scans.push({ ...base, error });
      else if (kind === "attestation" && /provenance|slsa/i.test(`${node.classification.format} ${node.artifactType ?? ""}`)) evidence.provenance.push({ ...base, error });
    }
  }
  return evidence;
}
