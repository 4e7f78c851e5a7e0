import type { Descriptor, Manifest } from "./schemas";

/**
 * What every store of OCI content offers: a registry over HTTP, and (later)
 * an OCI image layout on disk. The supply-chain code depends on this only.
 */

export interface Page<T> {
  items: T[];
  /** Opaque cursor for the next page; absent on the last page. */
  next?: string;
}

export interface FetchedManifest {
  /** mediaType, digest and size of the bytes as fetched. */
  descriptor: Descriptor;
  bytes: Uint8Array;
  manifest: Manifest;
}

export interface FetchedBlob {
  digest: string;
  bytes: Uint8Array;
  /** True when the blob is larger than the cap and only its start is returned (the whole was checked against the digest). */
  truncated: boolean;
  /** Full size when known. */
  size?: number;
  mediaType?: string;
}

export type ReferrersApiResult =
  | { supported: false; /** Why the answer was not taken as the referrers API, when the registry answered something. */ warnings?: string[] }
  | {
      supported: true;
      descriptors: Descriptor[];
      /** Filters the registry says it applied (OCI-Filters-Applied); others must be applied by the caller. */
      filtersApplied: string[];
      /** The listing is incomplete, and why (a next page on another host). */
      warnings?: string[];
    };

export type OrasDraftResult = { supported: false } | { supported: true; descriptors: Descriptor[] };

export type Capability = "supported" | "unsupported" | "unknown";

export interface Store {
  /** Display name of the store (registry host, or layout root). */
  readonly name: string;
  /**
   * A page of the catalog: from the start, from a cursor this store returned,
   * or (`last`) from the first name after the one given, as Distribution,
   * Harbor and zot read `?last=`. A registry may ignore `last`; the caller checks.
   */
  catalogPage(opts?: { n?: number; cursor?: string; last?: string }): Promise<Page<string>>;
  tagsPage(repository: string, opts?: { n?: number; cursor?: string }): Promise<Page<string>>;
  /** Every tag of a repository, following pagination to the end. */
  /** Every tag. `fresh`: read now, not from a cache a wrapping store keeps (the index's poll). */
  listTags(repository: string, opts?: { fresh?: boolean }): Promise<string[]>;
  getManifest(repository: string, reference: string): Promise<FetchedManifest>;
  headManifest(repository: string, reference: string): Promise<Descriptor>;
  getBlob(repository: string, digest: string, opts?: { maxBytes?: number }): Promise<FetchedBlob>;
  /** Whether the repository holds the blob, without reading it. */
  hasBlob(repository: string, digest: string): Promise<boolean>;
  deleteManifest(repository: string, digest: string): Promise<void>;
  /** Write a manifest under a tag or its digest (used to rewrite referrers-tag indexes). Returns its digest. */
  putManifest(repository: string, reference: string, bytes: Uint8Array, mediaType: string): Promise<string>;
  /** The referrers API (distribution-spec 1.1); `supported: false` when the store has none. */
  referrers(repository: string, digest: string, opts?: { artifactType?: string }): Promise<ReferrersApiResult>;
  /** The ORAS artifacts draft endpoint (`/_oras/artifacts/referrers`). */
  orasDraftReferrers(repository: string, digest: string, opts?: { artifactType?: string }): Promise<OrasDraftResult>;
  /** What the store remembers about the referrers API for a repository. */
  referrersCapability(repository: string): Capability;
}
