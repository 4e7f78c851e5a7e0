import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDemoStore } from "@/lib/demo/build";
import { demoPackages } from "@/lib/demo/documents";
import { readDocuments } from "@/lib/documents/read";
import { crawlRegistry, type IndexSource } from "@/lib/index/crawler";
import { openIndexDatabase, type IndexDb } from "@/lib/index/database";
import { parseSearch, searchIndex } from "@/lib/index/search";
import { LayoutStore } from "@/lib/oci/layout-store";
import { startPostgres, type RunningPostgres } from "../support/postgres";

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
    documents: (repository, digest) => readDocuments(store, repository, digest, { maxBytes: 64 * 1024 * 1024 }),
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
