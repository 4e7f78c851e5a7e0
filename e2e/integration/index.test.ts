import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SearchResponse } from "@/lib/server/api/search";
import type { CoverageResponse } from "@/lib/server/api/coverage";
import type { IndexStatus } from "@/lib/server/index-service";
import { startApp, type RunningApp } from "../support/app-server";
import { PASSWORDS, signIn, startAuthApp } from "../support/auth-app";
import { pushImage, pushReferrer } from "../support/artifacts";
import { startDistribution, type RunningDistribution } from "../support/distribution";
import { FIXTURES } from "../support/fixtures";
import { freePort } from "../support/ports";
import { TestRegistry } from "../support/test-registry";
import { until } from "../support/until";
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
  app = await startAuthApp(dist.host, {}, {
    index: { enabled: true, database: join(work, "index.sqlite"), intervalMinutes: 60 },
    // No critical finding allowed: the Trivy report of teama/alpine has none; secret/app carries no scan at all.
    policies: [{ name: "no-critical", require: { scan: { failOn: "critical" } } }],
  });
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

function waitForWalk(cookie: string): Promise<void> {
  return until(
    "a complete walk of the index",
    async () => {
      const res = await fetch(`${app.url}/api/search?q=CVE-2019-14697`, { headers: { cookie } });
      return res.status === 200 && !!((await res.json()) as SearchResponse).asOf;
    },
    30,
  );
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

  it("counts coverage from the index, only over what the user may read, and lists what does not pass", async () => {
    const report = raw("content/trivy/alpine-310.json.golden");
    const criticals = report.Results.flatMap((r: { Vulnerabilities?: { Severity: string }[] }) => r.Vulnerabilities ?? []).filter((v: { Severity: string }) => v.Severity === "CRITICAL");
    expect(criticals).toHaveLength(0);
    const coverage = async (user: "alice" | "bob", query = "") => {
      const res = await fetch(`${app.url}/api/coverage?scanDays=3650${query}`, { headers: { cookie: await session(user) } });
      expect(res.status).toBe(200);
      return (await res.json()) as CoverageResponse;
    };
    // bob reads teama/** only: one image, with an SBOM and a scan, passing.
    const bob = await coverage("bob", "&policy=no-critical");
    expect(bob.totals.counts).toEqual({ images: 1, signed: 0, sbom: 1, scanned: 1, provenance: 0 });
    expect(bob.totals.policies).toEqual([{ policy: "no-critical", mode: "enforce", images: 1, pass: 1, fail: 0, unknown: 0 }]);
    expect(bob.notPassing).toEqual([]);
    // alice sees secret/app too, which fails for want of a scan.
    const alice = await coverage("alice", "&policy=no-critical");
    expect(alice.totals.policies[0]).toMatchObject({ images: 2, pass: 1, fail: 1 });
    expect(alice.notPassing).toEqual([expect.objectContaining({ repository: "secret/app", tags: ["1.0"], outcome: "fail", rules: [expect.objectContaining({ rule: "scan", reason: "no scan result is attached" })] })]);
    expect(alice.registries[0].namespaces.map((n) => n.namespace).sort()).toEqual(["secret", "teama"]);
    // The walk left today's snapshot: the trend has a point.
    expect(alice.trend.map((p) => p.day)).toEqual([new Date().toISOString().slice(0, 10)]);
    // CSV of what does not pass; a policy that does not exist is named.
    const csv = await fetch(`${app.url}/api/coverage?policy=no-critical&format=csv`, { headers: { cookie: await session("alice") } });
    expect((await csv.text()).split("\r\n")[1]).toContain('"secret/app"');
    const bad = await fetch(`${app.url}/api/coverage?policy=nope`, { headers: { cookie: await session("alice") } });
    expect(bad.status).toBe(400);
  });

  it("shows progress to administrators only", async () => {
    expect((await fetch(`${app.url}/api/index/status`, { headers: { cookie: await session("bob") } })).status).toBe(403);
    const res = await fetch(`${app.url}/api/index/status`, { headers: { cookie: await session("alice") } });
    const status = (await res.json()) as IndexStatus;
    expect(status).toMatchObject({ enabled: true, database: "sqlite", crawler: true });
    expect(status.registries[0]).toMatchObject({ registry: "local", repositoriesTotal: 2, repositoriesDone: 2, tagsDone: 2, failing: [] });
    expect(status.registries[0].completedAt).toBeDefined();
  });

  it("walks again when an administrator asks, and only then", async () => {
    const walk = async (user: "alice" | "bob", body: object) =>
      fetch(`${app.url}/api/index/walk`, { method: "POST", headers: { cookie: await session(user), "content-type": "application/json" }, body: JSON.stringify(body) });
    expect((await walk("bob", {})).status).toBe(403);
    const unknown = await walk("alice", { registry: "nope" });
    expect(unknown.status).toBe(404);
    const alice = await session("alice");
    const before = ((await (await fetch(`${app.url}/api/index/status`, { headers: { cookie: alice } })).json()) as IndexStatus).registries[0].completedAt!;
    const logged = app.logs.length;
    const res = await walk("alice", { registry: "local" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ registries: ["local"], state: "walking" });
    await until("a newer complete walk", async () => ((await (await fetch(`${app.url}/api/index/status`, { headers: { cookie: alice } })).json()) as IndexStatus).registries[0].completedAt! > before);
    // Nothing changed: the walk read the catalog and each repository's tag list, and nothing else (no manifest,
    // referrer or document fetched again).
    await until("the walk's log line", async () => app.logs.slice(logged).some((l) => l.event === "index_walk"));
    const during = app.logs.slice(logged, app.logs.findIndex((l, i) => i >= logged && l.event === "index_walk"));
    const requests = during.filter((l) => l.event === "upstream_request").map((l) => `${l.method} ${new URL(String(l.url)).pathname}`);
    expect(requests.sort()).toEqual(["GET /v2/_catalog", "GET /v2/secret/app/tags/list", "GET /v2/teama/alpine/tags/list"]);
    expect(app.logs.filter((l) => l.event === "index_walk").at(-1)).toMatchObject({ changed: 0, images: 0 });
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

describe("registry events", () => {
  const SECRET = "events-secret-0123456789abcdef";
  let events: RunningDistribution;
  let live: RunningApp;
  let dir: string;

  beforeAll(async () => {
    const port = await freePort();
    // Distribution's own notification sender posts every push and delete to the app.
    events = await startDistribution({ notifications: { url: `http://127.0.0.1:${port}/api/events/local`, secret: SECRET } });
    dir = mkdtempSync(join(tmpdir(), "chainsight-events-"));
    live = await startApp(
      { registries: [{ id: "local", url: events.url, plainHttp: true, eventsSecret: SECRET }, { id: "quiet", url: events.url, plainHttp: true }], index: { enabled: true, database: join(dir, "index.sqlite"), intervalMinutes: 60 } },
      {},
      { port },
    );
  }, 120_000);

  afterAll(async () => {
    await live?.stop();
    await events?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const search = async (q: string) => (await live.get(`/api/search?${new URLSearchParams({ q })}`)).body as SearchResponse;
  it("a push appears in search within seconds of the registry's event, and a deleted image disappears", async () => {
    // The interval walk is an hour away: only events can bring these in.
    await until("the first walk", async () => (await search("CVE-0000-0000")).asOf !== undefined);
    const component = raw("documents/cyclonedx/SBOM_laravel-7.12.0_bom.1.4.json").components.find((c: { version?: string }) => c.version);
    const pushed = await pushImage({ url: events.url }, "team/pushed", "1.0", { created: "2026-02-01T00:00:00Z" });
    await pushReferrer({ url: events.url }, "team/pushed", pushed, { artifactType: "application/vnd.cyclonedx+json", content: { mediaType: "application/vnd.cyclonedx+json", bytes: file("documents/cyclonedx/SBOM_laravel-7.12.0_bom.1.4.json") } });
    await until("the pushed SBOM in search", async () => (await search(component.name)).hits.some((h) => h.repository === "team/pushed" && h.tags.includes("1.0")));

    // The tag moves to an image with nothing attached: the tag list is the same (1.0 and the old image's referrers
    // tag), only the event says something changed, and the SBOM is no longer that of a tagged image.
    const moved = await pushImage({ url: events.url }, "team/pushed", "1.0", { created: "2026-02-02T00:00:00Z" });
    await until("the moved tag in the index", async () => !(await search(component.name)).hits.some((h) => h.repository === "team/pushed"));
    const typed = (await search("type:application/vnd.cyclonedx+json")).hits.filter((h) => h.repository === "team/pushed");
    expect(typed).toEqual([]);
    await pushImage({ url: events.url }, "team/pushed", "1.0", { created: "2026-02-01T00:00:00Z" });
    await until("the tag back on the SBOM's image", async () => (await search(component.name)).hits.some((h) => h.repository === "team/pushed" && h.digest === pushed.digest));
    expect(moved.digest).not.toBe(pushed.digest);

    const del = await fetch(`${events.url}/v2/team/pushed/manifests/${pushed.digest}`, { method: "DELETE" });
    expect(del.status).toBe(202);
    await until("the deleted image gone from search", async () => !(await search(component.name)).hits.some((h) => h.repository === "team/pushed"));
  }, 60_000);

  it("refuses events without the registry's secret, from a registry without one, and payloads that are no event", async () => {
    const post = (registry: string, body: string, authorization?: string) =>
      fetch(`${live.url}/api/events/${registry}`, { method: "POST", headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}) }, body });
    const envelope = JSON.stringify({ events: [{ action: "push", target: { repository: "team/x", digest: `sha256:${"a".repeat(64)}` } }] });
    const wrong = await post("local", envelope, "Bearer not-the-secret");
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: { message: string } }).error.message).toContain("events secret");
    const quiet = await post("quiet", envelope, `Bearer ${SECRET}`);
    expect(quiet.status).toBe(403);
    expect(((await quiet.json()) as { error: { message: string } }).error.message).toContain('has no eventsSecret');
    const unknown = await post("nope", envelope, `Bearer ${SECRET}`);
    expect(unknown.status).toBe(404);
    const garbage = await post("local", "{not json", `Bearer ${SECRET}`);
    expect(garbage.status).toBe(400);
    const foreign = await post("local", JSON.stringify({ hello: "world" }), `Bearer ${SECRET}`);
    expect(foreign.status).toBe(400);
    expect(((await foreign.json()) as { error: { message: string } }).error.message).toMatch(/not an event this server reads/);
    const hostile = await post("local", JSON.stringify({ events: [{ action: "push", target: { repository: "../../etc/passwd" } }] }), `Bearer ${SECRET}`);
    expect(hostile.status).toBe(400);
    // Harbor's and zot's shapes are read too.
    const harbor = await post("local", JSON.stringify({ type: "PUSH_ARTIFACT", occur_at: 1, operator: "ci", event_data: { resources: [{ digest: `sha256:${"b".repeat(64)}`, tag: "2.0" }], repository: { name: "x", namespace: "team", repo_full_name: "team/x" } } }), `Bearer ${SECRET}`);
    expect(harbor.status).toBe(202);
    expect(await harbor.json()).toMatchObject({ accepted: ["team/x"], format: "harbor" });
    const zot = await post("local", JSON.stringify({ specversion: "1.0", type: "zotregistry.image.updated", source: "zot", id: "1", data: { name: "team/y", reference: "1.0", digest: `sha256:${"c".repeat(64)}` } }), `Bearer ${SECRET}`);
    expect(await zot.json()).toMatchObject({ accepted: ["team/y"], format: "zot" });
    // Every one of them audited.
    const audit = live.logs.filter((l) => l.event === "event_refused");
    expect(audit.length).toBeGreaterThanOrEqual(6);
  });
});

