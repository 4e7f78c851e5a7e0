import { describe, expect, it } from "vitest";
import type { GraphNode, SupplyChainGraph } from "../supply-chain/discover";
import { groupSiblings } from "./groups";
import { initialViewport, layoutGraph, NODE_HEIGHT, NODE_WIDTH, READABLE_ZOOM, type GraphLayout } from "./layout";

const node = (digest: string, depth: number): GraphNode => ({
  digest,
  mediaType: "m",
  size: 1,
  annotations: {},
  role: depth === 0 ? "subject" : "referrer",
  classification: { kind: "other", format: "x", label: "x" },
  depth,
  tags: [],
});

function chain(width: number): SupplyChainGraph {
  const nodes = [node("root", 0)];
  const edges = [];
  for (let i = 0; i < width; i++) {
    nodes.push(node(`a${i}`, 1), node(`b${i}`, 2));
    edges.push({ from: "root", to: `a${i}`, relation: "referrer" as const, methods: ["referrers-api" as const] });
    edges.push({ from: `a${i}`, to: `b${i}`, relation: "referrer" as const, methods: ["tag-schema" as const] });
  }
  return { repository: "r", root: "root", nodes, edges, warnings: [], truncated: { depth: false, count: false }, capabilities: { referrersApi: "supported" } };
}

const overlaps = (a: { x: number; y: number }, b: { x: number; y: number }) => Math.abs(a.x - b.x) < NODE_WIDTH && Math.abs(a.y - b.y) < NODE_HEIGHT;

describe("layoutGraph", () => {
  it("puts each level in its own column, left to right, without overlaps", () => {
    const l = layoutGraph(chain(3));
    const at = Object.fromEntries(l.nodes.map((n) => [n.id, n]));
    expect(at.root.x).toBeLessThan(at.a0.x);
    expect(at.a0.x).toBeLessThan(at.b0.x);
    expect(new Set(["a0", "a1", "a2"].map((id) => at[id].x)).size).toBe(1);
    for (const a of l.nodes) for (const b of l.nodes) if (a !== b) expect(overlaps(a, b)).toBe(false);
    expect(l.edges.map((e) => e.id)).toContain("root>a0>referrer");
  });

  it("lays out 500 nodes", () => {
    const l = layoutGraph(chain(250));
    expect(l.nodes).toHaveLength(501);
    expect(l.height).toBeGreaterThan(250 * NODE_HEIGHT);
  });
});

/** Within each column, every node at least a node's height from the next. */
function noOverlaps(l: GraphLayout): boolean {
  const columns = new Map<number, number[]>();
  for (const n of [...l.nodes, ...l.groups]) columns.set(n.x, [...(columns.get(n.x) ?? []), n.y]);
  for (const ys of columns.values()) {
    ys.sort((a, b) => a - b);
    for (let i = 1; i < ys.length; i++) if (ys[i] - ys[i - 1] < NODE_HEIGHT) return false;
  }
  return true;
}

function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe("layout at scale and order", () => {
  it("draws the same graph the same way whatever order discovery found it in", () => {
    const g = chain(40);
    const a = layoutGraph(g);
    const b = layoutGraph({ ...g, nodes: shuffled(g.nodes, 7), edges: shuffled(g.edges, 11) });
    const at = (l: GraphLayout) => Object.fromEntries(l.nodes.map((n) => [n.id, [n.x, n.y]]));
    expect(at(b)).toEqual(at(a));
  });

  it("places 10,000 nodes in columns without overlaps, each parent beside its referrers", () => {
    const l = layoutGraph(chain(5000));
    expect(l.nodes).toHaveLength(10_001);
    expect(noOverlaps(l)).toBe(true);
    const at = Object.fromEntries(l.nodes.map((n) => [n.id, n]));
    expect(at.a123.y).toBe(at.b123.y); // one referrer: side by side
    expect(at.root.y).toBeGreaterThan(at.a0.y);
    expect(at.root.y).toBeLessThan(at.a4999.y);
  });

  it("collapses a large group of one kind into one node, with what hangs below it counted, and opens it on request", () => {
    const g = chain(250);
    for (const n of g.nodes) if (n.depth === 1) n.classification = { kind: "signature", format: "notary", label: "Notary signature" };
    const { graph, groups } = groupSiblings(g);
    expect(graph.nodes.map((n) => n.digest)).toEqual(["root"]);
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ parent: "root", kind: "signature", label: "Notary signature", below: 250 });
    expect(groups[0].members).toHaveLength(250);
    const l = layoutGraph(graph, { groups });
    expect(l.groups.map((p) => p.id)).toEqual([groups[0].id]);
    expect(l.edges.map((e) => e.target)).toEqual([groups[0].id]);
    expect(l.groups[0].x).toBeGreaterThan(l.nodes[0].x);

    const opened = groupSiblings(g, { expanded: new Set([groups[0].id]) });
    expect(opened.groups).toEqual([]);
    expect(opened.graph.nodes).toHaveLength(501);
    // 20 of a kind stay as they are.
    expect(groupSiblings(chain(20)).groups).toEqual([]);
  });
});

describe("initialViewport", () => {
  const canvas = { width: 1200, height: 544 };

  it("fits a small graph whole", () => {
    const l = layoutGraph(chain(1));
    const v = initialViewport(l, "root", canvas);
    expect(v.zoom).toBe(1);
    for (const n of l.nodes) {
      expect(n.x * v.zoom + v.x).toBeGreaterThanOrEqual(0);
      expect((n.x + n.width) * v.zoom + v.x).toBeLessThanOrEqual(canvas.width);
    }
  });

  it("opens a large graph at a legible zoom with the subject and its first level in view", () => {
    const l = layoutGraph(chain(10)); // 21 nodes: fitting all of it would shrink text below legibility
    const v = initialViewport(l, "root", canvas);
    expect(v.zoom).toBeGreaterThanOrEqual(READABLE_ZOOM);
    const root = l.nodes.find((n) => n.id === "root")!;
    const screen = (n: { x: number; y: number; width: number; height: number }) => ({ left: n.x * v.zoom + v.x, top: n.y * v.zoom + v.y, right: (n.x + n.width) * v.zoom + v.x, bottom: (n.y + n.height) * v.zoom + v.y });
    const r = screen(root);
    expect(r.left).toBeGreaterThanOrEqual(0);
    expect(r.right).toBeLessThanOrEqual(canvas.width);
    expect(r.top).toBeGreaterThanOrEqual(0);
    expect(r.bottom).toBeLessThanOrEqual(canvas.height);
    // The first level's column is on screen horizontally.
    const a0 = screen(l.nodes.find((n) => n.id === "a0")!);
    expect(a0.left).toBeGreaterThan(r.right);
    expect(a0.right).toBeLessThanOrEqual(canvas.width);
  });

  it("keeps the subject whole at the left on a phone", () => {
    const l = layoutGraph(chain(4));
    const v = initialViewport(l, "root", { width: 358, height: 544 });
    const root = l.nodes.find((n) => n.id === "root")!;
    expect(v.zoom).toBeGreaterThanOrEqual(READABLE_ZOOM);
    expect(root.x * v.zoom + v.x).toBeGreaterThanOrEqual(0);
    expect(root.x * v.zoom + v.x).toBeLessThan(40);
  });
});
