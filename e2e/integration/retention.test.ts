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
  await pushImage(t, "teama/other", "1.0", { created: "2024-06-01T00:00:00Z" });
  app = await startApp({ registries: [{ id: "local", url: `http://${dist.host}`, plainHttp: true }] });
}, 180_000);

afterAll(async () => {
  await app?.stop();
  await dist?.stop();
});

const get = async (path: string) => (await (await fetch(app.url + path)).json()) as any;

describe("retention views", () => {
  it("finds old, expired, superseded, untagged and dangling artifacts of a repository", async () => {
    const r = await get("/api/registries/local/retention?repository=teama/app&olderThanDays=30");
    const by = (reason: string) => r.rows.filter((x: any) => x.reason === reason).map((x: any) => x.digest);
    expect(by("older-than")).toEqual([m.old.digest]);
    expect(by("deletion-date-passed")).toEqual([m.v1.digest]);
    expect(r.rows.find((x: any) => x.reason === "deletion-date-passed").detail).toContain("vnd.example.artifact.deletion-date to 2020-01-31T00:00:00Z");
    expect(by("superseded")).toEqual([m.v1.digest]);
    expect(by("untagged-subject")).toEqual([m.untagged.digest]);
    expect(by("dangling-referrers")).toEqual([`sha256:${"d".repeat(64)}`]);
    expect(r.rows.some((x: any) => x.digest === m.v2.digest)).toBe(false);
  });

  it("works across a namespace", async () => {
    const r = await get("/api/registries/local/retention?prefix=teama/&olderThanDays=30");
    expect(r.repositories).toEqual(["teama/app", "teama/other"]);
    expect(r.rows.filter((x: any) => x.reason === "older-than").map((x: any) => x.repository).sort()).toEqual(["teama/app", "teama/other"]);
  });

  it("deletes a row through the same plan: dangling referrers go, nothing else", async () => {
    const ghost = `sha256:${"d".repeat(64)}`;
    const post = async (path: string, body: unknown) => (await (await fetch(app.url + path, { method: "POST", headers: { "content-type": "application/json", origin: app.url }, body: JSON.stringify(body) })).json()) as any;
    const plan = await post("/api/registries/local/delete-plan", { repository: "teama/app", digests: [ghost] });
    expect(plan.manifests.map((x: any) => x.digest)).toEqual([m.dangling.digest]);
    const done = await post("/api/registries/local/delete", { repository: "teama/app", plan });
    expect(done.status).toBe("done");
    const after = await get("/api/registries/local/retention?repository=teama/app&olderThanDays=30");
    expect(after.rows.some((x: any) => x.reason === "dangling-referrers")).toBe(false);
    expect(after.rows.some((x: any) => x.reason === "untagged-subject")).toBe(true);
  });
});
