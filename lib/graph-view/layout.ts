import dagre from "@dagrejs/dagre";
import type { GraphEdge, GraphNode, SupplyChainGraph } from "../supply-chain/discover";

/**
 * Where each node of a supply-chain graph goes on screen: a layered layout,
 * subject on the left, referrers to the right, one column per level. Pure:
 * plain positions in, plain positions out, so it is tested without a browser
 * and the view library only draws.
 */

export const NODE_WIDTH = 260;
export const NODE_HEIGHT = 84;

export interface PlacedNode {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
  node: GraphNode;
}

export interface PlacedEdge {
  id: string;
  source: string;
  target: string;
  edge: GraphEdge;
}

export interface GraphLayout {
  nodes: PlacedNode[];
  edges: PlacedEdge[];
  width: number;
  height: number;
}

export function layoutGraph(graph: SupplyChainGraph, options: { direction?: "LR" | "TB" } = {}): GraphLayout {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: options.direction ?? "LR", nodesep: 18, ranksep: 90, marginx: 16, marginy: 16 });
  g.setDefaultEdgeLabel(() => ({}));
  const present = new Set(graph.nodes.map((n) => n.digest));
  for (const n of graph.nodes) g.setNode(n.digest, { width: NODE_WIDTH, height: NODE_HEIGHT });
  const edges = graph.edges.filter((e) => present.has(e.from) && present.has(e.to) && e.from !== e.to);
  for (const e of edges) g.setEdge(e.from, e.to);
  dagre.layout(g);
  const byDigest = new Map(graph.nodes.map((n) => [n.digest, n]));
  const nodes = graph.nodes.map((n) => {
    const p = g.node(n.digest);
    // dagre gives centres; the view wants top-left corners.
    return { id: n.digest, x: Math.round(p.x - NODE_WIDTH / 2), y: Math.round(p.y - NODE_HEIGHT / 2), width: NODE_WIDTH, height: NODE_HEIGHT, node: byDigest.get(n.digest)! };
  });
  const label = g.graph();
  return {
    nodes,
    edges: edges.map((e) => ({ id: `${e.from}>${e.to}>${e.relation}`, source: e.from, target: e.to, edge: e })),
    width: label.width ?? 0,
    height: label.height ?? 0,
  };
}
