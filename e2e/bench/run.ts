/**
 * `npm run bench`: the API's cost in round trips and time against the real
 * registry (CNCF Distribution) behind a proxy that adds 20 ms each way.
 * For each call: wall time and upstream requests, cold (fresh server) and
 * warm (the same call again), next to the least the call needs: the number of
 * requests, and the number of round trips that must happen one after another
 * (times 40 ms, the floor for its wall time). Writes the table into README.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startApp, PROJECT_ROOT, type RunningApp } from "../support/app-server";
import { startDistribution } from "../support/distribution";
import { startLatencyProxy } from "../support/latency-proxy";
import { pushLargeChain } from "../support/large-chain";
import { measureGraphRender, type RenderResult } from "./graph-render";
import { LEVEL1, loadDataset, MANY_TAGS, NAMESPACES, REPOS_PER_NAMESPACE, tagName } from "./dataset";
import { measureFormats, pushSignedRepository, renderFormats } from "./verification";
import { measureParse, pushBigDocuments, renderParse } from "./documents";
import { measureBundles, renderBundles, type BundleReport } from "./bundles";
import { measureLayoutStore, renderLayout } from "./layout";
import { measureSearch, renderSearch } from "./search";
import { loadIndexDataset, measureIndexWalk, renderIndexWalk, type IndexWalkResult } from "./index-walk";
import { measurePromotion, renderPromotion } from "./promotion";
import { minimalTagsClient, plainCatalogFirstPage, walkReferrers, type ReferenceResult } from "./references";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";

const DELAY_MS = 20;
/** Referrers in the browser's graph: half of them artifacts, each signed once. */
const BIG_GRAPH = 2000;
const RTT_MS = 2 * DELAY_MS;

interface BenchCall {
  name: string;
  path: string;
  /** Least upstream requests the answer needs, and how many must be sequential. */
  minRequests: number;
  minRoundTrips: number;
  /** A request to the same route that fails validation, to load the route before timing. */
  warmup: string;
  /**
   * The same call on other data (the next page), made after the warm call: the server's CPU per upstream request
   * is read there, once the process has run this code path (a fresh process pays for compiling it first).
   */
  steady?: string;
  /** What a plain client does for the same answer, measured in the same run (see references.ts). */
  reference?: { name: string; run: () => Promise<ReferenceResult> };
}

interface Result extends BenchCall {
  coldMs: number;
  coldRequests: number;
  warmMs: number;
  warmRequests: number;
  status: number;
  /** Server CPU per upstream request of the cold call, ms. */
  cpuPerRequestMs?: number;
  /** TCP connections the cold call opened to the registry. */
  connections: number;
  referenceResult?: ReferenceResult;
}

const log = (s: string) => process.stdout.write(s + "\n");
const q = (params: Record<string, string | number>) => new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString();

