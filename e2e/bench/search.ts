/**
 * Bench: search on a generated index of 10,000 images in 500 repositories
 * (20 tags each), each image with an SBOM of 200 packages (2,000,000 package
 * rows) and a scan of 50 findings (500,000 finding rows), in SQLite and in a
 * real PostgreSQL, through the index's own schema and queries. Package names
 * come from a vocabulary of 5,000 (each in about 400 images), vulnerability
 * ids from 20,000 (each in about 25 images). Reports p50 / p99 of 50 package,
 * 50 ranged-package and 50 vulnerability searches per database.
 */
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { openIndexDatabase, type IndexDb } from "../../lib/index/database";
import { parseSearch, searchIndex } from "../../lib/index/search";
import { startPostgres } from "../support/postgres";

export const IMAGES = 10_000;
const REPOSITORIES = 500;
const PACKAGES_PER_SBOM = 200;
const FINDINGS_PER_SCAN = 50;
const NAMES = 5_000;
const VULNERABILITIES = 20_000;

export interface SearchBench {
  database: "SQLite" | "PostgreSQL";
  loadSeconds: number;
  packages: number;
  findings: number;
  /** kind → [p50, p99] in ms */
  latency: Record<string, [number, number]>;
}

/** A small deterministic generator, so both databases hold the same rows. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

type Row = Record<string, string | number | null>;

function* rows(): Generator<{ table: string; row: Row }> {
  const r = rng(42);
  const hex = (n: number, width = 64) => n.toString(16).padStart(width, "0");
  for (let i = 0; i < IMAGES; i++) {
    const repository = `team-${String(i % REPOSITORIES).padStart(3, "0")}/service`;
    const image = `sha256:${hex(i + 1)}`;
    const sbom = `sha256:${hex(1_000_000 + i)}`;
    const scan = `sha256:${hex(2_000_000 + i)}`;
    yield { table: "index_tags", row: { registry_id: "bench", repository, tag: `1.${Math.floor(i / REPOSITORIES)}`, digest: image } };
    yield { table: "index_images", row: { registry_id: "bench", repository, digest: image, media_type: "application/vnd.oci.image.manifest.v1+json", created: null, verdict: null, sbom: 1, scanned: 1, attested: 0, referrers: 2, indexed_at: "2026-12-01T00:00:00Z" } };
    for (const [digest, kind, type] of [[sbom, "sbom", "application/spdx+json"], [scan, "vulnerability-scan", "application/sarif+json"]] as const) {
      yield { table: "index_attachments", row: { registry_id: "bench", repository, image_digest: image, digest, artifact_type: type, kind, created: "2026-11-01T00:00:00Z", annotations: "{}" } };
    }
    for (let p = 0; p < PACKAGES_PER_SBOM; p++) {
      const n = Math.floor(r() * NAMES);
      const name = `package-${n}`;
      const version = `${1 + (n % 3)}.${Math.floor(r() * 30)}.${Math.floor(r() * 10)}`;
      yield { table: "index_packages", row: { document_digest: sbom, name, name_key: name, base_key: name, version, purl: `pkg:npm/${name}@${version}`, ecosystem: "npm", licenses: "MIT" } };
    }
    for (let f = 0; f < FINDINGS_PER_SCAN; f++) {
      const v = Math.floor(r() * VULNERABILITIES);
      yield { table: "index_findings", row: { document_digest: scan, vulnerability: `CVE-2024-${10000 + v}`, severity: ["critical", "high", "medium", "low"][v % 4], package_name: `package-${v % NAMES}`, installed_version: "1.0.0", fixed_version: "1.0.1" } };
    }
  }
}

async function loadSqlite(path: string): Promise<void> {
  const sqlite = new Database(path);
  const statements = new Map<string, Database.Statement>();
  const insert = sqlite.transaction((batch: { table: string; row: Row }[]) => {
    for (const { table, row } of batch) {
      const key = `${table} ${Object.keys(row).join(",")}`;
      let st = statements.get(key);
      if (!st) statements.set(key, (st = sqlite.prepare(`insert into ${table} (${Object.keys(row).join(", ")}) values (${Object.keys(row).map(() => "?").join(", ")})`)));
      st.run(...Object.values(row));
    }
  });
  let batch: { table: string; row: Row }[] = [];
  for (const r of rows()) {
    batch.push(r);
    if (batch.length >= 50_000) {
      insert(batch);
      batch = [];
    }
  }
  insert(batch);
  sqlite.pragma("optimize");
  sqlite.close();
}

async function loadPostgres(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const pending = new Map<string, Row[]>();
  const flush = async (table: string) => {
    const list = pending.get(table);
    if (!list?.length) return;
    const columns = Object.keys(list[0]);
    const values: (string | number | null)[] = [];
    const tuples = list.map((row, i) => `(${columns.map((_, j) => `$${i * columns.length + j + 1}`).join(", ")})`);
    for (const row of list) values.push(...columns.map((c) => row[c]));
    await client.query(`insert into ${table} (${columns.join(", ")}) values ${tuples.join(", ")}`, values);
    pending.set(table, []);
  };
  await client.query("begin");
  for (const { table, row } of rows()) {
    const list = pending.get(table) ?? [];
    list.push(row);
    pending.set(table, list);
    if (list.length >= 4_000) await flush(table);
  }
  for (const table of pending.keys()) await flush(table);
  await client.query("commit");
  await client.query("analyze");
  await client.end();
}

async function measure(db: IndexDb): Promise<Record<string, [number, number]>> {
  const r = rng(7);
  const queries: Record<string, string[]> = {
    package: Array.from({ length: 50 }, () => `package-${Math.floor(r() * NAMES)}`),
    "package below a version": Array.from({ length: 50 }, () => `package-${Math.floor(r() * NAMES)}<2.10.0`),
    vulnerability: Array.from({ length: 50 }, () => `CVE-2024-${10000 + Math.floor(r() * VULNERABILITIES)}`),
  };
  const out: Record<string, [number, number]> = {};
  const everyone = () => true;
  await searchIndex(db, parseSearch("package-1"), everyone); // warm the connection and the statement path
  for (const [kind, list] of Object.entries(queries)) {
    const times: number[] = [];
    for (const q of list) {
      const t0 = performance.now();
      await searchIndex(db, parseSearch(q), everyone);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    out[kind] = [Math.round(times[Math.floor(times.length * 0.5)]), Math.round(times[Math.min(times.length - 1, Math.floor(times.length * 0.99))])];
  }
  return out;
}

export async function measureSearch(log: (s: string) => void): Promise<SearchBench[]> {
  const results: SearchBench[] = [];
  const dir = mkdtempSync(join(tmpdir(), "chainsight-bench-search-"));
  try {
    const path = join(dir, "index.sqlite");
    await (await openIndexDatabase({ location: path })).destroy(); // the schema, by the index's own migrations
    let t0 = performance.now();
    await loadSqlite(path);
    const sqliteLoad = (performance.now() - t0) / 1000;
    log(`  SQLite loaded in ${sqliteLoad.toFixed(1)} s`);
    const sqlite = await openIndexDatabase({ location: path });
    results.push({ database: "SQLite", loadSeconds: Math.round(sqliteLoad), packages: IMAGES * PACKAGES_PER_SBOM, findings: IMAGES * FINDINGS_PER_SCAN, latency: await measure(sqlite) });
    await sqlite.destroy();

    const postgres = await startPostgres();
    try {
      const db = await openIndexDatabase({ location: postgres.url });
      t0 = performance.now();
      await loadPostgres(postgres.url);
      const pgLoad = (performance.now() - t0) / 1000;
      log(`  PostgreSQL loaded in ${pgLoad.toFixed(1)} s`);
      results.push({ database: "PostgreSQL", loadSeconds: Math.round(pgLoad), packages: IMAGES * PACKAGES_PER_SBOM, findings: IMAGES * FINDINGS_PER_SCAN, latency: await measure(db) });
      await db.destroy();
    } finally {
      await postgres.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

export function renderSearch(results: SearchBench[]): string {
  const kinds = Object.keys(results[0]?.latency ?? {});
  return [
    `Search (lib/index, in process) on a generated index of ${IMAGES.toLocaleString("en")} images in ${REPOSITORIES} repositories: ${(IMAGES * PACKAGES_PER_SBOM).toLocaleString("en")} package rows and ${(IMAGES * FINDINGS_PER_SCAN).toLocaleString("en")} finding rows; a package name is in about ${Math.round(IMAGES * (1 - (1 - 1 / NAMES) ** PACKAGES_PER_SBOM))} images, a vulnerability in about ${Math.round(IMAGES * (1 - (1 - 1 / VULNERABILITIES) ** FINDINGS_PER_SCAN))}. 50 searches of each kind; goal p50 < 500 ms.`,
    "",
    `| database | rows loaded in | ${kinds.map((k) => `${k}: p50 / p99`).join(" | ")} |`,
    `|---|---|${kinds.map(() => "---").join("|")}|`,
    ...results.map((r) => `| ${r.database} | ${r.loadSeconds} s | ${kinds.map((k) => `${r.latency[k][0]} ms / ${r.latency[k][1]} ms`).join(" | ")} |`),
  ].join("\n");
}
