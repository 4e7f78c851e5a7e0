/**
 * Test and benchmark support: an image with `count` referrers (scans, SBOMs,
 * signatures with spread-out created dates), each signed once more, pushed
 * quickly: referrers by digest, and the referrers tag indexes written once
 * each instead of grown one entry at a time.
 */
import { pushImage } from "./artifacts";
import { pushBlob, pushManifest, sha256, type LayoutManifest, type PushTarget } from "./layout";

const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
const EMPTY = { mediaType: "application/vnd.oci.empty.v1+json", digest: sha256(Buffer.from("{}")), size: 2 };
const TYPES = ["application/sarif+json", "application/spdx+json", "application/vnd.cncf.notary.signature", "application/vnd.in-toto+json"];

async function pool<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => { while (next < items.length) await fn(items[next++]); }));
}

function artifact(subject: { digest: string; size: number }, artifactType: string, created: string) {
  const json = { schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType, config: EMPTY, layers: [EMPTY], subject: { mediaType: OCI_MANIFEST, digest: subject.digest, size: subject.size }, annotations: { "org.opencontainers.image.created": created } };
  const bytes = Buffer.from(JSON.stringify(json));
  return { json, bytes, digest: sha256(bytes) };
}

export async function pushLargeChain(target: PushTarget, repository: string, count: number): Promise<LayoutManifest> {
  const image = await pushImage(target, repository, "v1", { created: "2026-01-01T00:00:00Z" });
  await pushBlob(target, repository, EMPTY.digest, Buffer.from("{}"));
  const level1: { mediaType: string; digest: string; size: number; artifactType: string; annotations: Record<string, string> }[] = new Array(count);
  await pool(
    Array.from({ length: count }, (_, i) => i),
    16,
    async (i) => {
      const created = new Date(Date.UTC(2026, 0, 2) + i * 3600_000).toISOString();
      const type = TYPES[i % TYPES.length];
      const a = artifact({ digest: image.digest, size: image.bytes.byteLength }, type, created);
      await pushManifest(target, repository, a.digest, a.bytes, OCI_MANIFEST);
      level1[i] = { mediaType: OCI_MANIFEST, digest: a.digest, size: a.bytes.byteLength, artifactType: type, annotations: a.json.annotations };
      const sig = artifact({ digest: a.digest, size: a.bytes.byteLength }, "application/vnd.cncf.notary.signature", created);
      await pushManifest(target, repository, sig.digest, sig.bytes, OCI_MANIFEST);
      const index = { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ mediaType: OCI_MANIFEST, digest: sig.digest, size: sig.bytes.byteLength, artifactType: "application/vnd.cncf.notary.signature", annotations: sig.json.annotations }] };
      await pushManifest(target, repository, a.digest.replace(":", "-"), Buffer.from(JSON.stringify(index)), OCI_INDEX);
    },
  );
  const index = { schemaVersion: 2, mediaType: OCI_INDEX, manifests: level1 };
  await pushManifest(target, repository, image.digest.replace(":", "-"), Buffer.from(JSON.stringify(index)), OCI_INDEX);
  return image;
}
