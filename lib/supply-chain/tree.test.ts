import { describe, expect, it } from "vitest";
import type { GraphEdge, GraphNode, SupplyChainGraph } from "./discover";
import { toDiscoverJson, toDiscoverTree } from "./tree";

const node = (digest: string, depth: number): GraphNode => ({
  digest,
  mediaType: "application/vnd.oci.image.manifest.v1+json",
  size: 1,
  artifactType: depth === 0 ? undefined : "application/vnd.example",
  annotations: {},
  role: depth === 0 ? "subject" : "referrer",
  classification: { kind: "other", format: "x", label: "artifact" },
  depth,
  tags: [],
});

/** A subject and n referrers each of which is also a referrer of every other: what a registry answering every referrers request with the same list produces. */
function dense(n: number): SupplyChainGraph {
  const nodes = [node("root", 0), ...Array.from({ length: n }, (_, i) => node(`r${i}`, 1))];
  const edges: GraphEdge[] = [];
  for (const from of nodes) for (const to of nodes.slice(1)) if (from !== to) edges.push({ from: from.digest, to: to.digest, relation: "referrer", methods: ["referrers-api"] });
  return { repository: "app", root: "root", nodes, edges, warnings: [], truncated: { depth: false, count: false }, capabilities: { referrersApi: "supported" } };
}

describe("discover tree", () => {
  it("writes a dense graph of referrers that point at each other in one line per edge, not one per path", () => {
    const g = dense(40);
    const started = performance.now();
    const text = toDiscoverTree(g, "registry/app:v1");
    expect(performance.now() - started).toBeLessThan(2000);
    const lines = text.split("\n");
    // Each node's referrers appear once (40 × 39 edges between referrers, 40 from the root), plus group headers.
    expect(lines.length).toBeLessThanOrEqual(1 + g.edges.length + g.nodes.length);
    expect(lines.filter((l) => l.includes("(shown above)")).length).toBe(g.edges.length - 40);
    // Each referrer is written out where it is nearest the subject: the tree is as deep as the graph (two
    // levels of referrers, each under its artifact-type line), not forty levels deep.
    const indent = Math.max(...lines.map((l) => l.search(/[├└]/)));
    expect(indent).toBeLessThanOrEqual(3 * 4);
  });

  it("writes the same dense graph as bounded JSON", () => {
    const g = dense(40);
    const json = toDiscoverJson(g, "registry/app:v1", "registry");
    expect(JSON.stringify(json).length).toBeLessThan(2_000_000);
    expect(json.manifests).toHaveLength(40);
    expect(json.manifests.every((m) => m.manifests.length === 39 && m.manifests.every((child) => child.shownAbove === true && child.manifests.length === 0))).toBe(true);
  });

  it("still writes every referrer of a plain chain", () => {
    const g = dense(1);
    g.nodes.push(node("sig", 2));
    g.edges.push({ from: "r0", to: "sig", relation: "referrer", methods: ["tag-schema"] });
    const text = toDiscoverTree(g, "registry/app:v1");
    expect(text).toContain("r0");
    expect(text).toContain("sig");
    expect(text).not.toContain("shown above");
  });
});
