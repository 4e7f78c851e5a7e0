import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDemoStore } from "../demo/build";
import { demoFindings, demoPackages } from "../demo/documents";
import { readDocuments } from "../documents/read";
import { previewMetadata, writeMetadata } from "../metadata/write";
import { LayoutStore } from "../oci/layout-store";
import { RateLimitedError } from "../oci/errors";
import type { Store } from "../oci/store";
import { crawlRegistry, type IndexSource } from "./crawler";
import { openIndexDatabase, type IndexDb } from "./database";
import { compareVersions, parseSearch, searchIndex, SearchSyntaxError, versionMatches } from "./search";

// The demo store (net-monitor v1 and v2 with SBOMs, Trivy and Grype scans, a VEX statement, team repositories and
// third-party layouts) walked through a layout store into an in-memory SQLite index. Expected values come from the
// demo's own package and finding lists, not from our parsers.

const root = mkdtempSync(join(tmpdir(), "chainsight-index-"));
let db: IndexDb;
const calls = { listTags: 0, other: 0 };
/** Repositories whose tag list was read, in order. */
const listed: string[] = [];

function counted(store: Store): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (prop === "listTags") {
          calls.listTags++;
          listed.push(args[0] as string);
        }
        else if (prop !== "name" && prop !== "referrersCapability") calls.other++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

let source: IndexSource;

beforeAll(async () => {
  await buildDemoStore(join(root, "store"), { fixtures: join(__dirname, "../../e2e/fixtures"), trustDir: join(root, "trust") });
  const store = counted(new LayoutStore({ root: join(root, "store"), name: "demo" }));
  source = {
    id: "demo",
    store,
    repositories: async () => (await store.catalogPage({ n: 1000 })).items,
    verify: async () => ({ verification: { trust: "", signatures: [], subjects: {} } }),
    documents: (s, repository, digest) => readDocuments(s, repository, digest, { maxBytes: 64 * 1024 * 1024 }),
  };
  db = await openIndexDatabase({ location: ":memory:" });
}, 60_000);

afterAll(async () => {
  await db?.destroy();
  rmSync(root, { recursive: true, force: true });
});

describe("the index over the demo store", () => {
  it("walks every repository, then answers package and vulnerability questions from what the documents say", async () => {
    const first = await crawlRegistry(db, source);
    expect(first.errors).toEqual([]);
    expect(first.repositories).toBeGreaterThanOrEqual(19);
    expect(first.changed).toBe(first.repositories);

    const everyone = () => true;
    // A package both versions carry, at the versions each version's SBOM lists.
    const zlib = await searchIndex(db, parseSearch("zlib1g"), everyone);
    const netMonitor = zlib.hits.filter((h) => h.repository === "monitoring/net-monitor");
    const versions = (v: "v1" | "v2") => demoPackages(v).find((p) => p.name === "zlib1g")!.version;
    for (const v of ["v1", "v2"] as const) expect(netMonitor.some((h) => h.tags.includes(v) && h.matched.startsWith(`zlib1g ${versions(v)}`))).toBe(true);
    // A range in the ecosystem's ordering: only v1's zlib (1:1.2.13.dfsg-1) is below the fixed 1:1.2.13.dfsg-1+deb12u1.
    const below = await searchIndex(db, parseSearch("zlib1g<1:1.2.13.dfsg-1+deb12u1"), everyone);
    expect(new Set(below.hits.filter((h) => h.repository === "monitoring/net-monitor").flatMap((h) => h.tags))).toEqual(new Set(["v1"]));

    // A vulnerability v1's Trivy scan reports, with its severity and fixed version.
    const finding = demoFindings("v1", "trivy").find((f) => f.id === "CVE-2023-45853")!;
    const cve = await searchIndex(db, parseSearch("cve-2023-45853"), everyone);
    const hit = cve.hits.find((h) => h.repository === "monitoring/net-monitor" && h.tags.includes("v1"));
    expect(hit).toMatchObject({ severity: finding.severity.toLowerCase(), fixedVersion: finding.fixed });
    // The demo's VEX statement says CVE-2024-2961 does not affect net-monitor.
    const vexed = await searchIndex(db, parseSearch("CVE-2024-2961"), everyone);
    expect(vexed.hits.length).toBeGreaterThan(0);
    expect(vexed.hits.filter((h) => h.repository === "monitoring/net-monitor").every((h) => h.notAffected)).toBe(true);

    // By artifact type, and a repository the user may not read never appears.
    const sboms = await searchIndex(db, parseSearch("type:application/spdx+json"), (_, repo) => !repo.startsWith("teama/"));
    expect(sboms.hits.some((h) => h.repository === "teamb/web")).toBe(true);
    expect(sboms.hits.some((h) => h.repository.startsWith("teama/"))).toBe(false);
  }, 60_000);

  it("walks again at the cost of one tag list per repository when nothing changed, and parses no document twice", async () => {
    const before = { ...calls };
    const again = await crawlRegistry(db, source);
    expect(again.changed).toBe(0);
    expect(again.documentsParsed).toBe(0);
    expect(calls.listTags - before.listTags).toBe(again.repositories);
    // The catalog page, and nothing else.
    expect(calls.other - before.other).toBe(1);
    // Forced: every image walked again, but every document already parsed.
    const forced = await crawlRegistry(db, source, { force: true });
    expect(forced.changed).toBe(forced.repositories);
    expect(forced.documentsParsed).toBe(0);
  }, 60_000);
});

