/**
 * Bench: an OCI layout store holding one image with 5,000 referrers, as
 * `oras attach --oci-layout` leaves them (untagged, found by their subject).
 * Measures the home page's reachability probe, the first graph (every blob
 * looked at once), the same graph again, and the graph after one more
 * referrer is written into the folder (only the new blob is read).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startApp } from "../support/app-server";
import { sha256 } from "../support/layout";

const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

export interface LayoutBench {
  manifests: number;
  probeMs: number;
  firstGraphMs: number;
  warmGraphMs: number;
  afterOneBlobMs: number;
  referrersAfter: number;
}

export async function measureLayoutStore(count = 5000): Promise<LayoutBench> {
  const root = mkdtempSync(join(tmpdir(), "chainsight-bench-layout-"));
  const dir = join(root, "big", "app");
  const blobs = join(dir, "blobs", "sha256");
  mkdirSync(blobs, { recursive: true });
  const put = (bytes: Buffer) => {
    const digest = sha256(bytes);
    writeFileSync(join(blobs, digest.slice(7)), bytes);
    return { digest, size: bytes.length };
  };
  writeFileSync(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  const empty = put(Buffer.from("{}"));
  const EMPTY = { mediaType: "application/vnd.oci.empty.v1+json", ...empty };
  const config = put(Buffer.from(JSON.stringify({ created: "2026-01-01T00:00:00Z", architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } })));
  const image = put(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: "application/vnd.oci.image.config.v1+json", ...config }, layers: [] })));
  const referrer = (i: number) =>
    put(
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: OCI_MANIFEST,
          artifactType: "application/spdx+json",
          config: EMPTY,
          layers: [EMPTY],
          subject: { mediaType: OCI_MANIFEST, ...image },
          annotations: { "org.opencontainers.image.created": new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString() },
        }),
      ),
    );
  for (let i = 0; i < count; i++) referrer(i);
  writeFileSync(join(dir, "index.json"), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: OCI_MANIFEST, ...image, annotations: { "org.opencontainers.image.ref.name": "v1" } }] }));

  const app = await startApp({ registries: [{ id: "layouts", kind: "oci-layout", path: root }] }, { CHAINSIGHT_LOG_LEVEL: "warn" });
  const timed = async (path: string) => {
    const t0 = performance.now();
    const res = await app.get(path);
    if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status} ${res.text.slice(0, 200)}`);
    return { ms: Math.round(performance.now() - t0), body: res.body };
  };
  try {
    await app.get("/api/registries/layouts/graph?depth=x"); // load the route
    const graph = "/api/registries/layouts/graph?repository=big/app&reference=v1&checks=subject";
    const probe = await timed("/api/registries");
    if (!probe.body.registries[0].reachable) throw new Error("the layout store shows as not reachable");
    const first = await timed(graph);
    const warm = await timed(graph);
    referrer(count);
    const after = await timed(graph);
    const referrersAfter = after.body.graph.nodes.filter((n: { role: string }) => n.role === "referrer").length;
    if (referrersAfter !== count + 1) throw new Error(`after adding one referrer the graph has ${referrersAfter}, expected ${count + 1}`);
    return { manifests: count + 1, probeMs: probe.ms, firstGraphMs: first.ms, warmGraphMs: warm.ms, afterOneBlobMs: after.ms, referrersAfter };
  } finally {
    await app.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

export function renderLayout(r: LayoutBench): string {
  return [
    `Layout store (oci-layout folder, no network): one image with ${r.manifests - 1} referrers, untagged as \`oras attach --oci-layout\` leaves them. Goals: reachable on the first probe; first graph < 2 s; after one added blob < 200 ms.`,
    "",
    "| measure | value |",
    "|---|---|",
    `| reachability probe (home page) | ${r.probeMs} ms |`,
    `| first graph (every blob looked at once) | ${r.firstGraphMs} ms |`,
    `| the same graph again | ${r.warmGraphMs} ms |`,
    `| graph after one referrer is added to the folder (${r.referrersAfter} referrers) | ${r.afterOneBlobMs} ms |`,
  ].join("\n");
}
