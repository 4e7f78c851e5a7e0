import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SearchResponse } from "@/lib/server/api/search";
import type { IndexStatus } from "@/lib/server/index-service";
import { startApp, type RunningApp } from "../support/app-server";
import { PASSWORDS, signIn, startAuthApp } from "../support/auth-app";
import { pushImage, pushReferrer } from "../support/artifacts";
import { startDistribution, type RunningDistribution } from "../support/distribution";
import { FIXTURES } from "../support/fixtures";
import type { LayoutManifest } from "../support/layout";

// The supply-chain index of a production build walking Distribution in the background, searched through the API.
// Expected values come from the third-party documents' own JSON.

let dist: RunningDistribution;
let app: RunningApp;
let work: string;
let image: LayoutManifest;
const file = (p: string) => readFileSync(join(FIXTURES, p));
const raw = (p: string) => JSON.parse(file(p).toString("utf8"));

beforeAll(async () => {
  dist = await startDistribution();
  const target = { url: dist.url };
  image = await pushImage(target, "teama/alpine", "3.10", { created: "2026-01-01T00:00:00Z" });
  await pushReferrer(target, "teama/alpine", image, { artifactType: "application/vnd.aquasec.trivy.report+json", created: "2026-01-02T00:00:00Z", content: { mediaType: "application/json", bytes: file("content/trivy/alpine-310.json.golden") } });
  await pushReferrer(target, "teama/alpine", image, { artifactType: "application/vnd.cyclonedx+json", created: "2026-01-04T00:00:00Z", content: { mediaType: "application/vnd.cyclonedx+json", bytes: file("documents/cyclonedx/SBOM_laravel-7.12.0_bom.1.4.json") } });
  // The same SBOM on an image of a team bob may not read (his role reads teama/**).
  const secret = await pushImage(target, "secret/app", "1.0", { created: "2026-01-05T00:00:00Z" });
  await pushReferrer(target, "secret/app", secret, { artifactType: "application/vnd.cyclonedx+json", content: { mediaType: "application/vnd.cyclonedx+json", bytes: file("documents/cyclonedx/SBOM_laravel-7.12.0_bom.1.4.json") } });

  work = mkdtempSync(join(tmpdir(), "chainsight-index-it-"));
  app = await startAuthApp(dist.host, {}, { index: { enabled: true, database: join(work, "index.sqlite"), intervalMinutes: 60 } });
}, 120_000);

afterAll(async () => {
  await app?.stop();
  await dist?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function session(user: "alice" | "bob"): Promise<string> {
  const cookie = await signIn(app.url, user, PASSWORDS[user]);
  if (!cookie) throw new Error(`${user} could not sign in`);
  return cookie;
}

async function waitForWalk(cookie: string): Promise<void> {
  for (let i = 0; i < 150; i++) {
    const res = await fetch(`${app.url}/api/search?q=CVE-2019-14697`, { headers: { cookie } });
    if (res.status === 200 && ((await res.json()) as SearchResponse).asOf) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("the index did not complete a walk within 30 s");
}

describe("the supply-chain index", () => {
  it("walks the registry in the background; search finds packages and vulnerabilities, only where the user may read", async () => {
    const cookie = await session("bob");
    await waitForWalk(cookie);
    const search = async (q: string) => {
      const res = await fetch(`${app.url}/api/search?${new URLSearchParams({ q })}`, { headers: { cookie } });
      expect(res.status).toBe(200);
      return (await res.json()) as SearchResponse;
    };
    // A package of the laravel SBOM, at the version it lists: in apps/alpine; secret/app carries the same SBOM
    // but dana may not read it.
    const component = raw("documents/cyclonedx/SBOM_laravel-7.12.0_bom.1.4.json").components.find((c: { name: string; version?: string }) => c.version);
    const pkg = await search(component.name);
    expect(pkg.hits.map((h) => h.repository)).toEqual(["teama/alpine"]);
    expect(pkg.hits[0]).toMatchObject({ tags: ["3.10"], digest: image.digest });
    expect(pkg.hits[0].matched).toContain(component.version);

    // A vulnerability of the Trivy report, with the severity and fixed version it gives.
    const report = raw("content/trivy/alpine-310.json.golden");
    const vuln = report.Results[0].Vulnerabilities[0];
    const packages = new Set<string>(report.Results.flatMap((r: { Vulnerabilities?: { VulnerabilityID: string; PkgName: string }[] }) => (r.Vulnerabilities ?? []).filter((v) => v.VulnerabilityID === vuln.VulnerabilityID).map((v) => v.PkgName)));
    const found = await search(vuln.VulnerabilityID);
    // One hit per affected package of the image.
    expect(found.hits).toHaveLength(packages.size);
    expect(found.hits.every((h) => h.repository === "teama/alpine" && h.tags[0] === "3.10")).toBe(true);
    expect(found.hits.find((h) => h.matched.includes(` in ${vuln.PkgName} `))).toMatchObject({ severity: vuln.Severity.toLowerCase(), fixedVersion: vuln.FixedVersion });

    // Bad input names what was wrong.
    const bad = await fetch(`${app.url}/api/search?${new URLSearchParams({ q: "two words" })}`, { headers: { cookie } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string; parameter: string } }).error).toMatchObject({ parameter: "q", message: expect.stringContaining("no spaces") });
    // CSV export, formula-safe.
    const csv = await fetch(`${app.url}/api/search?${new URLSearchParams({ q: vuln.VulnerabilityID, format: "csv" })}`, { headers: { cookie } });
    expect(csv.headers.get("content-type")).toContain("text/csv");
    expect((await csv.text()).split("\n")[1]).toContain('"teama/alpine"');
    // An administrator sees both.
    const admin = await fetch(`${app.url}/api/search?${new URLSearchParams({ q: component.name })}`, { headers: { cookie: await session("alice") } });
    expect(((await admin.json()) as SearchResponse).hits.map((h) => h.repository)).toEqual(["secret/app", "teama/alpine"]);
  }, 60_000);

  it("shows progress to administrators only", async () => {
    expect((await fetch(`${app.url}/api/index/status`, { headers: { cookie: await session("bob") } })).status).toBe(403);
    const res = await fetch(`${app.url}/api/index/status`, { headers: { cookie: await session("alice") } });
    const status = (await res.json()) as IndexStatus;
    expect(status).toMatchObject({ enabled: true, database: "sqlite" });
    expect(status.registries[0]).toMatchObject({ registry: "local", repositoriesTotal: 2, repositoriesDone: 2, tagsDone: 2, failing: [] });
    expect(status.registries[0].completedAt).toBeDefined();
  });
});

describe("the index, switched off", () => {
  it("says how to switch it on", async () => {
    const off = await startApp({ registries: [{ id: "local", url: dist.url, plainHttp: true }] });
    try {
      const res = await off.get("/api/search?q=zlib");
      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({ code: "index_disabled", message: expect.stringContaining("index.enabled: true") });
      const status = await off.get("/api/index/status");
      expect(status.body as IndexStatus).toEqual({ enabled: false, registries: [] });
    } finally {
      await off.stop();
    }
  });
});
