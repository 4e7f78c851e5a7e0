/**
 * Test support: the discovery cases every store must pass on the same
 * third-party fixtures (a registry reached over HTTP, OCI layouts on disk).
 * Expected referrers come from the layouts' own `subject` fields.
 */
import { expect, it } from "vitest";
import type { Capability, Store } from "@/lib/oci/store";
import { discover, type DiscoveryMethod } from "@/lib/supply-chain/discover";
import { expectedReferrers } from "./fixtures";
import type { Layout } from "./layout";

export interface DiscoveryContext {
  store: Store;
  layouts: Map<string, Layout>;
  /** How this store finds referrers. */
  method: DiscoveryMethod;
  capability: Capability;
}

export function discoveryCases(ctx: () => DiscoveryContext): void {
  const cases = ["regclient/testrepo", "oras/artifacts", "oras/images", "notation/e2e-valid-multiple-signatures", "notation/e2e-valid-signature", "notation/e2e"];

  it.each(cases)("finds exactly the declared referrers of every tag in %s", async (repo) => {
    const { store, layouts, method } = ctx();
    const layout = layouts.get(repo)!;
    const tags = layout.entries.filter((e) => e.tag && !/^sha256-/.test(e.tag));
    expect(tags.length).toBeGreaterThan(0);
    for (const entry of tags) {
      const graph = await discover(store, repo, entry.tag!);
      const found = new Set(graph.nodes.filter((n) => n.role === "referrer").map((n) => n.digest));
      expect([...found].sort(), `${repo}:${entry.tag}`).toEqual([...expectedReferrers(layout, entry.descriptor.digest)].sort());
      for (const e of graph.edges.filter((x) => x.relation === "referrer")) expect(e.methods).toContain(method);
    }
  });

  it("shows regclient testrepo v2 with its SBOM, signature and per-platform referrers", async () => {
    const { store, capability } = ctx();
    const graph = await discover(store, "regclient/testrepo", "v2");
    const byType = (t: string) => graph.nodes.filter((n) => n.artifactType === t).map((n) => n.digest.slice(7, 19)).sort();
    expect(byType("application/example.sbom")).toEqual(["0484e93c23cd"]);
    expect(byType("application/example.signature")).toEqual(["741132f956e1"]);
    expect(byType("application/example.arms")).toEqual(["25ecacb3ebf8", "30bc58e881e9", "d2e2970e57e0"]);
    const platforms = graph.nodes.filter((n) => n.role === "platform-manifest").map((n) => `${n.platform?.os}/${n.platform?.architecture}${n.platform?.variant ? `/${n.platform.variant}` : ""}`);
    expect(platforms.sort()).toEqual(["linux/amd64", "linux/arm/v7", "linux/arm64"]);
    expect(graph.capabilities.referrersApi).toBe(capability);
  });

  it("follows a two-level chain (image <- sbom <- signature) in the oras layout", async () => {
    const { store, method } = ctx();
    const graph = await discover(store, "oras/artifacts", "foobar");
    const sbom = graph.nodes.find((n) => n.artifactType === "test/sbom.file")!;
    const sig = graph.nodes.find((n) => n.artifactType === "test/signature.file")!;
    expect(sbom.depth).toBe(1);
    expect(sig.depth).toBe(2);
    expect(graph.edges.find((e) => e.from === sbom.digest && e.to === sig.digest)?.methods).toContain(method);
    expect(sbom.classification.kind).toBe("sbom");
    expect(sig.classification.kind).toBe("signature");
    const shallow = await discover(store, "oras/artifacts", "foobar", { maxDepth: 1 });
    expect(shallow.nodes.map((n) => n.digest)).not.toContain(sig.digest);
    expect(shallow.truncated.depth).toBe(true);
  });

  it("finds cross-repository referrers (regclient external) whose subject lives elsewhere", async () => {
    const { store, layouts } = ctx();
    const external = layouts.get("regclient/external")!;
    const subject = layouts.get("regclient/testrepo")!.entries.find((e) => e.tag === "v2")!.descriptor.digest;
    const graph = await discover(store, "regclient/external", subject);
    expect(new Set(graph.nodes.filter((n) => n.role === "referrer").map((n) => n.digest))).toEqual(expectedReferrers(external, subject));
    expect(graph.warnings.join()).toMatch(/is not in regclient\/external/);
  });

  it("stops at the node limit and says so", async () => {
    const graph = await discover(ctx().store, "regclient/testrepo", "v2", { maxNodes: 3 });
    expect(graph.nodes.length).toBeLessThanOrEqual(3);
    expect(graph.truncated.count).toBe(true);
  });

  it("survives the loop and mirror edge cases", async () => {
    const { store } = ctx();
    const loop = await discover(store, "regclient/testrepo", "loop");
    expect(new Set(loop.nodes.map((n) => n.digest)).size).toBe(loop.nodes.length);
    const mirror = await discover(store, "regclient/testrepo", "mirror");
    expect(mirror.nodes.filter((n) => n.role === "referrer")).toEqual([]);
  });

  it("classifies the real Notary Project signatures", async () => {
    const graph = await discover(ctx().store, "notation/e2e-valid-multiple-signatures", "v1");
    const sigs = graph.nodes.filter((n) => n.role === "referrer");
    expect(sigs).toHaveLength(2);
    for (const s of sigs) expect(s.classification).toMatchObject({ kind: "signature", format: "notation" });
    expect(sigs.every((s) => s.created)).toBe(true);
  });

  it("filters direct referrers by artifact type and keeps what hangs off them", async () => {
    const graph = await discover(ctx().store, "regclient/testrepo", "v2", { artifactType: "application/example.sbom" });
    expect(graph.nodes.filter((n) => n.role === "referrer").map((n) => n.artifactType)).toEqual(["application/example.sbom"]);
  });
}
