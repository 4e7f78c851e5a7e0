/**
 * Bench: an OCI layout store of 5,000 manifests: 1,250 tagged images, each
 * with a signature, an SBOM and a scan attached the way `oras attach
 * --oci-layout` leaves them (untagged, found by their subject). Measures the
 * home page's reachability probe, the first graph of one image (every blob of
 * the layout looked at once, to find what refers to it), the same graph
 * again, and the graph after one more referrer is written into the folder
 * (only the new blob is read).
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

const TYPES = ["application/vnd.cncf.notary.signature", "application/spdx+json", "application/sarif+json"];

export async function measureLayoutStore(images = 1250): Promise<LayoutBench> {
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
  const tagged: { mediaType: string; digest: string; size: number; annotations: Record<string, string> }[] = [];
  let firstImage: { digest: string; size: number } | undefined;
  const referrer = (subject: { digest: string; size: number }, artifactType: string, i: number) =>
    put(
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: OCI_MANIFEST,
          artifactType,
          config: EMPTY,
          layers: [EMPTY],
          subject: { mediaType: OCI_MANIFEST, ...subject },
          annotations: { "org.opencontainers.image.created": new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString() },
        }),
      ),
    );
  for (let i = 0; i < images; i++) {
    const config = put(Buffer.from(JSON.stringify({ created: new Date(Date.UTC(2025, 0, 1) + i * 3_600_000).toISOString(), architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } })));
    const image = put(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: "application/vnd.oci.image.config.v1+json", ...config }, layers: [] })));
    firstImage ??= image;
    tagged.push({ mediaType: OCI_MANIFEST, ...image, annotations: { "org.opencontainers.image.ref.name": `1.${i}` } });
    TYPES.forEach((t, k) => referrer(image, t, i * 3 + k));
  }
  writeFileSync(join(dir, "index.json"), JSON.stringify({ schemaVersion: 2, manifests: tagged }));
  const count = images * 4;

  // Referrers lists are not cached above the store: the layout store itself notices a change (folder times), which is
  // what is measured here.
  const app = await startApp({ registries: [{ id: "layouts", kind: "oci-layout", path: root }], cache: { referrersTtlSeconds: 0, tagTtlSeconds: 0 } }, { CHAINSIGHT_LOG_LEVEL: "warn" });
  const timed = async (path: string) => {
    const t0 = performance.now();
    const res = await app.get(path);
    if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status} ${res.text.slice(0, 200)}`);
    return { ms: Math.round(performance.now() - t0), body: res.body };
  };
  try {
    await app.get("/api/registries/layouts/graph?depth=x"); // load the route
    const graph = "/api/registries/layouts/graph?repository=big/app&reference=1.0&checks=subject";
    const probe = await timed("/api/registries");
    if (!probe.body.registries[0].reachable) throw new Error("the layout store shows as not reachable");
    const first = await timed(graph);
    const warm = await timed(graph);
    referrer(firstImage!, "application/vnd.cyclonedx+json", count);
    const after = await timed(graph);
    const referrersAfter = after.body.graph.nodes.filter((n: { role: string }) => n.role === "referrer").length;
    if (referrersAfter !== TYPES.length + 1) throw new Error(`after adding one referrer the graph has ${referrersAfter} referrers, expected ${TYPES.length + 1}`);
    return { manifests: count + 1, probeMs: probe.ms, firstGraphMs: first.ms, warmGraphMs: warm.ms, afterOneBlobMs: after.ms, referrersAfter };
  } finally {
    await app.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

export function renderLayout(r: LayoutBench): string {
  return [
    `Layout store (oci-layout folder, no network): ${r.manifests - 1} manifests, 1,250 tagged images each with a signature, an SBOM and a scan, untagged as \`oras attach --oci-layout\` leaves them; the graph of one image. Goals: reachable on the first probe; first graph < 2 s; after one added blob < 200 ms.`,
    "",
    "| measure | value |",
    "|---|---|",
    `| reachability probe (home page) | ${r.probeMs} ms |`,
    `| first graph (every blob of the layout looked at once) | ${r.firstGraphMs} ms |`,
    `| the same graph again | ${r.warmGraphMs} ms |`,
    `| graph after one referrer is added to the folder (the image now has ${r.referrersAfter}) | ${r.afterOneBlobMs} ms |`,
  ].join("\n");
}
