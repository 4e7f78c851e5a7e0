import { DocumentCache, readDocuments, type LayerDocument } from "../documents/read";
import type { Store } from "../oci/store";
import type { Config } from "./config";

/** Attached documents read for the API: parsed once per layer digest, bounded in size. */
export class DocumentService {
  readonly cache: DocumentCache;
  readonly maxBytes: number;
  constructor(config: Config) {
    this.cache = new DocumentCache(config.documents.cacheMiB * 1024 * 1024);
    this.maxBytes = Math.floor(config.documents.maxMiB * 1024 * 1024);
  }
  read(store: Store, repository: string, digest: string): Promise<LayerDocument[]> {
    return readDocuments(store, repository, digest, { maxBytes: this.maxBytes, cache: this.cache });
  }
}

