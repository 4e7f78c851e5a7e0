/**
 * Bench: the supply-chain index's walk of a registry of 2,000 repositories,
 * each with a supply chain (one image, a Notary signature, an SPDX SBOM of 40
 * packages, a Trivy report of 10 findings, listed in the image's referrers tag:
 * Distribution 2.8 has no referrers API), written straight into the registry's
 * storage, behind the 20 ms proxy. Measured in the same run:
 * - the first walk (time, upstream requests) against a minimal indexer that reads
 *   exactly what an index needs (catalog; per repository its tag list, the image's
 *   manifest and referrers index, the three referrer manifests and their three
 *   documents) with the same repositories at once, and parses and verifies nothing;
 * - a second walk with nothing changed: requests should be the catalog and one tag
 *   list per repository;
 * - the server's memory before, during (peak) and after.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Agent, fetch as undiciFetch } from "undici";
import { issueCertificate } from "@/lib/verification/issue-certificate";
import { signJws } from "@/lib/verification/notary/sign";
import { EKU } from "@/lib/verification/x509";
import { startApp, type RunningApp } from "../support/app-server";
import { sha256 } from "../support/layout";
import { StorageWriter } from "./storage-writer";

export const INDEX_REPOSITORIES = 2000;
const NAMESPACES = 20;
const PACKAGES = 40;
const FINDINGS = 10;
/** Repositories the server walks at once with the default `concurrency` of 32 (index-service: concurrency / 4, at most 8). */
const PARALLEL = 8;
const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
const EMPTY = { mediaType: "application/vnd.oci.empty.v1+json", digest: sha256(Buffer.from("{}")), size: 2 };

export function indexRepositoryName(i: number): string {
  return `fleet-${String(i % NAMESPACES).padStart(2, "0")}/service-${String(Math.floor(i / NAMESPACES)).padStart(3, "0")}`;
}

/** The SBOM of repository i: 40 packages, openssl at a version that varies with i (a search finds a share of them). */
function spdx(i: number): Buffer {
  const packages = Array.from({ length: PACKAGES }, (_, k) => {
    const name = k === 0 ? "openssl" : `lib-${k}`;
    const version = k === 0 ? `3.0.${i % 20}` : `1.${k}.${i % 7}`;
    return { SPDXID: `SPDXRef-Package-${k}`, name, versionInfo: version, licenseConcluded: "Apache-2.0", externalRefs: [{ referenceCategory: "PACKAGE-MANAGER", referenceType: "purl", referenceLocator: `pkg:deb/debian/${name}@${version}` }] };
  });
  return Buffer.from(JSON.stringify({ spdxVersion: "SPDX-2.3", dataLicense: "CC0-1.0", SPDXID: "SPDXRef-DOCUMENT", name: indexRepositoryName(i), documentNamespace: `https://bench.example/${indexRepositoryName(i)}`, creationInfo: { created: "2026-01-01T00:00:00Z", creators: ["Tool: bench"] }, packages }));
}

function trivy(i: number): Buffer {
  const vulnerabilities = Array.from({ length: FINDINGS }, (_, k) => ({
    VulnerabilityID: `CVE-2026-${String(1000 + ((i + k) % 500)).padStart(4, "0")}`,
    PkgName: k === 0 ? "openssl" : `lib-${k}`,
    InstalledVersion: k === 0 ? `3.0.${i % 20}` : `1.${k}.${i % 7}`,
    FixedVersion: k === 0 ? "3.0.20" : `1.${k}.9`,
    // openssl below 3.0.5 (a quarter of the repositories) is critical: the bench policy fails those.
    Severity: k === 0 ? (i % 20 < 5 ? "CRITICAL" : "HIGH") : ["LOW", "MEDIUM", "HIGH"][k % 3],
  }));
  return Buffer.from(JSON.stringify({ SchemaVersion: 2, ArtifactName: indexRepositoryName(i), ArtifactType: "container_image", Results: [{ Target: indexRepositoryName(i), Class: "os-pkgs", Type: "debian", Vulnerabilities: vulnerabilities }] }));
}

