import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LayoutStore } from "./layout-store";

const root = mkdtempSync(join(tmpdir(), "chainsight-layout-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const sha = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;
const EMPTY = { mediaType: "application/vnd.oci.empty.v1+json", digest: sha(Buffer.from("{}")), size: 2 };
const blobs = join(root, "app", "blobs", "sha256");

function put(json: unknown): { digest: string; size: number } {
  const bytes = Buffer.from(JSON.stringify(json));
  const digest = sha(bytes);
  writeFileSync(join(blobs, digest.slice(7)), bytes);
  return { digest, size: bytes.length };
}

function touch(dir: string, seconds: number) {
  utimesSync(dir, seconds, seconds);
}

describe("a layout store's referrers", () => {
  it("reads each blob once: a change reads only what is new, and a removed referrer is gone", async () => {
    mkdirSync(blobs, { recursive: true });
    writeFileSync(join(root, "app", "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
    writeFileSync(join(blobs, EMPTY.digest.slice(7)), "{}");
    const image = put({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: EMPTY, layers: [] });
    const subject = { mediaType: "application/vnd.oci.image.manifest.v1+json", ...image };
    const referrer = (i: number) =>
      put({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", artifactType: "application/vnd.example+type", config: EMPTY, layers: [EMPTY], subject, annotations: { n: String(i) } });
    const first = Array.from({ length: 300 }, (_, i) => referrer(i));
    writeFileSync(join(root, "app", "index.json"), JSON.stringify({ schemaVersion: 2, manifests: [{ ...subject, annotations: { "org.opencontainers.image.ref.name": "v1" } }] }));
    touch(blobs, 1_000);

    const store = new LayoutStore({ root });
    const listed = async () => {
      const r = await store.referrers("app", image.digest);
      return r.supported ? r.descriptors.map((d) => d.digest).sort() : [];
    };
    expect(await listed()).toEqual(first.map((d) => d.digest).sort());
    const blobCount = 300 + 2; // the referrers, the image and the empty blob
    expect(store.stats.referrerScanReads).toBe(blobCount);

    // Unchanged: nothing read.
    await listed();
    expect(store.stats.referrerScanReads).toBe(blobCount);

    // One referrer added: one read.
    const added = referrer(300);
    touch(blobs, 2_000);
    expect(await listed()).toContain(added.digest);
    expect(store.stats.referrerScanReads).toBe(blobCount + 1);

    // One removed: gone, nothing read.
    unlinkSync(join(blobs, first[0].digest.slice(7)));
    touch(blobs, 3_000);
    const after = await listed();
    expect(after).not.toContain(first[0].digest);
    expect(after).toHaveLength(300);
    expect(store.stats.referrerScanReads).toBe(blobCount + 1);
  });
});
