import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDemoStore } from "@/lib/demo/build";
import { demoPackages } from "@/lib/demo/documents";
import { readDocuments } from "@/lib/documents/read";
import { crawlRegistry, type IndexSource } from "@/lib/index/crawler";
import { openIndexDatabase, type IndexDb } from "@/lib/index/database";
import { parseSearch, searchIndex } from "@/lib/index/search";
import { computeCoverage } from "@/lib/index/coverage";
import { policySchema } from "@/lib/policy/schema";
import { LayoutStore } from "@/lib/oci/layout-store";
import { startPostgres, type RunningPostgres } from "../support/postgres";
import type { SearchResponse } from "@/lib/server/api/search";
import type { IndexStatus } from "@/lib/server/index-service";
import { startApp, type RunningApp } from "../support/app-server";
import { pushImage, pushReferrer } from "../support/artifacts";
import { startDistribution, type RunningDistribution } from "../support/distribution";
import { FIXTURES } from "../support/fixtures";
import { pushLayout, readLayout } from "../support/layout";
import { until } from "../support/until";
import type { AuditResponse } from "@/lib/server/api/audit";
import type { VerificationResponse } from "@/lib/server/api/verification";

// One query layer, two databases: the demo store walked into a real PostgreSQL 15 and into SQLite answers every
// kind of search the same way.

let pg: RunningPostgres;
let root: string;
let postgres: IndexDb;
let sqlite: IndexDb;

beforeAll(async () => {
  pg = await startPostgres();
  root = mkdtempSync(join(tmpdir(), "chainsight-index-pg-"));
  await buildDemoStore(join(root, "store"), { fixtures: join(__dirname, "../fixtures"), trustDir: join(root, "trust") });
  const store = new LayoutStore({ root: join(root, "store"), name: "demo" });
  const source: IndexSource = {
    id: "demo",
    store,
    repositories: async () => (await store.catalogPage({ n: 1000 })).items,
    verify: async () => ({ verification: { trust: "", signatures: [], subjects: {} } }),
    documents: (s, repository, digest) => readDocuments(s, repository, digest, { maxBytes: 64 * 1024 * 1024 }),
  };
  postgres = await openIndexDatabase({ location: pg.url });
  sqlite = await openIndexDatabase({ location: ":memory:" });
  for (const db of [postgres, sqlite]) expect((await crawlRegistry(db, source)).errors).toEqual([]);
}, 120_000);

