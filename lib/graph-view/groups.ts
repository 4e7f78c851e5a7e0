import type { ArtifactKind } from "../supply-chain/classify";
import type { GraphEdge, GraphNode, SupplyChainGraph } from "../supply-chain/discover";

/**
 * Large sibling groups drawn as one node: 250 signatures on one image are a
 * fact to read ("250 signatures"), not 250 boxes to scroll past, and a graph
 * of 10,000 artifacts stays a handful of nodes until the user opens a group.
 * Pure: the graph and the set of opened groups in, what to draw out.
 */

/** More siblings of one kind and type than this under one node are drawn as a group. */
export const GROUP_THRESHOLD = 20;

export interface NodeGroup {
  /** Stable across reloads (parent, kind and type), so an opened group can live in the URL. */
  id: string;
  /** The node the members hang from. */
  parent: string;
  kind: ArtifactKind;
  artifactType?: string;
  /** What the group stands for, e.g. "SPDX SBOM". */
  label: string;
  /** The members: direct children of the parent. */
  members: string[];
  /** Nodes below the members (their own signatures …), hidden with them. */
  below: number;
  /** Every node the group hides: its members and what hangs below them. */
  hidden: string[];
  relation: GraphEdge["relation"];
}

export interface VisibleGraph {
  /** The graph with grouped members and everything below them left out. */
  graph: SupplyChainGraph;
  groups: NodeGroup[];
}

export function groupId(parent: string, kind: string, artifactType: string | undefined): string {
  return `${parent}|${kind}|${artifactType ?? ""}`;
}

export function groupSiblings(graph: SupplyChainGraph, options: { threshold?: number; expanded?: ReadonlySet<string> } = {}): VisibleGraph {
  const threshold = options.threshold ?? GROUP_THRESHOLD;
  const expanded = options.expanded ?? new Set<string>();
  const byDigest = new Map(graph.nodes.map((n) => [n.digest, n]));
  const children = new Map<string, GraphEdge[]>();
  const parentOf = new Map<string, string>();
  // Each node hangs from the first edge that reaches it (its subject, or its index), as discovery found it.
  for (const e of graph.edges) {
    if (e.from === e.to || parentOf.has(e.to) || e.to === graph.root || !byDigest.has(e.to) || !byDigest.has(e.from)) continue;
    parentOf.set(e.to, e.from);
    const list = children.get(e.from);
    if (list) list.push(e);
    else children.set(e.from, [e]);
  }

  const hidden = new Set<string>();
  const groups: NodeGroup[] = [];
  const subtree = (digest: string, into: Set<string>) => {
    const stack = [digest];
    while (stack.length > 0) {
      const d = stack.pop()!;
      for (const e of children.get(d) ?? []) {
        if (into.has(e.to)) continue;
        into.add(e.to);
        stack.push(e.to);
      }
    }
  };
  // Walk from the root down, so that a group inside a hidden subtree is not made.
  const queue = [graph.root];
  const visited = new Set(queue);
  while (queue.length > 0) {
    const parent = queue.shift()!;
    const buckets = new Map<string, { edges: GraphEdge[]; node: GraphNode }>();
    for (const e of children.get(parent) ?? []) {
      const n = byDigest.get(e.to)!;
      const key = groupId(parent, n.classification.kind, n.artifactType);
      const b = buckets.get(key);
      if (b) b.edges.push(e);
      else buckets.set(key, { edges: [e], node: n });
    }
    for (const [id, { edges, node }] of buckets) {
      if (edges.length > threshold && !expanded.has(id)) {
        const below = new Set<string>();
        for (const e of edges) {
          hidden.add(e.to);
          subtree(e.to, below);
        }
        for (const d of below) hidden.add(d);
        groups.push({
          id,
          parent,
          kind: node.classification.kind,
          artifactType: node.artifactType,
          label: node.classification.label,
          members: edges.map((e) => e.to),
          below: below.size,
          hidden: [...edges.map((e) => e.to), ...below],
          relation: edges[0].relation,
        });
        continue;
      }
      for (const e of edges) {
        if (visited.has(e.to)) continue;
        visited.add(e.to);
        queue.push(e.to);
      }
    }
  }
  if (hidden.size === 0) return { graph, groups };
  return {
    graph: { ...graph, nodes: graph.nodes.filter((n) => !hidden.has(n.digest)), edges: graph.edges.filter((e) => !hidden.has(e.from) && !hidden.has(e.to)) },
    groups,
  };
}
