/**
 * Bench: promote an image of 200 MB (one layer) with 50 referrers (25 artifacts, each signed) from one
 * Distribution to another, both behind the 20 ms proxy, through the server's API (`POST .../promote`): wall time,
 * bytes moved, upstream requests against the least a copier needs, and the server's peak memory before and after
 * (the layer is streamed in 8 MiB chunks, so the peak should not grow by anything near 200 MB).
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { startApp } from "../support/app-server";
import { startDistribution } from "../support/distribution";
import { startLatencyProxy } from "../support/latency-proxy";

import { StorageWriter } from "./storage-writer";

const LAYER_MB = 200;
const ARTIFACTS = 25;
const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";

export interface PromotionResult {
  layerBytes: number;
  referrers: number;
  ms: number;
  bytesMoved: number;
  requests: number;
  minimumRequests: number;
  complete: boolean;
  peakBeforeMiB: number;
  peakAfterMiB: number;
  /** The same image with its supply chain downloaded as an OCI layout tar through the API. */
  archiveMs: number;
  archiveBytes: number;
  /** Reference: the layer alone, one GET straight from the (proxied) registry. */
  layerGetMs: number;
  peakAfterArchiveMiB: number;
}

async function drain(res: Response): Promise<number> {
  let n = 0;
  for await (const c of res.body as unknown as AsyncIterable<Uint8Array>) n += c.byteLength;
  return n;
}

function peakMiB(pid: number): number {
  return Math.round(Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024);
}

