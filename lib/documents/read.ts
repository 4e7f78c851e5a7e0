import { isEmptyDescriptor } from "../oci/media-types";
import type { Descriptor, Manifest } from "../oci/schemas";
import type { Store } from "../oci/store";
import type { ParsedDocument, Provenance, Sbom, Scan } from "./model";
import { DocumentError, parseDocumentBytes } from "./parse";

/**
 * The documents an artifact carries, read and parsed once per layer digest
 * (content is immutable): one per layer that holds one, skipping the empty
 * config and blobs that are not documents (an image's tar layers).
 */

export interface LayerDocument {
  layer: Descriptor;
  parsed?: ParsedDocument;
  /** Why this layer could not be read as a document. */
  error?: string;
}

export class DocumentTooLargeError extends DocumentError {
  constructor(
    readonly size: number,
    readonly limit: number,
  ) {
    super(`the document is ${size} bytes, more than the ${limit}-byte limit (documents.maxMiB in the configuration)`);
  }
}

/** Parsed documents by layer digest, bounded by an estimate of their size. */
export class DocumentCache {
  private readonly entries = new Map<string, { value: ParsedDocument | DocumentError; size: number }>();
  private total = 0;
  constructor(private readonly maxBytes: number) {}
  get(digest: string): ParsedDocument | DocumentError | undefined {
    const e = this.entries.get(digest);
    if (!e) return undefined;
    this.entries.delete(digest);
    this.entries.set(digest, e);
    return e.value;
  }
  set(digest: string, value: ParsedDocument | DocumentError, size: number): void {
    if (size > this.maxBytes) return;
    this.entries.set(digest, { value, size });
    this.total += size;
    for (const [k, v] of this.entries) {
      if (this.total <= this.maxBytes) break;
      this.entries.delete(k);
      this.total -= v.size;
    }
  }
}

const NOT_DOCUMENTS = /^application\/vnd\.(oci|docker)\.image\.(layer|rootfs)|tar|gzip|zstd|octet-stream$|^application\/wasm/;

/** Layers that may hold a document: not the empty config, not image layers. */
export function documentLayers(m: Manifest): Descriptor[] {
  const blobs = m.kind === "image" || m.kind === "docker-manifest" ? m.layers : m.kind === "oci-artifact" || m.kind === "oras-artifact" ? m.blobs : [];
  return blobs.filter((b) => !isEmptyDescriptor(b) && (!NOT_DOCUMENTS.test(b.mediaType) || b.mediaType === "application/octet-stream"));
}

export async function readDocuments(store: Store, repository: string, digest: string, opts: { maxBytes: number; cache?: DocumentCache }): Promise<LayerDocument[]> {
  const { manifest } = await store.getManifest(repository, digest);
  const layers = documentLayers(manifest);
  return Promise.all(
    layers.map(async (layer): Promise<LayerDocument> => {
      const cached = opts.cache?.get(layer.digest);
      if (cached) return cached instanceof DocumentError ? { layer, error: cached.message } : { layer, parsed: cached };
      if (layer.size > opts.maxBytes) return { layer, error: new DocumentTooLargeError(layer.size, opts.maxBytes).message };
      const blob = await store.getBlob(repository, layer.digest, { maxBytes: opts.maxBytes });
      if (blob.truncated) return { layer, error: new DocumentTooLargeError(blob.size ?? layer.size, opts.maxBytes).message };
      try {
        const parsed = parseDocumentBytes(blob.bytes);
        opts.cache?.set(layer.digest, parsed, blob.bytes.byteLength * 3);
        return { layer, parsed };
      } catch (err) {
        if (!(err instanceof DocumentError)) throw err;
        opts.cache?.set(layer.digest, err, 256);
        return { layer, error: err.message };
      }
    }),
  );
}

export type ViewKind = "sbom" | "scan" | "provenance";
type ViewOf<K extends ViewKind> = K extends "sbom" ? Sbom : K extends "scan" ? Scan : Provenance;

/** The first document of this kind an artifact carries; a CycloneDX SBOM that lists vulnerabilities is a scan too. */
export function firstOfKind<K extends ViewKind>(docs: LayerDocument[], kind: K): { layer: Descriptor; parsed: ParsedDocument; document: ViewOf<K> } | undefined {
  for (const d of docs) {
    const p = d.parsed;
    if (!p) continue;
    if (p.document.kind === kind) return { layer: d.layer, parsed: p, document: p.document as ViewOf<K> };
    if (kind === "scan" && p.scan) return { layer: d.layer, parsed: p, document: p.scan as ViewOf<K> };
  }
  return undefined;
}