export interface IndexDataset {
  trustDir: string;
  repositories: number;
}

/** Writes the data set into Distribution's storage; the trust that verifies its signatures into `trustDir`. */
export async function loadIndexDataset(rootDirectory: string, trustDir: string, log: (s: string) => void, count = INDEX_REPOSITORIES): Promise<IndexDataset> {
  const w = new StorageWriter(rootDirectory);
  const name = (cn: string): [string, string][] => [["C", "US"], ["O", "Bench"], ["CN", cn]];
  const root = await issueCertificate({ subject: name("Index Bench Root"), ca: true, keyUsage: ["keyCertSign"] });
  const leaf = await issueCertificate({ subject: name("Index Bench Signer"), issuer: root, ca: false, keyUsage: ["digitalSignature"], extendedKeyUsage: [EKU.codeSigning] });
  mkdirSync(join(trustDir, "truststore", "x509", "ca", "bench"), { recursive: true });
  writeFileSync(join(trustDir, "truststore", "x509", "ca", "bench", "root.crt"), root.pem);
  writeFileSync(join(trustDir, "trustpolicy.json"), JSON.stringify({ version: "1.0", trustPolicies: [{ name: "bench", registryScopes: ["*"], signatureVerification: { level: "strict" }, trustStores: ["ca:bench"], trustedIdentities: ["*"] }] }));
  const layer = await w.blob(Buffer.from("chainsight index benchmark layer"));
  const empty = await w.blob(Buffer.from("{}"));
  for (let i = 0; i < count; i++) {
    const repo = indexRepositoryName(i);
    const config = Buffer.from(JSON.stringify({ created: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(), architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } }));
    const configDigest = await w.blob(config);
    const sbom = spdx(i);
    const scan = trivy(i);
    const sbomDigest = await w.blob(sbom);
    const scanDigest = await w.blob(scan);
    const imageBytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: configDigest, size: config.length }, layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar", digest: layer, size: 32 }] }));
    const image = { mediaType: OCI_MANIFEST, digest: sha256(imageBytes), size: imageBytes.length };
    const envelope = Buffer.from(signJws({ subject: image, chain: [leaf.der, root.der], privateKey: leaf.privateKey, alg: "PS256" }));
    const envelopeDigest = await w.blob(envelope);
    await w.linkBlobs(repo, [configDigest, layer, empty, sbomDigest, scanDigest, envelopeDigest]);
    await w.manifest(repo, imageBytes, "1.0");
    const referrers = [];
    for (const [artifactType, mediaType, digest, size] of [
      ["application/vnd.cncf.notary.signature", "application/jose+json", envelopeDigest, envelope.length],
      ["application/spdx+json", "application/spdx+json", sbomDigest, sbom.length],
      ["application/vnd.aquasec.trivy.report+json", "application/json", scanDigest, scan.length],
    ] as const) {
      const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType, config: EMPTY, layers: [{ mediaType, digest, size }], subject: image, annotations: { "org.opencontainers.image.created": "2026-01-02T00:00:00Z" } }));
      referrers.push({ mediaType: OCI_MANIFEST, digest: await w.manifest(repo, bytes), size: bytes.length, artifactType, annotations: { "org.opencontainers.image.created": "2026-01-02T00:00:00Z" } });
    }
    await w.manifest(repo, Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: referrers })), image.digest.replace(":", "-"));
    if ((i + 1) % 500 === 0) log(`  ${i + 1} repositories with supply chains`);
  }
  return { trustDir, repositories: count };
}

export interface WalkMeasure {
  ms: number;
  requests: number;
}

