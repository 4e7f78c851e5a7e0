import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type RunningApp } from "../support/app-server";
import { pushImage, pushReferrer } from "../support/artifacts";
import { startDistribution, type RunningDistribution } from "../support/distribution";
import type { LayoutManifest } from "../support/layout";

// Retention views against the real registry: each reason found, and a row deleted through the same plan.

let dist: RunningDistribution;
let app: RunningApp;
const m: Record<string, LayoutManifest> = {};
const recent = new Date(Date.now() - 2 * 24 * 3600 * 1000).toISOString();

beforeAll(async () => {
  dist = await startDistribution({ deleteEnabled: true });
  const t = { url: dist.url };
  m.old = await pushImage(t, "teama/app", "old", { created: "2025-01-01T00:00:00Z" });
  m.v1 = await pushImage(t, "teama/app", "v1", { created: recent, annotations: { "org.cncf.oras.artifact.new-version": "teama/app:v2" } });
  m.marker = await pushReferrer(t, "teama/app", m.v1, { artifactType: "application/vnd.example.lifecycle.v1+json", annotations: { "vnd.example.artifact.deletion-date": "2020-01-31T00:00:00Z" } });
  m.v2 = await pushImage(t, "teama/app", "v2", { created: recent });
  m.untagged = await pushImage(t, "teama/app", undefined, { created: recent, content: "untagged build" });
  m.untaggedSbom = await pushReferrer(t, "teama/app", m.untagged, { artifactType: "application/spdx+json" });
  const ghost = { ...m.untagged, digest: `sha256:${"d".repeat(64)}` };
  m.dangling = await pushReferrer(t, "teama/app", ghost, { artifactType: "application/vnd.cncf.notary.signature" });
  m.other = await pushImage(t, "teama/other", "1.0", { created: "2024-06-01T00:00:00Z" });
  // Protected although old: a release tag, and a signed image.
  m.release = await pushImage(t, "teamb/keep", "release-1", { created: "2024-01-01T00:00:00Z" });
  m.signedOld = await pushImage(t, "teamb/keep", "signed", { created: "2024-01-02T00:00:00Z" });
  await pushReferrer(t, "teamb/keep", m.signedOld, { artifactType: "application/vnd.cncf.notary.signature" });
  m.plainOld = await pushImage(t, "teamb/keep", "plain", { created: "2024-01-03T00:00:00Z" });
  m.newestKeep = await pushImage(t, "teamb/keep", "latest", { created: recent });
  app = await startApp({
    registries: [{ id: "local", url: `http://${dist.host}`, plainHttp: true }],
    lifecycle: { protect: { tags: ["release-*"], signed: true } },
  });
}, 180_000);

afterAll(async () => {
  await app?.stop();
  await dist?.stop();
});

const get = async (path: string) => (await (await fetch(app.url + path)).json()) as any;

describe("retention views", () => {
  it("finds old, expired, superseded, untagged and dangling artifacts of a repository, one row per artifact", async () => {
    const r = await get("/api/registries/local/retention?repository=teama/app&olderThanDays=30");
    const by = (reason: string) => r.rows.filter((x: any) => x.reasons.some((y: any) => y.reason === reason)).map((x: any) => x.digest);
    expect(by("older-than")).toEqual([m.old.digest]);
    expect(by("deletion-date-passed")).toEqual([m.v1.digest]);
    expect(by("superseded")).toEqual([m.v1.digest]);
    expect(by("untagged-subject")).toEqual([m.untagged.digest]);
    expect(by("dangling-referrers")).toEqual([`sha256:${"d".repeat(64)}`]);
    // v1 is one row with both its reasons.
    const v1 = r.rows.filter((x: any) => x.digest === m.v1.digest);
    expect(v1).toHaveLength(1);
    expect(v1[0].reasons.map((x: any) => x.reason).sort()).toEqual(["deletion-date-passed", "superseded"]);
    expect(v1[0].reasons.find((x: any) => x.reason === "deletion-date-passed").detail).toContain("vnd.example.artifact.deletion-date to 2020-01-31T00:00:00Z");
    // v2 is the newest: kept.
    expect(r.rows.some((x: any) => x.digest === m.v2.digest)).toBe(false);
    expect(r.keptNewest).toBe(1);
  });

  it("says what each row's delete would free, counted from the registry's own blobs", async () => {
    const r = await get("/api/registries/local/retention?repository=teama/app&olderThanDays=30");
    const old = r.rows.find((x: any) => x.digest === m.old.digest);
    // Config and layer of the old image, from its manifest as pushed: nothing else in the repository uses them.
    const own = [m.old.json.config!, ...(m.old.json.layers ?? [])];
    expect(old.size).toBe(own.reduce((n, b) => n + b.size, 0));
    expect(old.freedBytes).toBe(own.reduce((n, b) => n + b.size, 0));
    expect(r.freedBytesTotal).toBeGreaterThanOrEqual(old.freedBytes);
  });

  it("works across a namespace and the whole registry, keeping each repository's newest unless asked not to", async () => {
    const r = await get("/api/registries/local/retention?prefix=teama/&olderThanDays=30");
    expect(r.repositories).toEqual(["teama/app", "teama/other"]);
    const olderThan = (res: any) => res.rows.filter((x: any) => x.reasons.some((y: any) => y.reason === "older-than")).map((x: any) => x.repository).sort();
    // teama/other's only image is its newest: kept.
    expect(olderThan(r)).toEqual(["teama/app"]);
    const all = await get("/api/registries/local/retention?prefix=teama/&olderThanDays=30&keep=0");
    expect(olderThan(all)).toEqual(["teama/app", "teama/other"]);
    // No prefix at all (what the browser sends for "this registry"): every repository.
    const registry = await get("/api/registries/local/retention?olderThanDays=30");
    expect(registry.repositories).toEqual(["teama/app", "teama/other", "teamb/keep"]);
  });

  it("never lists what a protect rule keeps: release tags and signed images", async () => {
    const r = await get("/api/registries/local/retention?repository=teamb/keep&olderThanDays=30");
    expect(r.rows.map((x: any) => x.digest)).toEqual([m.plainOld.digest]);
    expect(r.protected).toBe(2);
    expect(r.protect).toEqual({ tags: ["release-*"], signed: true });
  });

  it("deletes a row through the same plan: dangling referrers go, nothing else", async () => {
    const ghost = `sha256:${"d".repeat(64)}`;
    const post = async (path: string, body: unknown) => (await (await fetch(app.url + path, { method: "POST", headers: { "content-type": "application/json", origin: app.url }, body: JSON.stringify(body) })).json()) as any;
    const plan = await post("/api/registries/local/delete-plan", { repository: "teama/app", digests: [ghost] });
    expect(plan.manifests.map((x: any) => x.digest)).toEqual([m.dangling.digest]);
    const done = await post("/api/registries/local/delete", { repository: "teama/app", plan });
    expect(done.status).toBe("done");
    const after = await get("/api/registries/local/retention?repository=teama/app&olderThanDays=30");
    const reasons = after.rows.flatMap((x: any) => x.reasons.map((y: any) => y.reason));
    expect(reasons).not.toContain("dangling-referrers");
    expect(reasons).toContain("untagged-subject");
  });
});
