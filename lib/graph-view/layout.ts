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

export interface Viewport {
  x: number;
  y: number;
  zoom: number;
}

/** Below this zoom node text (11–14 px) is smaller than about 9 px: not legible. */
export const READABLE_ZOOM = 0.8;

/**
 * Where the graph opens: the whole graph when it fits at a legible zoom;
 * otherwise the subject and its first level (its platforms and direct
 * referrers) at no less than READABLE_ZOOM, the subject kept in view at the
 * left (the rest is a pan away). Pure, so it is tested without a browser.
 */
export function initialViewport(
  layout: GraphLayout,
  root: string,
  canvas: { width: number; height: number },
  options: { minZoom?: number; maxZoom?: number; padding?: number } = {},
): Viewport {
  const minZoom = options.minZoom ?? READABLE_ZOOM;
  const maxZoom = options.maxZoom ?? 1;
  const pad = options.padding ?? 16;
  const w = Math.max(1, canvas.width - 2 * pad);
  const h = Math.max(1, canvas.height - 2 * pad);
  const bounds = (nodes: PlacedNode[]) => {
    const x0 = Math.min(...nodes.map((n) => n.x));
    const y0 = Math.min(...nodes.map((n) => n.y));
    const x1 = Math.max(...nodes.map((n) => n.x + n.width));
    const y1 = Math.max(...nodes.map((n) => n.y + n.height));
    return { x0, y0, x1, y1, width: x1 - x0, height: y1 - y0 };
  };
  if (layout.nodes.length === 0) return { x: pad, y: pad, zoom: maxZoom };
  const all = bounds(layout.nodes);
  const fitAll = Math.min(maxZoom, w / all.width, h / all.height);
  const center = (b: ReturnType<typeof bounds>, zoom: number): Viewport => ({
    x: pad + (w - b.width * zoom) / 2 - b.x0 * zoom,
    y: pad + (h - b.height * zoom) / 2 - b.y0 * zoom,
    zoom,
  });
  if (fitAll >= minZoom) return center(all, fitAll);
  const rootNode = layout.nodes.find((n) => n.id === root) ?? layout.nodes[0];
  const focus = bounds(layout.nodes.filter((n) => n.node.depth <= 1));
  const zoom = Math.max(minZoom, Math.min(maxZoom, w / focus.width, h / focus.height));
  const v = center(focus, zoom);
  // Too wide: the subject's left edge at the left of the canvas rather than cut off.
  if (focus.width * zoom > w) v.x = pad - rootNode.x * zoom;
  // Too tall: the subject in the middle, its first level above and below.
  if (focus.height * zoom > h) v.y = pad + h / 2 - (rootNode.y + rootNode.height / 2) * zoom;
  return v;
}
