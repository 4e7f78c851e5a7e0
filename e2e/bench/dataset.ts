/**
 * The benchmark's data set, in the registry (no proxy):
 * - 20,000 repositories under 40 namespaces (`team-00/service-000` ...), one image each,
 *   and `bench/many-tags` with 20,000 tags, each a distinct image, every 10th signed:
 *   both written straight into the registry's storage (pushing them takes minutes;
 *   e2e/integration/bench-storage.test.ts checks that this equals pushing);
 * - `bench/supply-chain:v1` with 200 referrers two levels deep: 100 on the image
 *   (40 SARIF scans, 30 SPDX SBOMs, 30 Notary signatures), each signed once more.
 * The registry has no referrers API, so referrers are listed by referrers tags.
 */
import { sha256 } from "../support/layout";
import { StorageWriter } from "./storage-writer";

const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
const EMPTY = { mediaType: "application/vnd.oci.empty.v1+json", digest: sha256(Buffer.from("{}")), size: 2 };

interface Desc {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

export const NAMESPACES = 40;
export const REPOS_PER_NAMESPACE = 500;
export const MANY_TAGS = 20_000;
export const LEVEL1 = 100;

export function repositoryName(i: number): string {
  return `team-${String(Math.floor(i / REPOS_PER_NAMESPACE)).padStart(2, "0")}/service-${String(i % REPOS_PER_NAMESPACE).padStart(3, "0")}`;
}

export function tagName(i: number): string {
  return `1.${Math.floor(i / 100)}.${i % 100}`;
}

class Pusher {
  constructor(private readonly url: string) {}

