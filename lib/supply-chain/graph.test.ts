import { describe, expect, it } from "vitest";
import type { GraphEdge, GraphNode, SupplyChainGraph } from "./discover";
import { selectReferrers } from "./graph";
import { supplyChainStatus } from "./status";
import { groupTags } from "./tag-groups";

const node = (digest: string, role: GraphNode["role"], kind: GraphNode["classification"]["kind"], artifactType?: string, created?: string): GraphNode => ({
  digest,
  mediaType: "application/vnd.oci.image.manifest.v1+json",
  size: 1,
  artifactType,
  annotations: {},
  role,
  classification: { kind, format: "x", label: kind },
  created,
  depth: role === "referrer" ? 1 : 0,
  tags: [],
});
const ref = (from: string, to: string): GraphEdge => ({ from, to, relation: "referrer", methods: ["referrers-api"] });

// root (index) -> platform p1; scans s1..s3 and sbom b on root; signature g on b; signature pg on p1
const graph: SupplyChainGraph = {
  repository: "r",
  root: "root",
  nodes: [
    node("root", "subject", "index"),
    node("p1", "platform-manifest", "image"),
    node("s1", "referrer", "vulnerability-scan", "sarif", "2026-01-03T00:00:00.000Z"),
    node("s2", "referrer", "vulnerability-scan", "sarif", "2026-01-05T00:00:00.000Z"),
    node("s3", "referrer", "vulnerability-scan", "sarif"),
    node("b", "referrer", "sbom", "spdx", "2026-01-01T00:00:00.000Z"),
    node("g", "referrer", "signature", "notation"),
    node("pg", "referrer", "signature", "notation"),
  ],
  edges: [{ from: "root", to: "p1", relation: "platform", methods: [] }, ref("root", "s1"), ref("root", "s2"), ref("root", "s3"), ref("root", "b"), ref("b", "g"), ref("p1", "pg")],
  warnings: [],
  truncated: { depth: false, count: false },
  capabilities: { referrersApi: "supported" },
};
const digests = (g: SupplyChainGraph) => g.nodes.map((n) => n.digest);

describe("selectReferrers", () => {
  it("orders by created date, undated last in either order", () => {
    expect(digests(selectReferrers(graph, { artifactType: "sarif", orderBy: "created", order: "desc" }))).toEqual(["root", "s2", "s1", "s3"]);
    expect(digests(selectReferrers(graph, { artifactType: "sarif", orderBy: "created", order: "asc" }))).toEqual(["root", "s1", "s2", "s3"]);
  });

  it("keeps the newest N per artifact type, under each node", () => {
    const top = selectReferrers(graph, { top: 1 });
    expect(new Set(digests(top))).toEqual(new Set(["root", "p1", "s2", "b", "g", "pg"]));
    expect(top.edges.some((e) => e.to === "s1")).toBe(false);
  });

  it("filters direct referrers of the subject (and its platforms) by type, and drops platforms left bare", () => {
    const sboms = selectReferrers(graph, { artifactType: "spdx" });
    expect(digests(sboms)).toEqual(["root", "b", "g"]);
  });
});

describe("supplyChainStatus", () => {
  it("counts what hangs off the subject or its platforms, not referrers of referrers", () => {
    expect(supplyChainStatus(graph)).toEqual({
      signed: true, // pg signs the platform manifest
      sbom: true,
      scanned: true,
      attested: false,
      counts: { "vulnerability-scan": 3, sbom: 1, signature: 1 },
      referrers: 6,
      latest: "2026-01-05T00:00:00.000Z",
    });
    const unsignedPlatform = { ...graph, edges: graph.edges.filter((e) => e.to !== "pg"), nodes: graph.nodes.filter((n) => n.digest !== "pg") };
    expect(supplyChainStatus(unsignedPlatform).signed).toBe(false); // g signs the SBOM, not the image
  });
});

describe("groupTags", () => {
  it("separates image tags from digest tags, grouped by subject", () => {
    const hex = "a".repeat(64);
    const g = groupTags(["v1", `sha256-${hex}`, `sha256-${hex}.sig`, `sha256-${hex}.att`, "latest", `sha256-${"b".repeat(64)}.sbom`]);
    expect(g.images).toEqual(["v1", "latest"]);
    expect(g.bySubject.get(`sha256:${hex}`)!.map((t) => t.tag)).toEqual([`sha256-${hex}`, `sha256-${hex}.sig`, `sha256-${hex}.att`]);
    expect(g.bySubject.size).toBe(2);
  });
});
