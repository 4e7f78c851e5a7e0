import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeDeletePlan, buildDeletePlan } from "@/lib/lifecycle/delete-plan";
import { LayoutStore } from "@/lib/oci/layout-store";
import { RegistryClient } from "@/lib/oci/registry-client";
import { TestRegistry } from "../support/test-registry";
import { pushLayout, readLayout } from "../support/layout";
import { startApp, type RunningApp } from "../support/app-server";
import { pushImage, pushReferrer } from "../support/artifacts";
import { startDistribution, type RunningDistribution } from "../support/distribution";
import { fixtureLayouts } from "../support/fixtures";
import type { LayoutManifest } from "../support/layout";

// Deleting a subject with its supply chain against the real registry (deletion enabled):
// exactly the plan goes, the rest of the registry is untouched, and the plan is pinned.

let dist: RunningDistribution;
let locked: RunningDistribution;
let app: RunningApp;
const m: Record<string, LayoutManifest> = {};

beforeAll(async () => {
  dist = await startDistribution({ deleteEnabled: true });
  const t = { url: dist.url };
  m.v1 = await pushImage(t, "teama/app", "v1", { created: "2026-01-01T00:00:00Z", content: "teama/app v1" });
  await pushImage(t, "teama/app", "latest", { created: "2026-01-01T00:00:00Z", content: "teama/app v1" }); // same content as v1: same digest
  m.sbom = await pushReferrer(t, "teama/app", m.v1, { artifactType: "application/spdx+json", created: "2026-01-02T00:00:00Z" });
  m.sbomSig = await pushReferrer(t, "teama/app", m.sbom, { artifactType: "application/vnd.cncf.notary.signature" });
  m.scan = await pushReferrer(t, "teama/app", m.v1, { artifactType: "application/sarif+json", created: "2026-01-03T00:00:00Z" });
  m.cosign = await pushImage(t, "teama/app", `${m.v1.digest.replace(":", "-")}.sig`, { content: "cosign signature of v1" });
  m.v2 = await pushImage(t, "teama/app", "v2", { created: "2026-02-01T00:00:00Z" });
  m.v2sbom = await pushReferrer(t, "teama/app", m.v2, { artifactType: "application/spdx+json" });
  m.v2scan = await pushReferrer(t, "teama/app", m.v2, { artifactType: "application/sarif+json" });
  m.moving = await pushImage(t, "teama/app", "moving", { created: "2026-03-01T00:00:00Z" });
  m.web = await pushImage(t, "teamb/web", "1.0", {});
  locked = await startDistribution({ rootDirectory: dist.rootDirectory, deleteEnabled: false });
  app = await startApp({
    registries: [
      { id: "local", url: `http://${dist.host}`, plainHttp: true },
      { id: "locked", url: `http://${locked.host}`, plainHttp: true },
    ],
  });
}, 180_000);

afterAll(async () => {
  await app?.stop();
  await locked?.stop();
  await dist?.stop();
});