describe("a registry that limits requests", () => {
  const RATE = 20;
  const RETRY_AFTER = 2;
  let registry: TestRegistry;
  let paced: RunningApp;
  let dir: string;
  let recording = false;
  const arrivals: { at: number; what: string }[] = [];
  let refusedAt: number | undefined;

  beforeAll(async () => {
    registry = await new TestRegistry({
      intercept(req) {
        if (!recording) return undefined;
        const what = `${req.method} ${req.url}`;
        arrivals.push({ at: performance.now(), what });
        // The first read of rl/b's tag answers "too many requests, come back in 2 s", as Docker Hub and GHCR do.
        if (refusedAt === undefined && req.method === "GET" && req.url === "/v2/rl/b/manifests/1.0") {
          refusedAt = performance.now();
          return { status: 429, headers: { "retry-after": String(RETRY_AFTER), "content-type": "application/json" }, body: JSON.stringify({ errors: [{ code: "TOOMANYREQUESTS", message: "rate limit exceeded" }] }) };
        }
        return undefined;
      },
    }).start();
    for (const repo of ["rl/a", "rl/b", "rl/c"]) {
      const img = await pushImage({ url: registry.url }, repo, "1.0", { created: "2026-03-01T00:00:00Z" });
      await pushReferrer({ url: registry.url }, repo, img, { artifactType: "application/vnd.cyclonedx+json", content: { mediaType: "application/vnd.cyclonedx+json", bytes: file("documents/cyclonedx/SBOM_laravel-7.12.0_bom.1.4.json") } });
    }
    recording = true;
    dir = mkdtempSync(join(tmpdir(), "chainsight-paced-"));
    paced = await startApp({ registries: [{ id: "rl", url: registry.url, plainHttp: true, requestsPerSecond: RATE }], index: { enabled: true, database: join(dir, "index.sqlite"), intervalMinutes: 60 } });
  }, 60_000);

  afterAll(async () => {
    await paced?.stop();
    await registry?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("keeps to the configured request rate, waits out a 429's Retry-After, and still indexes the refused repository", async () => {
    const component = raw("documents/cyclonedx/SBOM_laravel-7.12.0_bom.1.4.json").components.find((c: { version?: string }) => c.version);
    const found = async () => ((await paced.get(`/api/search?${new URLSearchParams({ q: component.name })}`)).body as SearchResponse).hits.map((h) => h.repository).sort();
    await until("all three repositories in search", async () => (await found()).length === 3, 30);
    expect(await found()).toEqual(["rl/a", "rl/b", "rl/c"]);
    expect(refusedAt).toBeDefined();
    // Nothing between the refusal and its Retry-After, but what was already on its way (a few ms).
    const during = arrivals.filter((a) => a.at > refusedAt! + 100 && a.at < refusedAt! + RETRY_AFTER * 1000 - 100);
    expect(during).toEqual([]);
    // rl/b was read again after the wait.
    expect(arrivals.some((a) => a.at >= refusedAt! + RETRY_AFTER * 1000 - 100 && a.what === "GET /v2/rl/b/manifests/1.0")).toBe(true);
    // At most RATE requests in any second (one more at the edge of a window, sent exactly 1/RATE s apart).
    const busiest = Math.max(...arrivals.map((a) => arrivals.filter((b) => b.at >= a.at && b.at < a.at + 1000).length));
    expect(arrivals.length).toBeGreaterThan(RATE);
    expect(busiest).toBeLessThanOrEqual(RATE + 1);
    // The walk says it was refused, and so does the log.
    expect(paced.logs.some((l) => l.event === "index_rate_limited" && String(l.error).includes("rate limited"))).toBe(true);
    const walk = paced.logs.find((l) => l.event === "index_walk");
    expect(walk).toMatchObject({ rateLimited: 1 });
  }, 60_000);
});