export interface IndexWalkResult {
  repositories: number;
  catalogPages: number;
  first: WalkMeasure & { images: number; documentsParsed: number; errors: number };
  again: WalkMeasure & { changed: number };
  reference: WalkMeasure;
  memory: { idleMiB: number; peakMiB: number; afterMiB: number };
  search: { query: string; hits: number; ms: number };
  /** GET /api/coverage over the whole index with a policy judged on every image: median of 5, and its images. */
  coverage: { ms: number; images: number; pass: number; fail: number };
  /** A live policy check of one image on a fresh server (no index): time, upstream requests, minimum. */
  policyCheck: { ms: number; requests: number; outcome: string };
}

/** The policy the bench judges: what the data set has, with a failing rule for the repositories whose openssl is old. */
const BENCH_POLICY = {
  name: "release",
  require: { signature: { trustedBy: [{ notation: "bench" }] }, sbom: { formats: ["spdx"] }, scan: { failOn: "critical" } },
};

/** Resident memory of the server process and its children (Next may run the server in a child), in MiB. */
function memoryOf(pid: number): { rss: number; peak: number } {
  let rss = 0;
  let peak = 0;
  const visit = (p: number) => {
    try {
      const status = readFileSync(`/proc/${p}/status`, "utf8");
      rss += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      peak += Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
      for (const child of readFileSync(`/proc/${p}/task/${p}/children`, "utf8").trim().split(/\s+/).filter(Boolean)) visit(Number(child));
    } catch {
      // gone
    }
  };
  visit(pid);
  return { rss: Math.round(rss / 1024), peak: Math.round(peak / 1024) };
}

async function walkLine(app: RunningApp, after: number, timeoutMs = 30 * 60_000): Promise<{ line: Record<string, unknown>; index: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const index = app.logs.findIndex((l, i) => i >= after && l.event === "index_walk");
    if (index >= 0) return { line: app.logs[index], index };
    if (Date.now() > deadline) throw new Error("the index walk did not end in time");
    await new Promise((r) => setTimeout(r, 200));
  }
}

const upstream = (app: RunningApp, from: number, to: number) => app.logs.slice(from, to + 1).filter((l) => l.event === "upstream_request").length;

export async function measureIndexWalk(base: string, dataset: IndexDataset, catalogPages: number, log: (s: string) => void): Promise<IndexWalkResult> {
  const config = {
    registries: [{ id: "bench", url: base, plainHttp: true }],
    index: { enabled: true, database: join(dataset.trustDir, "index.sqlite"), intervalMinutes: 1440 },
    verification: { notation: { trustPolicy: join(dataset.trustDir, "trustpolicy.json"), trustStore: join(dataset.trustDir, "truststore") } },
    policies: [BENCH_POLICY],
  };
  const app = await startApp(config);
  try {
    const pid = app.pid;
    const idle = memoryOf(pid);
    // The first request that needs the runtime starts the walk; every upstream request so far is the walk's.
    const startedAt = 0;
    await app.get("/api/index/status");
    const first = await walkLine(app, startedAt);
    const firstRequests = upstream(app, startedAt, first.index);
    const peak = memoryOf(pid);
    log(`first walk: ${first.line.durationMs} ms, ${firstRequests} upstream requests, ${first.line.images} images, ${first.line.documentsParsed} documents parsed, ${first.line.errors} errors`);
    const t0 = performance.now();
    const searched = await app.get(`/api/search?q=${encodeURIComponent("openssl<3.0.5")}`);
    const searchMs = Math.round(performance.now() - t0);
    const againFrom = app.logs.length;
    const walk = await fetch(`${app.url}/api/index/walk`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    if (walk.status !== 200) throw new Error(`POST /api/index/walk: HTTP ${walk.status} ${await walk.text()}`);
    const again = await walkLine(app, againFrom);
    const againRequests = upstream(app, againFrom, again.index);
    log(`walk with nothing changed: ${again.line.durationMs} ms, ${againRequests} upstream requests, ${again.line.changed} repositories changed`);
    const after = memoryOf(pid);
    const coverageRuns: number[] = [];
    let covered: { totals: { policies: { images: number; pass: number; fail: number }[] } } | undefined;
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      const res = await app.get("/api/coverage?policy=release");
      coverageRuns.push(performance.now() - t);
      covered = res.body;
    }
    const coverageMs = Math.round(coverageRuns.sort((a, b) => a - b)[2]);
    const judged = covered!.totals.policies[0];
    log(`coverage of ${judged.images} images with a policy judged on each: ${coverageMs} ms (median of 5)`);
    const reference = await minimalIndexer(base, PARALLEL);
    log(`reference (minimal indexer, ${PARALLEL} repositories at once): ${reference.ms} ms, ${reference.requests} requests`);
    const policyCheck = await livePolicyCheck(config);
    log(`live policy check of one image: ${policyCheck.ms} ms, ${policyCheck.requests} upstream requests, ${policyCheck.outcome}`);
    return {
      coverage: { ms: coverageMs, images: judged.images, pass: judged.pass, fail: judged.fail },
      policyCheck,
      repositories: dataset.repositories,
      catalogPages,
      first: { ms: Number(first.line.durationMs), requests: firstRequests, images: Number(first.line.images), documentsParsed: Number(first.line.documentsParsed), errors: Number(first.line.errors) },
      again: { ms: Number(again.line.durationMs), requests: againRequests, changed: Number(again.line.changed) },
      reference,
      memory: { idleMiB: idle.rss, peakMiB: peak.peak, afterMiB: after.rss },
      search: { query: "openssl<3.0.5", hits: (searched.body as { hits: unknown[] }).hits.length, ms: searchMs },
    };
  } finally {
    await app.stop();
  }
}

