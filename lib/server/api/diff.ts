import { z } from "zod";
import { diffFindings, diffPackages, diffProvenance, type FindingDiff, type PackageDiff, type ProvenanceDiff } from "../../documents/diff";
import { firstOfKind, type ViewKind } from "../../documents/read";
import type { DocumentSummary } from "../../documents/summary";
import { validateReference, validateRepository } from "../../oci/reference";
import type { Store } from "../../oci/store";
import { discover } from "../../supply-chain/discover";
import type { Signer } from "../../verification/verdict";
import type { HandlerContext } from "../http";
import { subjectVerdict } from "../verification";
import { referenceParam, registryParam, repositoryParam } from "./params";
import { imageSummaries } from "./summary";

/**
 * Two versions of an image side by side: packages added, removed and
 * changed; findings new and fixed; signers and provenance changed. Each side
 * is read from its newest SBOM, newest scan and provenance, as the tag table
 * summarises them.
 */

export const diffInput = z.object({ registry: registryParam, repository: repositoryParam, from: referenceParam, to: referenceParam });

interface Side {
  reference: string;
  digest: string;
  sbom?: DocumentSummary & { digest: string };
  scan?: DocumentSummary & { digest: string };
  provenance?: DocumentSummary & { digest: string };
  signers: Signer[];
  verdict?: string;
}

/** At most this many rows of each list are sent; the totals say how many there are. */
const ROWS = 500;

export interface DiffResponse {
  registry: string;
  repository: string;
  from: Side;
  to: Side;
  packages?: PackageDiff & { totals: { added: number; removed: number; changed: number } };
  findings?: FindingDiff & { totals: { added: number; fixed: number } };
  provenance?: ProvenanceDiff;
  signers: { added: Signer[]; removed: Signer[] };
  /** What could not be compared, and why (no SBOM on one side …). */
  notes: string[];
}

export async function getDiff(input: z.infer<typeof diffInput>, { runtime }: HandlerContext): Promise<DiffResponse> {
  validateRepository(input.repository);
  validateReference(input.from);
  validateReference(input.to);
  const { config, store } = runtime.registries.get(input.registry);
  const side = async (reference: string) => {
    const graph = await discover(store, input.repository, reference, { maxDepth: 1, checkTruncation: false, concurrency: config.concurrency });
    const summaries = await imageSummaries(runtime.documents, store, graph);
    const verdict = subjectVerdict(graph, await runtime.verification.verify(store, config, graph));
    const s: Side = { reference, digest: graph.root, ...summaries, signers: verdict?.signers ?? [], verdict: verdict?.verdict };
    return s;
  };
  const [a, b] = await Promise.all([side(input.from), side(input.to)]);
  const notes: string[] = [];
  const packagesOf = (s: Side) => (s.sbom ? documentOf(store, input.repository, s.sbom.digest, "sbom", runtime.documents) : undefined);
  const findingsOf = (s: Side) => (s.scan ? documentOf(store, input.repository, s.scan.digest, "scan", runtime.documents) : undefined);
  const provenanceOf = (s: Side) => (s.provenance ? documentOf(store, input.repository, s.provenance.digest, "provenance", runtime.documents) : undefined);
  const [sa, sb, fa, fb, va, vb] = await Promise.all([packagesOf(a), packagesOf(b), findingsOf(a), findingsOf(b), provenanceOf(a), provenanceOf(b)]);

  let packages: DiffResponse["packages"];
  if (sa && sb) {
    const d = diffPackages(sa.packages, sb.packages);
    packages = { ...d, added: d.added.slice(0, ROWS), removed: d.removed.slice(0, ROWS), changed: d.changed.slice(0, ROWS), totals: { added: d.added.length, removed: d.removed.length, changed: d.changed.length } };
  } else notes.push(`packages not compared: ${!sa && !sb ? "neither version has" : !sa ? `${input.from} has no` : `${input.to} has no`} readable SBOM`);
  let findings: DiffResponse["findings"];
  if (fa && fb) {
    const d = diffFindings(fa.findings, fb.findings);
    findings = { ...d, added: d.added.slice(0, ROWS), fixed: d.fixed.slice(0, ROWS), totals: { added: d.added.length, fixed: d.fixed.length } };
  } else notes.push(`findings not compared: ${!fa && !fb ? "neither version has" : !fa ? `${input.from} has no` : `${input.to} has no`} readable scan`);
  const provenance = va || vb ? diffProvenance(va, vb) : undefined;
  if (!provenance) notes.push("provenance not compared: neither version has a readable provenance");
  const key = (s: Signer) => JSON.stringify(s);
  const signersA = new Set(a.signers.map(key));
  const signersB = new Set(b.signers.map(key));
  return {
    registry: config.id,
    repository: input.repository,
    from: a,
    to: b,
    packages,
    findings,
    provenance,
    signers: { added: b.signers.filter((s) => !signersA.has(key(s))), removed: a.signers.filter((s) => !signersB.has(key(s))) },
    notes,
  };
}

async function documentOf<K extends ViewKind>(store: Store, repository: string, digest: string, kind: K, documents: HandlerContext["runtime"]["documents"]) {
  return firstOfKind(await documents.read(store, repository, digest), kind)?.document;
}
