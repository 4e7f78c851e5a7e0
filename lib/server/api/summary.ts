import { imageDigests } from "../../supply-chain/status";
import { z } from "zod";
import { validateReference, validateRepository } from "../../oci/reference";
import type { Store } from "../../oci/store";
import { compareCreated } from "../../supply-chain/created";
import { discover, type GraphNode, type SupplyChainGraph } from "../../supply-chain/discover";
import type { DocumentSummary } from "../../documents/summary";
import { summarize } from "../../documents/summary";
import type { DocumentService } from "../documents";
import type { HandlerContext } from "../http";
import { imageMetadata, type ImageMetadata } from "../../metadata/summary";
import { referenceParam, registryParam, repositoryParam } from "./params";

/**
 * The summaries people decide on, per image: its SBOM's package count, its
 * newest scan's counts and age, where it was built. Read from the newest
 * attached artifact of each kind (an image and its platform manifests), each
 * document parsed once per digest.
 */

export interface ImageSummaries {
  sbom?: DocumentSummary & { digest: string };
  scan?: DocumentSummary & { digest: string };
  provenance?: DocumentSummary & { digest: string };
}

const KIND_OF: Record<string, "sbom" | "scan" | "provenance" | undefined> = { sbom: "sbom", "vulnerability-scan": "scan" };

/** Referrers of the image or its platform manifests, newest first. */
function candidates(graph: SupplyChainGraph): GraphNode[] {
  const subjects = imageDigests(graph);
  const direct = new Set(graph.edges.filter((e) => e.relation === "referrer" && subjects.has(e.from)).map((e) => e.to));
  return graph.nodes.filter((n) => direct.has(n.digest)).sort((a, b) => compareCreated(a.created, b.created, "desc"));
}

/** `only`: the parts the caller needs (the findings call wants the SBOM alone): no other document is read. */
export async function imageSummaries(documents: DocumentService, store: Store, graph: SupplyChainGraph, only: (keyof ImageSummaries)[] = ["sbom", "scan", "provenance"]): Promise<ImageSummaries> {
  const out: ImageSummaries = {};
  const nodes = candidates(graph);
  const wanted = (k: keyof ImageSummaries) => only.includes(k) && !out[k];
  for (const node of nodes) {
    const kind = KIND_OF[node.classification.kind] ?? (node.classification.kind === "attestation" ? "attestation" : undefined);
    if (!kind) continue;
    if (kind !== "attestation" && !wanted(kind)) continue;
    if (kind === "attestation" && !wanted("provenance") && !wanted("sbom")) continue;
    const docs = await documents.read(store, graph.repository, node.digest).catch(() => []);
    for (const d of docs) {
      if (!d.parsed) continue;
      const k = d.parsed.document.kind;
      // A document that gives no time of its own (many SARIF files) is as old as the artifact that carries it.
      const dated = (s: DocumentSummary) => ({ ...s, time: s.time ?? node.created, digest: node.digest });
      if ((k === "sbom" || k === "scan" || k === "provenance") && wanted(k)) out[k] = dated(summarize(d.parsed));
      if (d.parsed.scan && wanted("scan")) out.scan = dated(summarize({ ...d.parsed, document: d.parsed.scan }));
    }
    if (only.every((k) => out[k])) break;
  }
  return out;
}

export const summaryInput = z.object({ registry: registryParam, repository: repositoryParam, reference: referenceParam });

export async function getSummary(input: z.infer<typeof summaryInput>, { runtime }: HandlerContext): Promise<ImageSummaries & { digest: string; metadata: ImageMetadata }> {
  validateRepository(input.repository);
  validateReference(input.reference);
  const { config, store } = runtime.registries.get(input.registry);
  const graph = await discover(store, input.repository, input.reference, { maxDepth: 1, checkTruncation: false, concurrency: config.concurrency });
  const root = graph.nodes.find((n) => n.digest === graph.root);
  // Metadata added afterwards (lib/metadata): the newest of each wins.
  const metadata = imageMetadata(root?.annotations, candidates(graph), { deletionDate: runtime.config.lifecycle.deletionDateKeys, newVersion: runtime.config.lifecycle.newVersionKeys });
  return { digest: graph.root, metadata, ...(await imageSummaries(runtime.documents, store, graph)) };
}