async function main() {
  const started = Date.now();
  log("starting the registry (CNCF Distribution)...");
  const dist = await startDistribution();
  try {
    log("loading the data set...");
    const { supplyChainRoot, firstTagDigests } = await loadDataset(dist.url, dist.rootDirectory, log);
    await pushLargeChain({ url: dist.url }, "bench/big-graph", BIG_GRAPH / 2);
    const trustDir = mkdtempSync(join(tmpdir(), "chainsight-bench-trust-"));
    const signed = await pushSignedRepository({ url: dist.url }, trustDir);
    const big = await pushBigDocuments({ url: dist.url }, "bench/documents");
    const [host, port] = dist.host.split(":");
    const proxy = await startLatencyProxy({ host, port: Number(port) }, DELAY_MS);
    log(`data set loaded in ${((Date.now() - started) / 1000).toFixed(1)} s; proxy ${proxy.host} adds ${DELAY_MS} ms each way`);
    const repositories = NAMESPACES * REPOS_PER_NAMESPACE + 2;
    // Pages as this registry serves them at n=1000 (Distribution 2.8 ignores n for tag lists).
    const catalogPages = await countPages(`${dist.url}/v2/_catalog?n=1000`);
    const tagPages = await countPages(`${dist.url}/v2/bench/many-tags/tags/list?n=1000`);
    log(`the registry serves the catalog in ${catalogPages} pages and the ${MANY_TAGS} tags in ${tagPages}`);
    const base = `http://${proxy.host}`;
    const first100 = Array.from({ length: 100 }, (_, i) => tagName(i));
    const calls: BenchCall[] = [
      { name: "registries (reachability, capabilities)", path: "/api/registries", minRequests: 3, minRoundTrips: 3, warmup: "/api/registries/bench/repositories?n=0" },
      {
        name: `repositories, first 100 of ${repositories}`,
        path: `/api/registries/bench/repositories?${q({ n: 100 })}`,
        minRequests: 1,
        minRoundTrips: 1,
        warmup: "/api/registries/bench/repositories?n=0",
        reference: { name: "one catalog page", run: () => plainCatalogFirstPage(base) },
      },
      {
        name: "namespace tree, team-07/ (before the whole catalog has been read)",
        path: `/api/registries/bench/repositories?${q({ view: "tree", prefix: "team-07/" })}`,
        // One range of the catalog: the namespace's 500 names fit in one page.
        minRequests: 1,
        minRoundTrips: 1,
        warmup: "/api/registries/bench/repositories?n=0",
      },
      {
        name: `tags, first 100 of ${MANY_TAGS} by name (first paint: what each tag points at)`,
        path: `/api/registries/bench/tags?${q({ repository: "bench/many-tags", n: 100 })}`,
        steady: `/api/registries/bench/tags?${q({ repository: "bench/many-tags", n: 100, cursor: 100 })}`,
        minRequests: tagPages + 100,
        minRoundTrips: tagPages + 1,
        warmup: "/api/registries/bench/tags?n=0",
        reference: { name: "tag list + 100 HEADs, 8 at a time", run: () => minimalTagsClient(base, "bench/many-tags", 100) },
      },
      {
        name: "created dates of those 100 tags (filled in after the first paint)",
        path: `/api/registries/bench/artifacts?${q({ repository: "bench/many-tags", digests: firstTagDigests.slice(0, 100).join(",") })}`,
        steady: `/api/registries/bench/artifacts?${q({ repository: "bench/many-tags", digests: firstTagDigests.slice(100, 200).join(",") })}`,
        // 100 manifests by digest (cached after the tags call in one server; cold here) + 100 config blobs.
        minRequests: 200,
        minRoundTrips: 2,
        warmup: "/api/registries/bench/artifacts?digests=x",
      },
      {
        name: "status (signed/SBOM/scanned) of those 100 tags",
        path: `/api/registries/bench/status?${q({ repository: "bench/many-tags", tags: first100.join(",") })}`,
        steady: `/api/registries/bench/status?${q({ repository: "bench/many-tags", tags: first100.map((_, i) => tagName(100 + i)).join(",") })}`,
        // + one existence check per referrer only a referrers tag lists (10 tags have one): a stale entry must not count.
        minRequests: tagPages + 100 + 2 + 10 + 10,
        minRoundTrips: tagPages + 2,
        warmup: "/api/registries/bench/status?tags=",
      },
      {
        name: "status of 100 tags, each with a Notary signature, verified",
        path: `/api/registries/bench/status?${q({ repository: signed.repository, tags: signed.tags.join(",") })}`,
        // tag list (alongside the first manifests) + per tag: its manifest, its referrers tag, the signature's
        // manifest (which also proves the referrers-tag entry exists) and its envelope blob.
        minRequests: 1 + 100 * 4,
        minRoundTrips: 4,
        warmup: "/api/registries/bench/status?tags=",
      },
      {
        name: "SBOM of 20,000 components: parse and first 100 packages",
        path: `/api/registries/bench/sbom?${q({ repository: "bench/documents", digest: big.sbom.digest, n: 100 })}`,
        minRequests: 2,
        minRoundTrips: 2,
        warmup: "/api/registries/bench/sbom?digest=x",
      },
      {
        name: "SARIF of 5,000 findings: parse and first 100 findings",
        path: `/api/registries/bench/findings?${q({ repository: "bench/documents", digest: big.sarif.digest, n: 100 })}`,
        // the scan's manifest and blob; whether a VEX document is attached to the image (its tag list and referrers
        // tag: this registry has no referrers API); the image's SBOM, which findings are joined to (manifest, blob)
        minRequests: 6,
        minRoundTrips: 4,
        warmup: "/api/registries/bench/findings?digest=x",
      },
      {
        name: `graph, ${LEVEL1 * 2} referrers two levels deep`,
        path: `/api/registries/bench/graph?${q({ repository: "bench/supply-chain", reference: "v1" })}`,
        // + one existence check per referrer (this registry has no referrers API: every referrer is only in a
        // referrers tag, and a deleted one must not be shown), after each level.
        minRequests: 4 + 1 + LEVEL1 + LEVEL1 * 2,
        minRoundTrips: 5,
        warmup: "/api/registries/bench/graph?depth=x",
        reference: { name: "oras discover-like walk, 8 at a time", run: () => walkReferrers(base, "bench/supply-chain", "v1", 8) },
      },
      {
        name: "graph, artifactType=sarif, newest only (top=1)",
        path: `/api/registries/bench/graph?${q({ repository: "bench/supply-chain", reference: "v1", artifactType: "application/sarif+json", orderBy: "created", order: "desc", top: 1 })}`,
        // + the existence checks of what top=1 keeps (the scan, and its signature below it).
        minRequests: 4 + 1 + 1 + 2,
        minRoundTrips: 5,
        warmup: "/api/registries/bench/graph?depth=x",
      },
      {
        name: "manifest by tag (with created date)",
        path: `/api/registries/bench/manifest?${q({ repository: "bench/supply-chain", reference: "v1" })}`,
        minRequests: 2,
        minRoundTrips: 2,
        warmup: "/api/registries/bench/manifest?reference=",
      },
      {
        name: "manifest by digest",
        path: `/api/registries/bench/manifest?${q({ repository: "bench/supply-chain", reference: supplyChainRoot })}`,
        minRequests: 2,
        minRoundTrips: 2,
        warmup: "/api/registries/bench/manifest?reference=",
      },
    ];

    const results: Result[] = [];
    const verification = { notation: { trustPolicy: join(trustDir, "trustpolicy.json"), trustStore: join(trustDir, "truststore") } };
    const config = { registries: [{ id: "bench", url: `http://${proxy.host}`, plainHttp: true }], verification };
    const verifications: string[] = [];
    for (const call of calls) {
      const app = await startApp(config);
      try {
        await app.get(call.warmup);
        // Prime the process (code paths compiled, a kept-alive connection) on another repository, as a server that
        // has been up for a while is: the cold call then measures its own work, not Node warming up.
        await app.get(`/api/registries/bench/tags?${q({ repository: "team-00/service-000" })}`);
        const cpuBefore = app.cpuMs();
        const connectionsBefore = proxy.connections();
        const cold = await measure(app, call.path);
        const cpuMs = app.cpuMs() - cpuBefore;
        const connections = proxy.connections() - connectionsBefore;
        const slowest = app.logs
          .filter((l) => l.event === "upstream_request")
          .sort((a, b) => Number(b.durationMs) - Number(a.durationMs))[0];
        const computedCold = await verificationsComputed(app);
        const warm = await measure(app, call.path);
        const computedWarm = (await verificationsComputed(app)) - computedCold;
        if (computedCold > 0) verifications.push(`${call.name}: ${computedCold} signature verifications cold, ${computedWarm} warm.`);
        // The reference: median of three runs of a plain client for the same answer.
        let referenceResult: ReferenceResult | undefined;
        if (call.reference) {
          const runs = [await call.reference.run(), await call.reference.run(), await call.reference.run()].sort((a, b) => a.ms - b.ms);
          referenceResult = runs[1];
        }
        let cpuPerRequestMs = cold.requests > 0 ? Math.round((cpuMs / cold.requests) * 100) / 100 : undefined;
        if (call.steady) {
          const before = app.cpuMs();
          const steady = await measure(app, call.steady);
          cpuPerRequestMs = steady.requests > 0 ? Math.round(((app.cpuMs() - before) / steady.requests) * 100) / 100 : undefined;
          log(`  steady (next page): ${steady.ms} ms / ${steady.requests} requests, CPU per request ${cpuPerRequestMs} ms`);
        }
        results.push({ ...call, coldMs: cold.ms, coldRequests: cold.requests, warmMs: warm.ms, warmRequests: warm.requests, status: cold.status, cpuPerRequestMs, connections, referenceResult });
        log(`${call.name}: HTTP ${cold.status}, cold ${cold.ms} ms / ${cold.requests} requests (${connections} connections, ${cpuMs} ms CPU), warm ${warm.ms} ms / ${warm.requests} requests`);
        if (referenceResult) log(`  reference (${call.reference!.name}): ${referenceResult.ms} ms / ${referenceResult.requests} requests; ratio ${(cold.ms / referenceResult.ms).toFixed(2)}`);
        if (slowest) log(`  slowest upstream request: ${slowest.method} ${slowest.url} ${slowest.durationMs} ms`);
      } finally {
        await app.stop();
      }
    }
    const sequential = await walkReferrers(base, "bench/supply-chain", "v1", 1);
    const graphResult = results.find((r) => r.path.includes("/graph?") && !r.path.includes("artifactType"));
    const walkers = `An \`oras discover\`-like walk of the same ${sequential.artifacts} referrers, one request after another: ${sequential.ms} ms, ${sequential.requests} requests${graphResult ? ` (the graph call, cold: ${(graphResult.coldMs / sequential.ms).toFixed(2)}× of it)` : ""}.`;
    log(walkers);
    await proxy.stop();
    rmSync(trustDir, { recursive: true, force: true });
    log("parse cost of large documents...");
    const parse = measureParse(big);
    for (const p of parse) log(`${p.what}: ${p.parseMs} ms (reference ${p.referenceMs} ms)`);
    log("verification cost per signature, by format...");
    const formats = await measureFormats();
    for (const f of formats) log(`${f.format}: ${f.verdict}, ${f.verifyMs} ms (signature maths alone ${f.referenceMs} ms)`);
    log(`rendering the ${BIG_GRAPH}-node graph in Chromium...`);
    const browserApp = await startApp({ registries: [{ id: "bench", url: `http://${dist.host}`, plainHttp: true }] }, { CHAINSIGHT_LOG_LEVEL: "warn" });
    let render: RenderResult;
    try {
      render = await measureGraphRender(browserApp.url, "bench", "bench/big-graph", "v1", BIG_GRAPH);
    } finally {
      await browserApp.stop();
    }
    log(`the graph call of ${render.nodes} referrers, warm: ${render.warmCallMs} ms`);
    for (const [what, r] of [["as it opens", render.collapsed], ["one group opened", render.oneOpened], ["every group opened", render.opened]] as const) {
      log(`graph of ${render.nodes}, ${what} (${r.drawn} drawn): first node after ${r.firstNodeMs} ms, longest task ${r.longestTaskMs} ms; ${r.frames} frames while panning and zooming, mean ${r.meanFrameMs} ms, p95 ${r.p95FrameMs} ms`);
    }
    log("a layout store of 5,000 manifests...");
    const layoutStore = await measureLayoutStore();
    log(`layout store: probe ${layoutStore.probeMs} ms, first graph ${layoutStore.firstGraphMs} ms, warm ${layoutStore.warmGraphMs} ms, after one added blob ${layoutStore.afterOneBlobMs} ms`);
    log("search on a generated index of 10,000 images (SQLite and PostgreSQL)...");
    const search = await measureSearch(log);
    for (const s of search) log(`${s.database}: ${Object.entries(s.latency).map(([k, [p50, p99]]) => `${k} p50 ${p50} ms, p99 ${p99} ms`).join("; ")}`);
    log("the index's walk of 2,000 repositories with supply chains, behind the proxy...");
    const indexWalk = await benchIndexWalk();
    log("promotion of a 200 MB image with 50 referrers between two registries, behind the proxy...");
    const promotion = await measurePromotion(DELAY_MS, log);
    log("JavaScript per page...");
    const bundleApp = await startApp({ registries: [{ id: "bench", url: `http://${dist.host}`, plainHttp: true }] }, { CHAINSIGHT_LOG_LEVEL: "warn" });
    let bundles: BundleReport;
    try {
      bundles = await measureBundles(bundleApp.url, [
        { route: "home (registries)", path: "/", ready: 'a[href="/r/bench"]' },
        { route: "registry (repositories)", path: "/r/bench", ready: 'a[href^="/r/bench/team-00/"]' },
        { route: "repository (tags)", path: "/r/bench/bench/many-tags", ready: "tbody tr" },
        { route: "artifact (graph)", path: "/r/bench/bench/supply-chain/@v1", ready: '[data-testid="graph-node"]' },
        { route: "audit trail", path: "/admin/audit", ready: "main h1" },
      ]);
    } finally {
      await bundleApp.stop();
    }
    for (const r of bundles.routes) log(`${r.route}: ${r.totalKiB} KiB (${r.ownKiB} KiB beyond the shared ${bundles.sharedKiB} KiB)${r.graphLibraries ? ", with the graph libraries" : ""}`);
    const table = `${renderTable(results)}\n\n${walkers} ${verifications.join(" ")}\n\n${renderFormats(formats)}\n\n${renderParse(parse)}\n\n${renderBrowser(render)}\n\n${renderLayout(layoutStore)}\n\n${renderSearch(search)}\n\n${renderIndexWalk(indexWalk, DELAY_MS)}\n\n${renderPromotion(promotion, DELAY_MS)}\n\n${renderBundles(bundles)}`;
    log("\n" + table);
    writeIntoReadme(table);
    log(`\nwritten into README.md; total ${((Date.now() - started) / 1000).toFixed(0)} s`);
    if (results.some((r) => r.status !== 200)) {
      log("some calls did not answer 200");
      process.exitCode = 1;
    }
  } finally {
    await dist.stop();
  }
}