  private async req(method: string, path: string, body?: Buffer, headers: Record<string, string> = {}): Promise<Response> {
    const res = await fetch(path.startsWith("http") ? path : this.url + path, { method, body: body as BodyInit | undefined, headers });
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${await res.text()}`);
    return res;
  }

  async blob(repo: string, bytes: Buffer, mountFrom?: string): Promise<string> {
    const digest = sha256(bytes);
    if (mountFrom) {
      const res = await fetch(`${this.url}/v2/${repo}/blobs/uploads/?mount=${digest}&from=${mountFrom}`, { method: "POST" });
      await res.body?.cancel();
      if (res.status === 201) return digest;
    }
    const start = await this.req("POST", `/v2/${repo}/blobs/uploads/`);
    await start.body?.cancel();
    const location = new URL(start.headers.get("location")!, this.url);
    location.searchParams.set("digest", digest);
    const put = await this.req("PUT", location.toString(), bytes, { "content-type": "application/octet-stream" });
    await put.body?.cancel();
    return digest;
  }

  /** Push untagged (by digest). */
  untagged(repo: string, json: unknown): Promise<Desc> {
    return this.manifest(repo, sha256(Buffer.from(JSON.stringify(json))), json);
  }

  async manifest(repo: string, reference: string, json: unknown, mediaType = OCI_MANIFEST): Promise<Desc> {
    const bytes = Buffer.from(JSON.stringify(json));
    const res = await this.req("PUT", `/v2/${repo}/manifests/${reference}`, bytes, { "content-type": mediaType });
    await res.body?.cancel();
    return { mediaType, digest: sha256(bytes), size: bytes.byteLength };
  }
}

async function pool<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

function config(created: string, arch = "amd64"): Buffer {
  return Buffer.from(JSON.stringify({ created, architecture: arch, os: "linux", rootfs: { type: "layers", diff_ids: [] } }));
}

export async function loadDataset(url: string, rootDirectory: string, log: (s: string) => void): Promise<{ supplyChainRoot: string; firstTagDigests: string[] }> {
  const p = new Pusher(url);
  const w = new StorageWriter(rootDirectory);
  const layer = Buffer.from("chainsight benchmark layer");
  const sharedConfig = config("2026-01-01T00:00:00Z");
  const cfg0 = await w.blob(sharedConfig);
  const layer0 = await w.blob(layer);
  const image = { schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: cfg0, size: sharedConfig.length }, layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar", digest: layer0, size: layer.length }] };
  const imageBytes = Buffer.from(JSON.stringify(image));
  let done = 0;
  await pool(
    Array.from({ length: NAMESPACES * REPOS_PER_NAMESPACE }, (_, i) => i),
    32,
    async (i) => {
      const repo = repositoryName(i);
      await w.linkBlobs(repo, [cfg0, layer0]);
      await w.manifest(repo, imageBytes, "1.0");
      if (++done % 5000 === 0) log(`  ${done} repositories`);
    },
  );

  // 20,000 tags, each a distinct image; every 10th signed (referrers tag).
  const many = "bench/many-tags";
  const empty = await w.blob(Buffer.from("{}"));
  const firstTagDigests: string[] = [];
  await w.linkBlobs(many, [layer0, empty]);
  done = 0;
  await pool(
    Array.from({ length: MANY_TAGS }, (_, i) => i),
    32,
    async (i) => {
      const created = new Date(Date.UTC(2025, 0, 1) + i * 3600_000).toISOString();
      const cfg = config(created);
      const cfgDigest = await w.blob(cfg);
      await w.linkBlobs(many, [cfgDigest]);
      const bytes = Buffer.from(JSON.stringify({ ...image, config: { ...image.config, digest: cfgDigest, size: cfg.length } }));
      const img: Desc = { mediaType: OCI_MANIFEST, digest: await w.manifest(many, bytes, tagName(i)), size: bytes.length };
      if (i < 200) firstTagDigests[i] = img.digest; // the first two pages by name: 1.0.0 … 1.0.99, 1.1.0 … 1.1.99
      if (i % 10 === 0) {
        const sigBytes = Buffer.from(JSON.stringify(signature(img, created)));
        const sig: Desc = { mediaType: OCI_MANIFEST, digest: await w.manifest(many, sigBytes), size: sigBytes.length };
        const index = { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ ...sig, artifactType: "application/vnd.cncf.notary.signature", annotations: { "org.opencontainers.image.created": created } }] };
        await w.manifest(many, Buffer.from(JSON.stringify(index)), img.digest.replace(":", "-"));
      }
      if (++done % 5000 === 0) log(`  ${done} tags`);
    },
  );

  // One image with 200 referrers two levels deep.
  const sc = "bench/supply-chain";
  await p.blob(sc, sharedConfig);
  await p.blob(sc, layer);
  await p.blob(sc, Buffer.from("{}"));
  const root = await p.manifest(sc, "v1", image);
  const kinds = [
    ...Array.from({ length: 40 }, () => "application/sarif+json"),
    ...Array.from({ length: 30 }, () => "application/spdx+json"),
    ...Array.from({ length: 30 }, () => "application/vnd.cncf.notary.signature"),
  ];
  const level1: Desc[] = new Array(LEVEL1);
  await pool(
    kinds.map((t, i) => ({ t, i })),
    16,
    async ({ t, i }) => {
      const created = new Date(Date.UTC(2026, 0, 1) + i * 3600_000).toISOString();
      const m = { schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType: t, config: EMPTY, layers: [EMPTY], subject: root, annotations: { "org.opencontainers.image.created": created } };
      const d = await p.untagged(sc, m);
      level1[i] = { ...d, artifactType: t, annotations: m.annotations };
      const sig = await p.untagged(sc, signature(d, created));
      await p.manifest(sc, d.digest.replace(":", "-"), { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ ...sig, artifactType: "application/vnd.cncf.notary.signature" }] }, OCI_INDEX);
    },
  );
  await p.manifest(sc, root.digest.replace(":", "-"), { schemaVersion: 2, mediaType: OCI_INDEX, manifests: level1 }, OCI_INDEX);
  return { supplyChainRoot: root.digest, firstTagDigests };
}

function signature(subject: Desc, created: string) {
  return {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: "application/vnd.cncf.notary.signature",
    config: EMPTY,
    layers: [EMPTY],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    annotations: { "org.opencontainers.image.created": created },
  };
}