export async function measurePromotion(delayMs: number, log: (s: string) => void): Promise<PromotionResult> {
  const [src, dst] = await Promise.all([startDistribution(), startDistribution()]);
  try {
    const w = new StorageWriter(src.rootDirectory);
    const repo = "bench/promote";
    const layer = randomBytes(LAYER_MB * 1024 * 1024);
    const layerDigest = await w.blob(layer);
    const config = Buffer.from(JSON.stringify({ created: "2026-01-01T00:00:00Z", architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [layerDigest] } }));
    const configDigest = await w.blob(config);
    const empty = Buffer.from("{}");
    const emptyDigest = await w.blob(empty);
    await w.linkBlobs(repo, [layerDigest, configDigest, emptyDigest]);
    const imageBytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: configDigest, size: config.length }, layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar", digest: layerDigest, size: layer.length }] }));
    const image = { mediaType: OCI_MANIFEST, digest: await w.manifest(repo, imageBytes, "v1"), size: imageBytes.length };
    const EMPTY = { mediaType: "application/vnd.oci.empty.v1+json", digest: emptyDigest, size: 2 };
    const entries: Record<string, unknown>[] = [];
    for (let i = 0; i < ARTIFACTS; i++) {
      const artifactType = ["application/spdx+json", "application/sarif+json", "application/vnd.in-toto+json"][i % 3];
      const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType, config: EMPTY, layers: [EMPTY], subject: image, annotations: { "org.opencontainers.image.created": new Date(Date.UTC(2026, 0, 2) + i * 3600_000).toISOString() } }));
      const digest = await w.manifest(repo, bytes);
      entries.push({ mediaType: OCI_MANIFEST, digest, size: bytes.length, artifactType });
      const sig = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType: "application/vnd.cncf.notary.signature", config: EMPTY, layers: [EMPTY], subject: { mediaType: OCI_MANIFEST, digest, size: bytes.length } }));
      const sigDigest = await w.manifest(repo, sig);
      await w.manifest(repo, Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ mediaType: OCI_MANIFEST, digest: sigDigest, size: sig.length, artifactType: "application/vnd.cncf.notary.signature" }] })), digest.replace(":", "-"));
    }
    await w.manifest(repo, Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: entries })), image.digest.replace(":", "-"));

    const hostPort = (h: string) => ({ host: h.split(":")[0], port: Number(h.split(":")[1]) });
    const [ps, pd] = await Promise.all([startLatencyProxy(hostPort(src.host), delayMs), startLatencyProxy(hostPort(dst.host), delayMs)]);
    const app = await startApp({ registries: [{ id: "build", url: `http://${ps.host}`, plainHttp: true }, { id: "prod", url: `http://${pd.host}`, plainHttp: true }] }, { CHAINSIGHT_LOG_LEVEL: "info" });
    try {
      await app.get("/api/registries/build/repositories?n=1");
      const before = peakMiB(app.pid);
      const from = app.logs.length;
      const t0 = performance.now();
      const res = await fetch(`${app.url}/api/registries/build/promote`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ repository: repo, reference: "v1", targetRegistry: "prod", targetRepository: repo, targetTag: "v1" }) });
      const body = (await res.json()) as { bytesMoved: number; complete: boolean; error?: { message: string } };
      const ms = Math.round(performance.now() - t0);
      if (res.status !== 200) throw new Error(`promote: HTTP ${res.status} ${body.error?.message}`);
      let call: Record<string, unknown> | undefined;
      for (let i = 0; i < 50 && !call; i++) {
        call = app.logs.slice(from).find((l) => l.event === "api_call" && l.route === "promote");
        if (!call) await new Promise((r) => setTimeout(r, 20));
      }
      const requests = app.logs.slice(from).filter((l) => l.event === "upstream_request").length;
      const after = peakMiB(app.pid);
      // The least a copier that knows the target is empty sends: the source's tag list, the image, its referrers
      // index and 50 referrer manifests (25 of them with their own referrers index); 3 blobs read, each written
      // with a POST and a PUT; 51 manifests and the image written, one tag, 26 referrers indexes written.
      const manifests = 1 + ARTIFACTS * 2;
      const minimumRequests = 1 + 1 + 1 + ARTIFACTS * 2 + ARTIFACTS + 3 + 3 * 2 + manifests + 1 + (ARTIFACTS + 1);
      const a0 = performance.now();
      const archiveBytes = await drain(await fetch(`${app.url}/api/registries/build/archive?repository=${repo}&reference=v1`));
      const archiveMs = Math.round(performance.now() - a0);
      const g0 = performance.now();
      await drain(await fetch(`http://${ps.host}/v2/${repo}/blobs/${layerDigest}`));
      const layerGetMs = Math.round(performance.now() - g0);
      const peakAfterArchiveMiB = peakMiB(app.pid);
      log(`archive download: ${archiveBytes} bytes in ${archiveMs} ms (the layer alone by one GET: ${layerGetMs} ms); peak memory ${peakAfterArchiveMiB} MiB`);
      log(`promotion of ${LAYER_MB} MB with ${ARTIFACTS * 2} referrers: ${ms} ms, ${body.bytesMoved} bytes moved, ${requests} upstream requests (minimum ${minimumRequests}), complete ${body.complete}; peak memory ${before} → ${after} MiB`);
      return { layerBytes: layer.length, referrers: ARTIFACTS * 2, ms, bytesMoved: body.bytesMoved, requests, minimumRequests, complete: body.complete, peakBeforeMiB: before, peakAfterMiB: after, archiveMs, archiveBytes, layerGetMs, peakAfterArchiveMiB };
    } finally {
      await app.stop();
      await ps.stop();
      await pd.stop();
    }
  } finally {
    await src.stop();
    await dst.stop();
  }
}

export function renderPromotion(r: PromotionResult, delayMs: number): string {
  return `Promotion (\`POST /api/registries/build/promote\`) of an image with one ${Math.round(r.layerBytes / 1024 / 1024)} MB layer and ${r.referrers} referrers between two Distribution registries, each behind the proxy (${delayMs} ms each way): ${(r.ms / 1000).toFixed(1)} s, ${r.bytesMoved} bytes of blobs moved (the layer, config and empty blob), ${r.requests} upstream requests against a minimum of ${r.minimumRequests} (the plan's existence checks at the target, the layer's PATCH chunks of 8 MiB, the proof discovery at the target and the signatures verified again at both ends are the difference), complete: ${r.complete}. The server's peak resident memory went from ${r.peakBeforeMiB} MiB to ${r.peakAfterMiB} MiB while the layer streamed through it.

The same image with its supply chain downloaded as an OCI layout tar (\`GET /api/registries/build/archive\`): ${r.archiveBytes} bytes in ${(r.archiveMs / 1000).toFixed(1)} s, against ${(r.layerGetMs / 1000).toFixed(1)} s for the layer alone in one GET from the registry through the same proxy (ratio ${(r.archiveMs / r.layerGetMs).toFixed(2)}x; the difference is the plan: discovering the supply chain and reading its 51 manifests); peak memory after it ${r.peakAfterArchiveMiB} MiB.`;
}
