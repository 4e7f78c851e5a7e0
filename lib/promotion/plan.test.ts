import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDemoStore } from "../demo/build";
import { LayoutStore } from "../oci/layout-store";
import { discover } from "../supply-chain/discover";
import { CopyInterruptedError, executeCopy } from "./copy";
import { planCopy } from "./plan";

// A promotion plan of net-monitor v1 (a two-platform index with signatures, SBOMs, scans, attestations, a VEX
// statement, a signature on an SBOM and cosign tags) out of the demo store. The expected contents are read from the
// layout's own files: every manifest whose subject chain leads to v1, v1's platform manifests, cosign's tags.

const root = mkdtempSync(join(tmpdir(), "chainsight-plan-"));
const layout = join(root, "store", "monitoring", "net-monitor");
let source: LayoutStore;

beforeAll(async () => {
  await buildDemoStore(join(root, "store"), { fixtures: join(__dirname, "../../e2e/fixtures"), trustDir: join(root, "trust") });
  source = new LayoutStore({ root: join(root, "store"), name: "demo" });
}, 60_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Json {
  mediaType?: string;
  subject?: { digest: string };
  manifests?: { digest: string }[];
  config?: { digest: string; size: number };
  layers?: { digest: string; size: number }[];
}

/** What the layout says v1's supply chain is, read from its files. */
function expected() {
  const index = JSON.parse(readFileSync(join(layout, "index.json"), "utf8")) as { manifests: { digest: string; annotations?: Record<string, string> }[] };
  const v1 = index.manifests.find((m) => m.annotations?.["org.opencontainers.image.ref.name"] === "v1")!.digest;
  const blobs = new Map<string, Json>();
  for (const file of readdirSync(join(layout, "blobs", "sha256"))) {
    const bytes = readFileSync(join(layout, "blobs", "sha256", file));
    try {
      const json = JSON.parse(bytes.toString("utf8")) as Json;
      if (json && typeof json === "object" && (json.layers || json.manifests)) blobs.set(`sha256:${file}`, json);
    } catch {
      // a layer or a document, not a manifest
    }
  }
  const chain = new Set<string>([v1, ...(blobs.get(v1)!.manifests ?? []).map((m) => m.digest)]);
  // cosign's tags for v1 name their manifests directly.
  const hex = v1.slice(7);
  for (const m of index.manifests) if (new RegExp(`^sha256-${hex}\\.(sig|att|sbom)$`).test(m.annotations?.["org.opencontainers.image.ref.name"] ?? "")) chain.add(m.digest);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [digest, json] of blobs) {
      if (!chain.has(digest) && json.subject && chain.has(json.subject.digest)) {
        chain.add(digest);
        grew = true;
      }
    }
  }
  const parts = new Map<string, number>();
  for (const d of chain) for (const b of [blobs.get(d)!.config, ...(blobs.get(d)!.layers ?? [])]) if (b) parts.set(b.digest, b.size);
  return { v1, manifests: chain, blobs: parts };
}