/** The policy of one image asked of a fresh server without the index: everything read live from the registry. */
async function livePolicyCheck(config: { registries: unknown[]; verification: unknown; policies: unknown[] }): Promise<{ ms: number; requests: number; outcome: string }> {
  const app = await startApp({ registries: config.registries, verification: config.verification, policies: config.policies });
  try {
    // Load the route first (a request that fails validation), as the other benchmarks do.
    await app.get("/api/registries/bench/policy?reference=");
    const from = app.logs.length;
    const t = performance.now();
    const res = await app.get(`/api/registries/bench/policy?repository=${encodeURIComponent(indexRepositoryName(1))}&reference=1.0`);
    const ms = Math.round(performance.now() - t);
    let line: Record<string, unknown> | undefined;
    for (let i = 0; i < 50 && !line; i++) {
      line = app.logs.slice(from).find((l) => l.event === "api_call");
      if (!line) await new Promise((r) => setTimeout(r, 10));
    }
    return { ms, requests: Number(line?.upstreamRequests ?? NaN), outcome: String((res.body as { outcome?: string }).outcome) };
  } finally {
    await app.stop();
  }
}

/**
 * What an indexer must read, and nothing more, `parallel` repositories at once: the catalog; per repository its
 * tag list, then the image's manifest and its referrers index (named by the tag list), then the referrers'
 * manifests, then the documents and signature envelopes they carry. No parsing, no verification, no database.
 */
