import { appendTo } from "./append";
import { compareCreated } from "./created";
import type { GraphEdge, GraphNode, SupplyChainGraph } from "./discover";

/**
 * Views of a discovered graph, as `oras discover` offers them in the founding
 * talk: order referrers by created date, keep the newest N of each artifact
 * type, filter by artifact type. Pure functions over plain data.
 */

export interface SelectOptions {
  /** Keep only direct referrers of the subject with this artifact type (deeper levels are kept). */
  artifactType?: string;
  orderBy?: "created";
  order?: "asc" | "desc";
  /** Keep at most this many referrers per artifact type under each node (after ordering). */
  top?: number;
}

/** The type a referrer is grouped by: its artifact type, else its media type. */
export function groupTypeOf(node: GraphNode): string {
  return node.artifactType ?? node.mediaType;
}

export function selectReferrers(graph: SupplyChainGraph, options: SelectOptions): SupplyChainGraph {
  const byDigest = new Map(graph.nodes.map((n) => [n.digest, n]));
  const order = options.order ?? (options.top !== undefined ? "desc" : "asc");
  const byCreated = options.orderBy === "created" || options.top !== undefined;

  const children = new Map<string, GraphEdge[]>();
  for (const e of graph.edges) appendTo(children, e.from, e);

  const platformOfRoot = new Set<string>([graph.root]);
  const kept = new Set<string>([graph.root]);
  const keptEdges: GraphEdge[] = [];
  const orderedNodes: GraphNode[] = [];
  const queue = [graph.root];
  const visited = new Set<string>();
  while (queue.length > 0) {
    const digest = queue.shift()!;
    if (visited.has(digest)) continue;
    visited.add(digest);
    const node = byDigest.get(digest);
    if (node) orderedNodes.push(node);
    const out = children.get(digest) ?? [];
    const platforms = out.filter((e) => e.relation === "platform");
    let referrers = out.filter((e) => e.relation === "referrer" && byDigest.has(e.to));
    if (options.artifactType !== undefined && platformOfRoot.has(digest)) {
      referrers = referrers.filter((e) => byDigest.get(e.to)!.artifactType === options.artifactType);
    }
    if (byCreated) referrers = sortByCreated(referrers, byDigest, order);
    if (options.top !== undefined) {
      const perType = new Map<string, number>();
      referrers = referrers.filter((e) => {
        const t = groupTypeOf(byDigest.get(e.to)!);
        const n = perType.get(t) ?? 0;
        perType.set(t, n + 1);
        return n < options.top!;
      });
    }
    for (const e of [...platforms, ...referrers]) {
      if (!byDigest.has(e.to)) continue;
      if (e.relation === "platform" && platformOfRoot.has(digest)) platformOfRoot.add(e.to);
      keptEdges.push(e);
      kept.add(e.to);
      queue.push(e.to);
    }
  }
  // Platform manifests with nothing left below them are dropped, as discovery does.
  const keptOut = new Map<string, GraphEdge[]>();
  for (const e of keptEdges) appendTo(keptOut, e.from, e);
  const leadsToReferrer = (digest: string, seen = new Set<string>()): boolean => {
    if (seen.has(digest)) return false;
    seen.add(digest);
    return (keptOut.get(digest) ?? []).some((e) => e.relation === "referrer" || leadsToReferrer(e.to, seen));
  };
  const finalNodes = orderedNodes.filter((n) => n.digest === graph.root || n.role !== "platform-manifest" || leadsToReferrer(n.digest));
  const finalSet = new Set(finalNodes.map((n) => n.digest));
  return {
    ...graph,
    nodes: finalNodes,
    edges: keptEdges.filter((e) => finalSet.has(e.from) && finalSet.has(e.to)),
  };
}

function sortByCreated(edges: GraphEdge[], byDigest: Map<string, GraphNode>, order: "asc" | "desc"): GraphEdge[] {
  // Ties keep digest order, for stable output.
  return [...edges].sort((a, b) => compareCreated(byDigest.get(a.to)?.created, byDigest.get(b.to)?.created, order) || (a.to < b.to ? -1 : a.to > b.to ? 1 : 0));
}