describe("the plan of a promotion", () => {
  it("lists the whole supply chain, children before parents and referrers after their subject, and what a new target lacks", async () => {
    const want = expected();
    const target = new LayoutStore({ root: join(root, "empty"), name: "empty" });
    mkdirSync(join(root, "empty"), { recursive: true });
    const plan = await planCopy({ source: { store: source, repository: "monitoring/net-monitor", reference: "v1" }, target: { store: target, repository: "prod/net-monitor" } });
    expect(plan.warnings).toEqual([]);
    expect(plan.source.digest).toBe(want.v1);
    expect(new Set(plan.manifests.map((m) => m.digest))).toEqual(want.manifests);
    expect(new Set(plan.blobs.map((b) => b.digest))).toEqual(new Set(want.blobs.keys()));
    // Order: every manifest after its platform manifests and after its subject.
    const at = new Map(plan.manifests.map((m, i) => [m.digest, i]));
    for (const m of plan.manifests) if (m.subject) expect(at.get(m.digest)!).toBeGreaterThan(at.get(m.subject)!);
    const subject = plan.manifests.find((m) => m.role === "subject")!;
    for (const p of plan.manifests.filter((m) => m.role === "platform-manifest")) expect(at.get(p.digest)!).toBeLessThan(at.get(subject.digest)!);
    expect(subject.tags).toEqual(["v1"]);
    expect(plan.manifests.flatMap((m) => m.tags).filter((t) => t.endsWith(".sig") || t.endsWith(".att")).sort()).toEqual([`sha256-${want.v1.slice(7)}.att`, `sha256-${want.v1.slice(7)}.sig`]);
    // Nothing is at the new target: everything moves.
    const blobBytes = [...want.blobs.values()].reduce((n, s) => n + s, 0);
    expect(plan.totals).toMatchObject({ manifests: want.manifests.size, manifestsToWrite: want.manifests.size, blobs: want.blobs.size, blobsToMove: want.blobs.size, bytesSkipped: 0 });
    expect(plan.totals.bytesToMove).toBe(blobBytes + plan.manifests.reduce((n, m) => n + m.size, 0));
    // A layout store has no referrers API: each subject's referrers index will be written.
    expect(plan.referrersIndexes.map((r) => r.subject)).toContain(want.v1);
  });

  it("moves nothing to where everything already is", async () => {
    const plan = await planCopy({ source: { store: source, repository: "monitoring/net-monitor", reference: "v1" }, target: { store: source, repository: "monitoring/net-monitor", tag: "v1-again" } });
    expect(plan.totals).toMatchObject({ manifestsToWrite: 0, blobsToMove: 0, bytesToMove: 0 });
    expect(plan.totals.bytesSkipped).toBe(plan.totals.bytes);
    expect(plan.manifests.find((m) => m.role === "subject")!.tags).toEqual(["v1-again"]);
  });

  it("without referrers: the image and its platform manifests only", async () => {
    const want = expected();
    const plan = await planCopy({ source: { store: source, repository: "monitoring/net-monitor", reference: want.v1 }, target: { store: source, repository: "elsewhere" }, referrers: false });
    expect(plan.manifests.map((m) => m.role).sort()).toEqual(["platform-manifest", "platform-manifest", "subject"]);
    expect(plan.target.tag).toBeUndefined();
  });
});

describe("a copy into and out of layout stores (air gap)", () => {
  it("exports v1 with its supply chain to a new layout, digest for digest, and a second run writes nothing", async () => {
    const want = expected();
    const target = new LayoutStore({ root: join(root, "airgap"), name: "airgap", allowDelete: true });
    const ends = { source: { store: source, blobs: source, repository: "monitoring/net-monitor" }, target: { store: target, blobs: target, repository: "export/net-monitor" }, sameRegistry: false };
    const plan = await planCopy({ source: { store: source, repository: "monitoring/net-monitor", reference: "v1" }, target: { store: target, repository: "export/net-monitor" } });
    const result = await executeCopy(plan, ends);
    expect(result).toMatchObject({ complete: true, missing: [] });
    expect(result.bytesMoved).toBe([...want.blobs.values()].reduce((n, s) => n + s, 0));
    // The target's own discovery (referrers by subject in the new layout) finds the same graph.
    const there = await discover(new LayoutStore({ root: join(root, "airgap"), name: "airgap" }), "export/net-monitor", "v1");
    expect(new Set(there.nodes.map((n) => n.digest))).toEqual(new Set((await discover(source, "monitoring/net-monitor", "v1")).nodes.map((n) => n.digest)));
    const again = await executeCopy(await planCopy({ source: { store: source, repository: "monitoring/net-monitor", reference: "v1" }, target: { store: target, repository: "export/net-monitor" } }), ends);
    expect(again.items.filter((i) => i.outcome !== "skipped")).toEqual([]);
  });

  it("refuses to write into a read-only layout store before writing anything", async () => {
    const readOnly = new LayoutStore({ root: join(root, "readonly"), name: "readonly" });
    const plan = await planCopy({ source: { store: source, repository: "monitoring/net-monitor", reference: "v0.9" }, target: { store: readOnly, repository: "x/y" } });
    const err = await executeCopy(plan, { source: { store: source, blobs: source, repository: "monitoring/net-monitor" }, target: { store: readOnly, blobs: readOnly, repository: "x/y" }, sameRegistry: false }).catch((e: unknown) => e);
    // Asked before the first write: nothing to resume from, no folder made.
    expect(err).not.toBeInstanceOf(CopyInterruptedError);
    expect((err as Error).message).toContain("read-only; set allowDelete: true");
    expect(existsSync(join(root, "readonly"))).toBe(false);
  });
});