const post = async (path: string, body: unknown) => {
  const res = await fetch(app.url + path, { method: "POST", headers: { "content-type": "application/json", origin: app.url }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as any };
};

/** Every tag of every repository, with its digest, straight from the registry. */
async function snapshot(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const catalog = (await (await fetch(`${dist.url}/v2/_catalog`)).json()) as { repositories: string[] };
  for (const repo of catalog.repositories) {
    const tags = ((await (await fetch(`${dist.url}/v2/${repo}/tags/list`)).json()) as { tags: string[] | null }).tags ?? [];
    for (const tag of tags) {
      const res = await fetch(`${dist.url}/v2/${repo}/manifests/${tag}`, { method: "HEAD", headers: { accept: "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json" } });
      out.set(`${repo}:${tag}`, res.headers.get("docker-content-digest") ?? "?");
    }
  }
  return out;
}
const exists = async (repo: string, digest: string) => (await fetch(`${dist.url}/v2/${repo}/manifests/${digest}`, { method: "HEAD", headers: { accept: "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json" } })).status === 200;

describe("delete with preview", () => {
  it("plans, then deletes exactly the plan: subject, two-level chain, shared tags, cosign tag, referrers indexes", async () => {
    const plan = await post("/api/registries/local/delete-plan", { repository: "teama/app", digests: [m.v1.digest] });
    expect(plan.status).toBe(200);
    const digests = plan.body.manifests.map((x: any) => x.digest);
    expect(new Set(digests)).toEqual(new Set([m.v1, m.sbom, m.sbomSig, m.scan, m.cosign].map((x) => x.digest)));
    expect(digests[digests.length - 1]).toBe(m.v1.digest); // the subject last
    expect(digests.indexOf(m.sbomSig.digest)).toBeLessThan(digests.indexOf(m.sbom.digest)); // deepest first
    expect(plan.body.tags.map((t: any) => t.tag).sort()).toEqual([`${m.v1.digest.replace(":", "-")}.sig`, "latest", "v1"].sort());
    expect(plan.body.indexes.map((i: any) => [i.tag, i.action]).sort()).toEqual(
      [
        [m.v1.digest.replace(":", "-"), "delete"],
        [m.sbom.digest.replace(":", "-"), "delete"],
      ].sort(),
    );
    expect(plan.body).toMatchObject({ allowed: true, needsConfirmation: true });

    const before = await snapshot();
    const refused = await post("/api/registries/local/delete", { repository: "teama/app", plan: plan.body });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toContain("type the repository name (teama/app) to delete 5 manifests");
    expect(await snapshot()).toEqual(before);

    const done = await post("/api/registries/local/delete", { repository: "teama/app", plan: plan.body, confirm: "teama/app" });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.status).toBe("done");
    expect(done.body.results.filter((r: any) => r.kind === "manifest").map((r: any) => r.status)).toEqual(["deleted", "deleted", "deleted", "deleted", "deleted"]);

    // Exactly the plan's tags and indexes are gone; every other tag still points where it did.
    const after = await snapshot();
    const gone = [...before.keys()].filter((k) => !after.has(k)).sort();
    const expectedGone = [...plan.body.tags.map((t: any) => `teama/app:${t.tag}`), ...plan.body.indexes.map((i: any) => `teama/app:${i.tag}`)].sort();
    expect(gone).toEqual(expectedGone);
    for (const [k, v] of after) expect(before.get(k), k).toBe(v);
    for (const x of [m.v1, m.sbom, m.sbomSig, m.scan, m.cosign]) expect(await exists("teama/app", x.digest)).toBe(false);
    for (const x of [m.v2, m.v2sbom, m.v2scan, m.moving]) expect(await exists("teama/app", x.digest)).toBe(true);
    expect(await exists("teamb/web", m.web.digest)).toBe(true);
  });

  it("rewrites a referrers-tag index without the removed entries", async () => {
    const plan = await post("/api/registries/local/delete-plan", { repository: "teama/app", digests: [m.v2scan.digest] });
    expect(plan.body.manifests.map((x: any) => x.digest)).toEqual([m.v2scan.digest]);
    expect(plan.body.indexes).toEqual([expect.objectContaining({ tag: m.v2.digest.replace(":", "-"), action: "rewrite", remove: [m.v2scan.digest] })]);
    expect(plan.body.needsConfirmation).toBe(false);
    const oldIndex = plan.body.indexes[0].indexDigest;
    expect(await exists("teama/app", oldIndex)).toBe(true);
    const done = await post("/api/registries/local/delete", { repository: "teama/app", plan: plan.body });
    expect(done.body.results.map((r: any) => r.status)).toEqual(["deleted", "rewritten", "deleted"]);
    // The index the tag pointed at before, still listing the deleted scan, is gone too.
    expect(done.body.results[2]).toMatchObject({ target: oldIndex, kind: "index-delete" });
    expect(await exists("teama/app", oldIndex)).toBe(false);
    const index = await (await fetch(`${dist.url}/v2/teama/app/manifests/${m.v2.digest.replace(":", "-")}`, { headers: { accept: "application/vnd.oci.image.index.v1+json" } })).json();
    expect(index.manifests.map((d: any) => d.digest)).toEqual([m.v2sbom.digest]);
    expect(index.manifests[0].artifactType).toBe("application/spdx+json");
    const graph = await (await fetch(`${app.url}/api/registries/local/graph?repository=teama/app&reference=v2`)).json();
    expect(graph.graph.nodes.filter((n: any) => n.role === "referrer").map((n: any) => n.digest)).toEqual([m.v2sbom.digest]);
  });

  it("builds the preview from fresh reads: a referrer pushed a moment after the graph was seen is in the plan", async () => {
    const t = { url: dist.url };
    const image = await pushImage(t, "teama/fresh", "v1", { created: "2026-04-01T00:00:00Z" });
    const first = await (await fetch(`${app.url}/api/registries/local/graph?repository=teama/fresh&reference=v1`)).json();
    expect(first.graph.nodes).toHaveLength(1); // referrers and tags of teama/fresh are now cached for 15 s
    const late = await pushReferrer(t, "teama/fresh", image, { artifactType: "application/sarif+json" });
    const plan = await post("/api/registries/local/delete-plan", { repository: "teama/fresh", digests: [image.digest] });
    expect(plan.body.manifests.map((x: any) => x.digest)).toEqual([late.digest, image.digest]);
  });

  it("says before the button when the store does not delete", async () => {
    const plan = await post("/api/registries/locked/delete-plan", { repository: "teama/app", digests: [m.v2.digest] });
    expect(plan.status).toBe(200);
    expect(plan.body.storeRefusal).toMatch(/this registry does not delete manifests \(deletion is disabled; for Distribution set storage\.delete\.enabled: true\)/);
    const ok = await post("/api/registries/local/delete-plan", { repository: "teama/app", digests: [m.v2.digest] });
    expect(ok.body.storeRefusal).toBeUndefined();
  });

  it("stops when a tag moved or a referrer appeared since the preview, and deletes nothing", async () => {
    const plan = await post("/api/registries/local/delete-plan", { repository: "teama/app", digests: [m.moving.digest] });
    expect(plan.body.tags.map((t: any) => t.tag)).toEqual(["moving"]);
    await pushImage({ url: dist.url }, "teama/app", "moving", { created: "2026-03-02T00:00:00Z", content: "moved" });
    const moved = await post("/api/registries/local/delete", { repository: "teama/app", plan: plan.body });
    expect(moved.body.status).toBe("changed");
    expect(moved.body.difference.removed).toContain(`tag moving → ${m.moving.digest}`);
    expect(await exists("teama/app", m.moving.digest)).toBe(true);

    const plan2 = await post("/api/registries/local/delete-plan", { repository: "teama/app", digests: [m.moving.digest] });
    await pushReferrer({ url: dist.url }, "teama/app", m.moving, { artifactType: "application/sarif+json" });
    const grown = await post("/api/registries/local/delete", { repository: "teama/app", plan: plan2.body });
    expect(grown.body.status).toBe("changed");
    expect(grown.body.difference.added.some((x: string) => x.startsWith("manifest sha256:") && x.includes("SARIF"))).toBe(true);
    expect(await exists("teama/app", m.moving.digest)).toBe(true);
  });

  it("reports a registry with deletion disabled before attempting anything", async () => {
    const plan = await post("/api/registries/locked/delete-plan", { repository: "teamb/web", digests: [m.web.digest] });
    expect(plan.status).toBe(200);
    const res = await post("/api/registries/locked/delete", { repository: "teamb/web", plan: plan.body });
    expect(res.status).toBe(405);
    expect(res.body.error.message).toContain("this registry does not delete manifests (deletion is disabled; for Distribution set storage.delete.enabled: true). Nothing was deleted.");
    expect(await exists("teamb/web", m.web.digest)).toBe(true);
  });

  it("works on a registry with the referrers API (no referrers tags to rewrite)", async () => {
    const r = await new TestRegistry({}).start();
    try {
      await pushLayout({ url: r.url }, "oras/artifacts", readLayout(fixtureLayouts()["oras/artifacts"]));
      const client = new RegistryClient({ host: r.host, plainHttp: true });
      const subject = (await client.getManifest("oras/artifacts", "foobar")).descriptor.digest;
      const before = [...r.repos.get("oras/artifacts")!.manifests.keys()];
      const plan = await buildDeletePlan(client, "oras/artifacts", [subject]);
      expect(plan.manifests).toHaveLength(3);
      expect(plan.indexes).toEqual([]);
      expect((await executeDeletePlan(client, "oras/artifacts", plan)).status).toBe("done");
      const after = [...r.repos.get("oras/artifacts")!.manifests.keys()];
      expect(before.filter((d) => !after.includes(d)).sort()).toEqual(plan.manifests.map((x) => x.digest).sort());
      const left = await client.referrers("oras/artifacts", subject);
      expect(left.supported && left.descriptors).toEqual([]);
    } finally {
      await r.stop();
    }
  });

  it("works on an OCI layout store whose config allows deletion", async () => {
    const dir = mkdtempSync(join(tmpdir(), "chainsight-delete-layout-"));
    cpSync(fixtureLayouts()["oras/artifacts"], join(dir, "oras", "artifacts"), { recursive: true });
    const store = new LayoutStore({ root: dir, allowDelete: true });
    const subject = (await store.getManifest("oras/artifacts", "foobar")).descriptor.digest;
    const plan = await buildDeletePlan(store, "oras/artifacts", [subject]);
    expect(plan.manifests).toHaveLength(3); // foobar, its SBOM, the SBOM's signature
    const result = await executeDeletePlan(store, "oras/artifacts", plan);
    expect(result.status).toBe("done");
    await expect(store.getManifest("oras/artifacts", "foobar")).rejects.toThrow(/not found/);
    expect(await store.listTags("oras/artifacts")).not.toContain("foobar");
    const readOnly = new LayoutStore({ root: dir });
    const other = (await readOnly.getManifest("oras/artifacts", "multi")).descriptor.digest;
    await expect(executeDeletePlan(readOnly, "oras/artifacts", await buildDeletePlan(readOnly, "oras/artifacts", [other]))).rejects.toThrow(/deleting manifests is disabled for this OCI layout store; set allowDelete: true in its config entry to allow it\. Nothing was deleted\./);
  });
});