/** Its own registry (its catalog is only these repositories), written into storage, behind its own proxy. */
async function benchIndexWalk(): Promise<IndexWalkResult> {
  const registry = await startDistribution();
  const work = mkdtempSync(join(tmpdir(), "chainsight-bench-index-"));
  try {
    const dataset = await loadIndexDataset(registry.rootDirectory, work, log);
    const [host, port] = registry.host.split(":");
    const proxy = await startLatencyProxy({ host, port: Number(port) }, DELAY_MS);
    try {
      const pages = await countPages(`${registry.url}/v2/_catalog?n=1000`);
      return await measureIndexWalk(`http://${proxy.host}`, dataset, pages, log);
    } finally {
      await proxy.stop();
    }
  } finally {
    await registry.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

async function countPages(url: string): Promise<number> {
  let pages = 0;
  let next: string | undefined = url;
  while (next) {
    const res: Response = await fetch(next);
    await res.body?.cancel();
    pages++;
    const link = /<([^>]+)>;\s*rel="?next"?/.exec(res.headers.get("link") ?? "");
    next = link ? new URL(link[1], url).toString() : undefined;
  }
  return pages;
}

async function measure(app: RunningApp, path: string): Promise<{ ms: number; requests: number; status: number }> {
  const logged = app.logs.length;
  const t0 = performance.now();
  const res = await app.get(path);
  const ms = Math.round(performance.now() - t0);
  if (res.status !== 200) log(`  ${path}: HTTP ${res.status} ${res.text.slice(0, 300)}`);
  // The call's own upstream requests, as the server logs them (not work it started in the background).
  let call: Record<string, unknown> | undefined;
  for (let i = 0; i < 50 && !call; i++) {
    call = app.logs.slice(logged).find((l) => l.event === "api_call");
    if (!call) await new Promise((r) => setTimeout(r, 10));
  }
  return { ms, requests: Number(call?.upstreamRequests ?? NaN), status: res.status };
}

async function verificationsComputed(app: RunningApp): Promise<number> {
  const text = await (await fetch(`${app.url}/api/metrics`)).text();
  return text
    .split("\n")
    .filter((l) => l.startsWith("chainsight_signature_verifications_total{"))
    .reduce((n, l) => n + Number(l.split(" ").pop()), 0);
}

function renderTable(results: Result[]): string {
  const lines = [
    `Latency: ${DELAY_MS} ms each way (${RTT_MS} ms round trip) between server and registry. Cold: fresh server process (primed by a tag list of another repository), caches empty for this call; warm: the same call again. Reference: a plain client giving the same answer, run in the same run through the same proxy (median of 3); ratio = cold ÷ reference. Minimum: the fewest upstream requests the answer needs / how many of them must follow one another (× ${RTT_MS} ms = floor of the wall time). CPU: the server process's CPU time per upstream request, read on the next page of the same call where there is one (marked *: the process has then run that code once), else on the cold call (which includes compiling the route's code); connections: TCP connections the cold call opened.`,
    "",
    "| API call | cold: wall, upstream requests | warm: wall, upstream requests | reference: wall, requests | ratio | minimum: requests / round trips (floor) | CPU per request, connections |",
    "|---|---|---|---|---|---|---|",
  ];
  for (const r of results) {
    const ref = r.referenceResult ? `${r.referenceResult.ms} ms, ${r.referenceResult.requests} (${r.reference!.name})` : "—";
    const ratio = r.referenceResult ? `${(r.coldMs / r.referenceResult.ms).toFixed(2)}×` : "—";
    const cpu = r.cpuPerRequestMs !== undefined ? `${r.cpuPerRequestMs} ms${r.steady ? "*" : ""}, ${r.connections}` : `—, ${r.connections}`;
    lines.push(`| ${r.name} | ${r.coldMs} ms, ${r.coldRequests} | ${r.warmMs} ms, ${r.warmRequests} | ${ref} | ${ratio} | ${r.minRequests} / ${r.minRoundTrips} (${r.minRoundTrips * RTT_MS} ms) | ${cpu} |`);
  }
  return lines.join("\n");
}

function renderBrowser(r: RenderResult): string {
  const row = (what: string, f: (x: RenderResult["collapsed"]) => string | number) => `| ${what} | ${f(r.collapsed)} | ${f(r.oneOpened)} | ${f(r.opened)} |`;
  return [
    `Browser (Debian Chromium, software rendering, 1440×900): the artifact page of an image with ${r.nodes} referrers (${r.nodes / 2} artifacts of 4 types, each signed), no added latency, discovery already cached. As it opens, each type's ${r.nodes / 2 / 4} artifacts are one group node; then the same page with one group open, and with every group open (every artifact a node: a stress case, not a view anyone needs). Goals: first node < 2.5 s, no task over 200 ms, frame p95 < 50 ms.`,
    "",
    "| measure | as it opens | one group opened | every group opened |",
    "|---|---|---|---|",
    row("nodes in the layout (React Flow keeps only those in view in the page)", (x) => x.drawn),
    `| the graph call, warm (median of 5, the whole answer read) | ${r.warmCallMs} ms | | |`,
    row("page load to first node drawn", (x) => `${x.firstNodeMs} ms`),
    row("longest task", (x) => `${x.longestTaskMs} ms`),
    row("frames while dragging and zooming (3 rounds)", (x) => x.frames),
    row("mean frame time", (x) => `${x.meanFrameMs} ms`),
    row("95th percentile frame time", (x) => `${x.p95FrameMs} ms`),
  ].join("\n");
}

function writeIntoReadme(table: string): void {
  const path = join(PROJECT_ROOT, "README.md");
  const text = readFileSync(path, "utf8");
  const start = "<!-- bench:start -->";
  const end = "<!-- bench:end -->";
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i) {
    log(`README.md has no ${start} ... ${end} markers; not written`);
    return;
  }
  const stamp = `Measured ${new Date().toISOString().slice(0, 10)} on ${process.platform}/${process.arch}, Node ${process.version}.`;
  writeFileSync(path, `${text.slice(0, i + start.length)}\n${stamp}\n\n${table}\n${text.slice(j)}`);
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