export async function minimalIndexer(base: string, parallel: number): Promise<WalkMeasure> {
  const agent = new Agent({ keepAliveTimeout: 10_000, connections: 32 });
  let requests = 0;
  const get = async (path: string, accept?: string) => {
    requests++;
    const url = path.startsWith("http") ? path : base + path;
    const res = await undiciFetch(url, { dispatcher: agent, headers: accept ? { accept } : {} }).catch(() => undiciFetch(url, { dispatcher: agent, headers: accept ? { accept } : {} }));
    if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status}`);
    return { body: Buffer.from(await res.arrayBuffer()), link: res.headers.get("link") };
  };
  const json = (b: Buffer) => JSON.parse(b.toString("utf8"));
  const t0 = performance.now();
  try {
    const repositories: string[] = [];
    let next: string | undefined = "/v2/_catalog?n=1000";
    while (next) {
      const page = await get(next);
      repositories.push(...json(page.body).repositories);
      const m = /<([^>]+)>;\s*rel="?next"?/.exec(page.link ?? "");
      next = m ? m[1] : undefined;
    }
    let i = 0;
    await Promise.all(
      Array.from({ length: parallel }, async () => {
        while (i < repositories.length) {
          const repo = repositories[i++];
          const tags: string[] = json((await get(`/v2/${repo}/tags/list`)).body).tags ?? [];
          const image = tags.find((t) => !t.startsWith("sha256-"))!;
          const referrersTag = tags.find((t) => t.startsWith("sha256-"));
          const [, index] = await Promise.all([get(`/v2/${repo}/manifests/${image}`, `${OCI_MANIFEST}, ${OCI_INDEX}`), referrersTag ? get(`/v2/${repo}/manifests/${referrersTag}`, OCI_INDEX) : undefined]);
          const referrers: { digest: string }[] = index ? json(index.body).manifests : [];
          const manifests = await Promise.all(referrers.map((r) => get(`/v2/${repo}/manifests/${r.digest}`, OCI_MANIFEST)));
          await Promise.all(manifests.map((m) => get(`/v2/${repo}/blobs/${json(m.body).layers[0].digest}`)));
        }
      }),
    );
    return { ms: Math.round(performance.now() - t0), requests };
  } finally {
    await agent.close();
  }
}

export function renderIndexWalk(r: IndexWalkResult, delayMs: number): string {
  const minimum = r.catalogPages + r.repositories * 9;
  const ratio = (r.first.ms / r.reference.ms).toFixed(2);
  return [
    `Index walk: ${r.repositories} repositories, each one image with a Notary signature, an SPDX SBOM (${PACKAGES} packages) and a Trivy report (${FINDINGS} findings), listed by referrers tag (Distribution 2.8), ${delayMs} ms each way between server and registry. The reference is a minimal indexer run in the same run through the same proxy: the same reads (catalog; per repository its tag list, the image manifest and referrers index, the three referrer manifests, their three blobs), ${PARALLEL} repositories at once as the server walks them, without parsing, verifying or writing anything. Minimum requests: catalog pages + 9 per repository (the server also asks each repository once whether it has the referrers API and the ORAS endpoint, as oras-go probes per repository: 2 more, in parallel with the referrers tag read).`,
    "",
    "| walk | wall | upstream requests | minimum requests | reference: wall, requests | ratio |",
    "|---|---|---|---|---|---|",
    `| first walk (${r.first.images} images, ${r.first.documentsParsed} documents parsed, ${r.first.errors} errors) | ${(r.first.ms / 1000).toFixed(1)} s | ${r.first.requests} | ${minimum} | ${(r.reference.ms / 1000).toFixed(1)} s, ${r.reference.requests} | ${ratio}× |`,
    `| again, nothing changed (${r.again.changed} repositories changed) | ${(r.again.ms / 1000).toFixed(1)} s | ${r.again.requests} | ${r.catalogPages + r.repositories} (catalog + one tag list each) | — | — |`,
    "",
    `Coverage from the index (\`GET /api/coverage?policy=release\`, the policy judged on each of its ${r.coverage.images} images with today's clock: ${r.coverage.pass} pass, ${r.coverage.fail} fail): ${r.coverage.ms} ms, median of 5. A live policy check of one image on a fresh server without the index (its signature verified, its SBOM and scan read): ${r.policyCheck.ms} ms, ${r.policyCheck.requests} upstream requests (minimum 9: tag list, manifest, referrers tag, 3 referrer manifests, 3 blobs; 4 round trips, ${4 * 40} ms), ${r.policyCheck.outcome}.`,
    "",
    `Server memory (resident): ${r.memory.idleMiB} MiB before the walk, ${r.memory.peakMiB} MiB at its peak, ${r.memory.afterMiB} MiB after both walks. Search on the walked index, \`${r.search.query}\`: ${r.search.hits} hits in ${r.search.ms} ms (one call, through the API).`,
  ].join("\n");
}
