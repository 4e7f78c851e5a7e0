import { isDigest } from "../oci/digest";
import type { Descriptor } from "../oci/schemas";
import type { Capability, FetchedBlob, FetchedManifest, OrasDraftResult, Page, ReferrersApiResult, Store } from "../oci/store";
import { InFlight, LruCache, Semaphore } from "./cache";

/**
 * A Store in front of another Store that remembers what it may:
 * manifests and small blobs by digest (immutable, bounded LRU), tag → digest,
 * tag lists, catalogs and referrers lists for a short time. Identical calls in
 * flight share one upstream call, and at most `concurrency` upstream calls
 * run at once for the store.
 */

export type CacheResult = "hit" | "miss" | "shared";

export interface CachedStoreOptions {
  manifestCacheBytes: number;
  blobCacheBytes: number;
  /** Blobs larger than this are not cached. */
  maxCachedBlobBytes: number;
  tagTtlMs: number;
  referrersTtlMs: number;
  catalogTtlMs: number;
  concurrency: number;
  onCache?: (cache: string, result: CacheResult) => void;
  now?: () => number;
}

export class CachedStore implements Store {
  readonly name: string;
  private readonly manifests: LruCache<string, FetchedManifest>;
  private readonly blobs: LruCache<string, FetchedBlob>;
  private readonly tagDigests: LruCache<string, string>;
  private readonly lists: LruCache<string, unknown>;
  private readonly inflight = new InFlight();
  private readonly limit: Semaphore;

  constructor(
    private readonly inner: Store,
    private readonly options: CachedStoreOptions,
  ) {
    this.name = inner.name;
    const now = options.now;
    this.manifests = new LruCache({ maxEntries: 100_000, maxBytes: options.manifestCacheBytes, now });
    this.blobs = new LruCache({ maxEntries: 100_000, maxBytes: options.blobCacheBytes, now });
    this.tagDigests = new LruCache({ maxEntries: 200_000, ttlMs: options.tagTtlMs, now });
    this.lists = new LruCache({ maxEntries: 10_000, maxBytes: 64 * 1024 * 1024, now });
    this.limit = new Semaphore(options.concurrency);
  }

  /** Upstream calls, at most `concurrency` at once. */
  private upstream<T>(fn: () => Promise<T>): Promise<T> {
    return this.limit.run(fn);
  }

  private record(cache: string, result: CacheResult): void {
    this.options.onCache?.(cache, result);
  }

  /** Look up, else fetch once (sharing a fetch in flight), then store. */
  private async through<T>(
    cache: string,
    key: string,
    lookup: () => T | undefined,
    fetch: () => Promise<T>,
    store: (value: T) => void,
  ): Promise<T> {
    const hit = lookup();
    if (hit !== undefined) {
      this.record(cache, "hit");
      return hit;
    }
    const { promise, shared } = this.inflight.run(`${cache} ${key}`, async () => {
      const value = await this.upstream(fetch);
      store(value);
      return value;
    });
    this.record(cache, shared ? "shared" : "miss");
    return promise;
  }

  private list<T>(cache: string, key: string, ttlMs: number, fetch: () => Promise<T>, size: (v: T) => number): Promise<T> {
    const k = `${cache} ${key}`;
    return this.through(
      cache,
      k,
      () => this.lists.get(k) as T | undefined,
      fetch,
      (v) => this.lists.set(k, v, { ttlMs, size: size(v) }),
    );
  }

  catalogPage(opts: { n?: number; cursor?: string; last?: string } = {}): Promise<Page<string>> {
    return this.list("catalog", `${opts.n ?? ""} ${opts.cursor ?? ""} ${opts.last ?? ""}`, this.options.catalogTtlMs, () => this.inner.catalogPage(opts), pageSize);
  }

  tagsPage(repository: string, opts: { n?: number; cursor?: string } = {}): Promise<Page<string>> {
    return this.list("tags", `${repository} page ${opts.n ?? ""} ${opts.cursor ?? ""}`, this.options.tagTtlMs, () => this.inner.tagsPage(repository, opts), pageSize);
  }

  listTags(repository: string, opts: { fresh?: boolean } = {}): Promise<string[]> {
    const size = (v: string[]) => v.reduce((n, t) => n + t.length + 8, 0);
    if (opts.fresh) return this.freshTags(repository, size);
    return this.list("tags", `${repository} all`, this.options.tagTtlMs, () => this.inner.listTags(repository), size);
  }

  /**
   * The tag list read now (the index's poll): it replaces the cached one, and when it differs from it, everything
   * cached about the repository is forgotten (a tag may point elsewhere now, a referrers tag may have come).
   */
  private async freshTags(repository: string, size: (v: string[]) => number): Promise<string[]> {
    const key = `tags ${repository} all`;
    const { promise } = this.inflight.run(`${key} fresh`, async () => {
      const tags = await this.upstream(() => this.inner.listTags(repository));
      const before = this.lists.get(key) as string[] | undefined;
      if (before && (before.length !== tags.length || before.some((t, i) => t !== tags[i]))) this.forget(repository);
      this.lists.set(key, tags, { ttlMs: this.options.tagTtlMs, size: size(tags) });
      return tags;
    });
    this.record("tags", "miss");
    return promise;
  }

  private cachedManifest(repository: string, digest: string | undefined): FetchedManifest | undefined {
    return digest ? this.manifests.get(`${repository}@${digest}`) : undefined;
  }

  private remember(repository: string, reference: string, fetched: FetchedManifest): void {
    this.manifests.set(`${repository}@${fetched.descriptor.digest}`, fetched, { size: fetched.bytes.byteLength * 2 + 512 });
    if (!isDigest(reference)) this.tagDigests.set(`${repository}:${reference}`, fetched.descriptor.digest);
  }