describe("a walk interrupted or refused", () => {
  it("resumes after a restart where the interrupted walk got to, and completes the registry", async () => {
    const fresh = await openIndexDatabase({ location: ":memory:" });
    try {
      let done = 0;
      const first = await crawlRegistry(fresh, { ...source, parallelRepositories: 1 }, { onProgress: () => done++, shouldStop: () => done >= 5 });
      expect(first.repositories).toBe(5);
      const state = await fresh.selectFrom("index_state").selectAll().executeTakeFirstOrThrow();
      expect(state.completed_at).toBeNull();
      const walkedFirst = (await fresh.selectFrom("index_repositories").select("repository").execute()).map((r) => r.repository);
      expect(walkedFirst).toHaveLength(5);
      const before = listed.length;
      // The "restarted" server: a new walk over the same database.
      const second = await crawlRegistry(fresh, source);
      expect(second.resumed).toBe(5);
      // The five repositories done before the restart are not read again; every other one is.
      const readAgain = new Set(listed.slice(before));
      expect(walkedFirst.filter((r) => readAgain.has(r))).toEqual([]);
      expect(second.repositories).toBeGreaterThan(5);
      const after = await fresh.selectFrom("index_state").selectAll().executeTakeFirstOrThrow();
      expect(after.completed_at).not.toBeNull();
      expect(after.repositories_done).toBe(after.repositories_total);
      expect(after.resume_after).toBeNull();
      // Every repository is in the index, the five walked before the restart included.
      const indexed = await fresh.selectFrom("index_repositories").select("repository").execute();
      expect(indexed).toHaveLength(after.repositories_total!);
    } finally {
      await fresh.destroy();
    }
  }, 60_000);

  it("sends nothing while the registry's Retry-After runs, then walks the refused repository again in full", async () => {
    const fresh = await openIndexDatabase({ location: ":memory:" });
    let clock = 0;
    const sent: { at: number; what: string }[] = [];
    let refusedAt: number | undefined;
    let answeredAt = -1;
    const refusing: Store = new Proxy(source.store, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        // Only what goes to the registry (referrersCapability answers from what is already known).
        if (typeof value !== "function" || prop === "referrersCapability") return typeof value === "function" ? value.bind(target) : value;
        return async (...args: unknown[]) => {
          sent.push({ at: clock, what: `${String(prop)} ${args.slice(0, 2).join(" ")}` });
          if (prop === "getManifest" && args[0] === "monitoring/net-monitor" && args[1] === "v1" && refusedAt === undefined) {
            refusedAt = clock;
            // The answer arrives a moment later (requests sent meanwhile were in flight already).
            await new Promise((resolve) => setTimeout(resolve, 5));
            answeredAt = sent.length;
            throw new RateLimitedError("demo", "GET …/manifests/v1: rate limited (429 Too Many Requests); retry after 7 s", 7);
          }
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    try {
      const result = await crawlRegistry(fresh, { ...source, store: refusing }, {
        // Waits pass a hundred times faster than on the wall clock, so other repositories' requests run meanwhile.
        clock: { now: () => clock, sleep: (ms) => new Promise((resolve) => setTimeout(() => resolve(void (clock += ms)), ms / 100)) },
      });
      expect(result.errors).toEqual([]);
      expect(result.rateLimited).toBe(1);
      expect(refusedAt).toBeDefined();
      const afterRefusal = sent.slice(answeredAt);
      expect(afterRefusal.length).toBeGreaterThan(0);
      expect(afterRefusal.filter((s) => s.at < refusedAt! + 7000)).toEqual([]);
      // v1 is in the index with what its SBOM says, as if nothing had been refused.
      const zlib = await searchIndex(fresh, parseSearch("zlib1g"), () => true);
      expect(zlib.hits.some((h) => h.repository === "monitoring/net-monitor" && h.tags.includes("v1"))).toBe(true);
    } finally {
      await fresh.destroy();
    }
  }, 60_000);
});

describe("search syntax", () => {
  it("reads what people type", () => {
    expect(parseSearch("log4j-core<2.17.0")).toEqual({ kind: "package", name: "log4j-core", comparator: "<", version: "2.17.0" });
    expect(parseSearch("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1")).toMatchObject({ kind: "package", name: "log4j-core", version: "2.14.1", purl: "pkg:maven/org.apache.logging.log4j/log4j-core" });
    expect(parseSearch("GHSA-jfh8-c2jp-5v3q")).toEqual({ kind: "vulnerability", id: "GHSA-JFH8-C2JP-5V3Q" });
    expect(parseSearch("signer:wabbit")).toEqual({ kind: "signer", text: "wabbit" });
    expect(parseSearch("org.opencontainers.image.title=trivy")).toEqual({ kind: "annotation", key: "org.opencontainers.image.title", value: "trivy" });
    expect(() => parseSearch("two words")).toThrow(SearchSyntaxError);
    expect(() => parseSearch("  ")).toThrow(/type what to look for/);
  });

  it("orders versions as the ecosystems do for the common cases", () => {
    expect(compareVersions("2.9.1", "2.17.0")).toBeLessThan(0);
    expect(compareVersions("1:1.2.13.dfsg-1", "1:1.2.13.dfsg-1+deb12u1", "deb")).toBeLessThan(0);
    expect(compareVersions("3.0.14-1~deb12u1", "3.0.14-1~deb12u2", "deb")).toBeLessThan(0);
    expect(compareVersions("1.0~rc1", "1.0", "deb")).toBeLessThan(0);
    expect(compareVersions("2:0.1", "1:9.9", "deb")).toBeGreaterThan(0);
    expect(compareVersions("1.2.3+build.5", "1.2.3")).toBe(0);
    expect(compareVersions("2.17.0-rc1", "2.17.0")).toBeLessThan(0);
    expect(compareVersions("v0.33.0", "0.33.0")).toBe(0);
    expect(versionMatches("2.14.1", "<", "2.17.0")).toBe(true);
    expect(versionMatches(undefined, "<", "2.17.0")).toBe(false);
  });
});

describe("annotation search over metadata added afterwards", () => {
  it("finds an image by the value its newest deletion-date artifact says, not by one an older artifact said", async () => {
    const dir = mkdtempSync(join(tmpdir(), "chainsight-index-metadata-"));
    const fresh = await openIndexDatabase({ location: ":memory:" });
    try {
      cpSync(join(__dirname, "../../e2e/fixtures/notation/e2e-valid-signature"), join(dir, "app"), { recursive: true });
      const store = new LayoutStore({ root: dir, name: "writable", allowDelete: true });
      const add = async (date: string, created: string, ticket: string) =>
        writeMetadata(store, store, "app", await previewMetadata(store, "app", "v1", { kind: "deletion-date", deletionDate: date, annotations: { "com.example.ticket": ticket } }, { reviewer: "x", now: new Date(created) }));
      await add("2026-06-30", "2026-06-01T00:00:00Z", "OPS-1");
      await add("2027-12-31", "2026-11-01T00:00:00Z", "OPS-2");
      await crawlRegistry(fresh, { ...source, id: "w", store, repositories: async () => ["app"] });
      const search = async (value: string) => (await searchIndex(fresh, parseSearch(`org.cncf.oras.artifact.deletion-date=${value}`), () => true)).hits.map((h) => h.tags);
      expect(await search("2026-06-30")).toEqual([]);
      expect(await search("2027-12-31")).toEqual([["v1"]]);
      // A key that is no metadata is the artifact's own: the older artifact's ticket still finds the image.
      expect((await searchIndex(fresh, parseSearch("com.example.ticket=OPS-1"), () => true)).hits.map((h) => h.tags)).toEqual([["v1"]]);
    } finally {
      await fresh.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
