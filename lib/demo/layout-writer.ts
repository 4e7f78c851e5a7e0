import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { computeDigest } from "../oci/digest";
import { Annotation, MediaType } from "../oci/media-types";
import type { Descriptor } from "../oci/schemas";

/**
 * Writes one OCI image layout (image-spec v1.1 "image-layout"): `oci-layout`,
 * `blobs/sha256/<hex>` and `index.json`, with tags as
 * `org.opencontainers.image.ref.name` annotations on index entries.
 */
export class LayoutWriter {
  private readonly entries: Descriptor[] = [];

  constructor(readonly dir: string) {
    mkdirSync(join(dir, "blobs", "sha256"), { recursive: true });
    writeFileSync(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  }

  blob(content: Uint8Array | string, mediaType: string): Descriptor {
    const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content;
    const digest = computeDigest(bytes);
    writeFileSync(join(this.dir, "blobs", "sha256", digest.slice("sha256:".length)), bytes);
    return { mediaType, digest, size: bytes.byteLength };
  }

  json(value: unknown, mediaType: string): Descriptor {
    return this.blob(JSON.stringify(value), mediaType);
  }

  /** The empty JSON object `{}`, config of artifacts without one. */
  empty(): Descriptor {
    return this.blob("{}", MediaType.OciEmpty);
  }

  /** Write a manifest and list it in index.json, tagged or not. */
  manifest(value: Record<string, unknown>, tag?: string): Descriptor {
    const d = this.json(value, String(value.mediaType));
    this.entries.push({ ...d, ...(tag ? { annotations: { [Annotation.RefName]: tag } } : {}) });
    return d;
  }

  save(): void {
    writeFileSync(join(this.dir, "index.json"), JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: this.entries }, null, 2));
  }
}