  getManifest(repository: string, reference: string): Promise<FetchedManifest> {
    const digest = isDigest(reference) ? reference : this.tagDigests.get(`${repository}:${reference}`);
    return this.through(
      "manifest",
      `${repository}${isDigest(reference) ? "@" : ":"}${reference}`,
      () => this.cachedManifest(repository, digest),
      () => this.inner.getManifest(repository, reference),
      (v) => this.remember(repository, reference, v),
    );
  }

  /**
   * By tag: the tag's digest for a short time. By digest, this answers "does it still exist?", which the
   * manifest cache (immutable content) cannot: a deleted manifest stays cached. So it is remembered only
   * briefly (referrersTtlMs), like a referrers list.
   */
  headManifest(repository: string, reference: string): Promise<Descriptor> {
    if (isDigest(reference)) {
      const key = `exists ${repository}@${reference}`;
      // Not yet cached: a GET costs the same round trip as a HEAD and brings the manifest, which the caller
      // usually reads next (a referrer's verification, its own referrers); the manifest is immutable.
      const cached = this.cachedManifest(repository, reference);
      return this.through(
        "manifest",
        `HEAD ${repository} ${reference}`,
        () => this.lists.get(key) as Descriptor | undefined,
        () =>
          cached
            ? this.inner.headManifest(repository, reference)
            : this.inner.getManifest(repository, reference).then((fetched) => {
                this.remember(repository, reference, fetched);
                return fetched.descriptor;
              }),
        (d) => this.lists.set(key, d, { ttlMs: this.options.referrersTtlMs, size: 256 }),
      );
    }
    const digest = this.tagDigests.get(`${repository}:${reference}`);
    return this.through(
      "manifest",
      `HEAD ${repository} ${reference}`,
      () => this.cachedManifest(repository, digest)?.descriptor,
      () => this.inner.headManifest(repository, reference),
      (d) => this.tagDigests.set(`${repository}:${reference}`, d.digest),
    );
  }

  getBlob(repository: string, digest: string, opts: { maxBytes?: number } = {}): Promise<FetchedBlob> {
    const key = `${repository}@${digest}`;
    const max = opts.maxBytes;
    return this.through(
      "blob",
      `${key} ${max ?? ""}`,
      () => {
        const blob = this.blobs.get(key);
        if (!blob) return undefined;
        if (max === undefined || blob.bytes.byteLength <= max) return blob;
        return { ...blob, bytes: blob.bytes.subarray(0, max), truncated: true };
      },
      () => this.inner.getBlob(repository, digest, opts),
      (blob) => {
        if (!blob.truncated && blob.bytes.byteLength <= this.options.maxCachedBlobBytes) {
          this.blobs.set(key, blob, { size: blob.bytes.byteLength + 256 });
        }
      },
    );
  }

  /** Not cached: a blob may be deleted or pushed at any moment, and the answer decides what a copy moves. */
  hasBlob(repository: string, digest: string): Promise<boolean> {
    return this.upstream(() => this.inner.hasBlob(repository, digest));
  }

  async deleteManifest(repository: string, digest: string): Promise<void> {
    await this.upstream(() => this.inner.deleteManifest(repository, digest));
    this.forget(repository);
    this.manifests.delete(`${repository}@${digest}`);
  }

  async putManifest(repository: string, reference: string, bytes: Uint8Array, mediaType: string): Promise<string> {
    const digest = await this.upstream(() => this.inner.putManifest(repository, reference, bytes, mediaType));
    this.forget(repository);
    return digest;
  }

  /**
   * Counts the times something mutable was forgotten (a refresh, a deletion, a write): an answer built from this
   * store's lists and cached under the generation it was built at is not served after one.
   */
  get generation(): number {
    return this.forgotten;
  }
  private forgotten = 0;

  /** Drop everything mutable (tags, referrers, catalog) for every repository; digests stay. */
  forgetAll(): void {
    this.forgotten++;
    this.tagDigests.clear();
    this.lists.clear();
  }

  /** Drop everything mutable known about a repository (after a change). */
  forget(repository: string): void {
    this.forgotten++;
    this.tagDigests.deleteWhere((k) => k.startsWith(`${repository}:`));
    this.lists.deleteWhere((k) => k.startsWith("catalog ") || k.startsWith(`tags ${repository} `) || k.includes(` ${repository}@`));
  }

  referrers(repository: string, digest: string, opts: { artifactType?: string } = {}): Promise<ReferrersApiResult> {
    return this.list(
      "referrers",
      ` ${repository}@${digest} ${opts.artifactType ?? ""}`,
      this.options.referrersTtlMs,
      () => this.inner.referrers(repository, digest, opts),
      (r) => (r.supported ? r.descriptors.length * 400 + 64 : 64),
    );
  }

  orasDraftReferrers(repository: string, digest: string, opts: { artifactType?: string } = {}): Promise<OrasDraftResult> {
    return this.list(
      "oras-referrers",
      ` ${repository}@${digest} ${opts.artifactType ?? ""}`,
      this.options.referrersTtlMs,
      () => this.inner.orasDraftReferrers(repository, digest, opts),
      (r) => (r.supported ? r.descriptors.length * 400 + 64 : 64),
    );
  }

  referrersCapability(repository: string): Capability {
    return this.inner.referrersCapability(repository);
  }
}

function pageSize(p: Page<string>): number {
  return p.items.reduce((n, s) => n + s.length + 8, 64);
}