afterAll(async () => {
  await postgres?.destroy();
  await sqlite?.destroy();
  await pg?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe("the index on PostgreSQL", () => {
  it("answers package, range, purl, vulnerability, type and annotation searches as SQLite does", async () => {
    const everyone = () => true;
    for (const q of ["zlib1g", "zlib1g<1:1.2.13.dfsg-1+deb12u1", "pkg:golang/golang.org/x/net", "CVE-2024-2961", "CVE-2023-45853", "type:application/spdx+json", "org.opencontainers.image.title=trivy scan 2026-01-13"]) {
      const [a, b] = await Promise.all([searchIndex(postgres, parseSearch(q), everyone), searchIndex(sqlite, parseSearch(q), everyone)]);
      const key = (h: { registry: string; repository: string; digest: string; matched: string }) => `${h.registry}/${h.repository}@${h.digest} ${h.matched}`;
      expect(a.hits.map(key).sort(), q).toEqual(b.hits.map(key).sort());
      expect(a.hits.length, q).toBeGreaterThan(0);
    }
    // And the values are the demo's: v1's zlib is the one below the fixed version.
    const below = await searchIndex(postgres, parseSearch("zlib1g<1:1.2.13.dfsg-1+deb12u1"), everyone);
    const v1 = demoPackages("v1").find((p) => p.name === "zlib1g")!.version;
    expect(below.hits.find((h) => h.repository === "monitoring/net-monitor")).toMatchObject({ tags: ["v1"], matched: `zlib1g ${v1} (deb)` });
  });
});

describe("coverage on PostgreSQL", () => {
  it("counts and judges the same as on SQLite", async () => {
    const policies = [policySchema.parse({ name: "described", scope: { tags: ["v*"], newest: 3 }, require: { sbom: {}, scan: { failOn: "high", allow: [{ id: "CVE-2024-5535", until: "2026-12-31", reason: "test" }] }, provenance: { builder: "https://github.com/**" } } })];
    const run = (db: IndexDb) => computeCoverage(db, { policies, policy: "described", scanDays: 3650, now: new Date("2026-06-01T00:00:00Z"), visible: () => true });
    const [a, b] = await Promise.all([run(postgres), run(sqlite)]);
    expect(a.totals).toEqual(b.totals);
    expect(a.registries).toEqual(b.registries);
    expect(a.notPassing).toEqual(b.notPassing);
    expect(a.totals.counts.sbom).toBeGreaterThan(0);
    expect(a.totals.policies[0].images).toBeGreaterThan(0);
  });
});

describe("two replicas on one PostgreSQL", () => {
  let dist: RunningDistribution;
  let a: RunningApp;
  let b: RunningApp;
  let trust: string;
  const SECRET = "replica-events-secret-0123456789";

  beforeAll(async () => {
    dist = await startDistribution();
    // notation's e2e-valid-signature layout, and the trust that verifies it (ca:e2e under a strict "*" policy).
    await pushLayout({ url: dist.url }, "notation/e2e-valid-signature", readLayout(join(FIXTURES, "notation", "e2e-valid-signature")));
    trust = mkdtempSync(join(tmpdir(), "chainsight-replicas-trust-"));
    mkdirSync(join(trust, "truststore/x509/ca/e2e"), { recursive: true });
    cpSync(join(FIXTURES, "notation/trust/e2e.crt"), join(trust, "truststore/x509/ca/e2e/e2e.crt"));
    cpSync(join(FIXTURES, "notation/trust/trustpolicy.json"), join(trust, "trustpolicy.json"));
    const image = await pushImage({ url: dist.url }, "team/app", "1.0", { created: "2026-03-01T00:00:00Z" });
    await pushReferrer({ url: dist.url }, "team/app", image, { artifactType: "application/vnd.cyclonedx+json", content: { mediaType: "application/vnd.cyclonedx+json", bytes: readFileSync(join(FIXTURES, "documents/cyclonedx/SBOM_laravel-7.12.0_bom.1.4.json")) } });
    // One PostgreSQL for the index, the verification results and the audit trail of both.
    const config = {
      registries: [{ id: "local", url: dist.url, plainHttp: true, eventsSecret: SECRET }],
      index: { enabled: true, database: pg.url, intervalMinutes: 60, leaseSeconds: 2 },
      audit: { database: pg.url },
      verification: { notation: { trustPolicy: join(trust, "trustpolicy.json"), trustStore: join(trust, "truststore") } },
    };
    [a, b] = await Promise.all([startApp(config), startApp(config)]);
  }, 120_000);

  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await dist?.stop();
    if (trust) rmSync(trust, { recursive: true, force: true });
  });

  const status = async (app: RunningApp) => (await app.get("/api/index/status")).body as IndexStatus;
  it("both serve the same search, only one crawls, and the other takes over when the crawler dies", async () => {
    const component = "stack-cors";
    const found = async (app: RunningApp, repo: string) => ((await app.get(`/api/search?q=${component}`)).body as SearchResponse).hits.some((h) => h.repository === repo);
    await until("both answering from the walked index", async () => (await found(a, "team/app")) && (await found(b, "team/app")));
    const [sa, sb] = [await status(a), await status(b)];
    expect([sa.crawler, sb.crawler].filter(Boolean)).toHaveLength(1);
    const [crawler, other] = sa.crawler ? [a, b] : [b, a];
    expect(other.logs.some((l) => l.event === "index_walk")).toBe(false);
    expect(crawler.logs.some((l) => l.event === "index_walk")).toBe(true);

    // A signature is verified once between them: the walk verified it, and neither replica verifies it again.
    const computed = async (app: RunningApp) =>
      (await (await fetch(`${app.url}/api/metrics`)).text())
        .split("\n")
        .filter((l) => l.startsWith("chainsight_signature_verifications_total{"))
        .reduce((n, l) => n + Number(l.split(" ").pop()), 0);
    const verify = async (app: RunningApp) => (await app.get("/api/registries/local/verification?repository=notation/e2e-valid-signature&reference=v1")).body as VerificationResponse;
    const [va, vb] = [await verify(other), await verify(crawler)];
    expect(va.verdict?.verdict).toBe("verified");
    expect(vb.verdict?.verdict).toBe("verified");
    expect(va.verdict?.signer).toEqual(vb.verdict?.signer);
    expect((await computed(a)) + (await computed(b))).toBe(va.signatures.length);
    expect(await computed(other)).toBe(0);

    // One audit trail: what was asked of one replica is in the other's trail.
    const trail = (await crawler.get("/api/audit?limit=1000")).body as AuditResponse;
    expect(trail.rows.some((r) => r.repository === "notation/e2e-valid-signature" && r.action === "verification")).toBe(true);
    const ids = trail.rows.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);

    // An event reaching the replica that does not crawl is queued for the one that does.
    const pushed = await pushImage({ url: dist.url }, "team/queued", "1.0", { created: "2026-03-02T00:00:00Z" });
    await pushReferrer({ url: dist.url }, "team/queued", pushed, { artifactType: "application/vnd.cyclonedx+json", content: { mediaType: "application/vnd.cyclonedx+json", bytes: readFileSync(join(FIXTURES, "documents/cyclonedx/SBOM_laravel-7.12.0_bom.1.4.json")) } });
    const event = await fetch(`${other.url}/api/events/local`, { method: "POST", headers: { authorization: `Bearer ${SECRET}`, "content-type": "application/json" }, body: JSON.stringify({ events: [{ action: "push", target: { repository: "team/queued", digest: pushed.digest, tag: "1.0" } }] }) });
    expect(event.status).toBe(202);
    await until("the queued repository searchable on both", async () => (await found(other, "team/queued")) && (await found(crawler, "team/queued")));
    expect(other.logs.some((l) => l.event === "index_walk")).toBe(false);

    // The crawler dies (no clean release): after its lease expires, the other one takes it.
    await crawler.stop();
    await until("the survivor holding the lease", async () => (await status(other)).crawler === true, 15);
  }, 90_000);
});
