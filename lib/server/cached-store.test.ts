import { describe, expect, it } from "vitest";
import { computeDigest } from "../oci/digest";
import { parseManifest } from "../oci/schemas";
import type { FetchedManifest, Store } from "../oci/store";
import { CachedStore, type CacheResult } from "./cached-store";

function fakeStore() {
  const calls: string[] = [];
  const bytes = new TextEncoder().encode(JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: [] }));
  const digest = computeDigest(bytes);
  const manifest: FetchedManifest = { descriptor: { mediaType: "application/vnd.oci.image.index.v1+json", digest, size: bytes.byteLength }, bytes, manifest: parseManifest(bytes) };
  const tick = () => new Promise((r) => setTimeout(r, 5));
  const store: Store = {
    name: "fake",
    async catalogPage() {
      calls.push("catalog");
      return { items: ["a"] };
    },
    async tagsPage(repo) {
      calls.push(`tagsPage ${repo}`);
      return { items: ["v1"] };
    },
    async listTags(repo) {
      calls.push(`listTags ${repo}`);
      await tick();
      return ["v1"];
    },
    async getManifest(repo, ref) {
      calls.push(`manifest ${repo} ${ref}`);
      await tick();
      return manifest;
    },
    async headManifest(repo, ref) {
      calls.push(`head ${repo} ${ref}`);
      return manifest.descriptor;
    },
    async getBlob(repo, d, opts) {
      calls.push(`blob ${repo} ${d}`);
      const b = new TextEncoder().encode("0123456789");
      const max = opts?.maxBytes ?? 100;
      return { digest: d, bytes: b.subarray(0, max), truncated: b.length > max, size: 10 };
    },
    async hasBlob(repo, d) {
      calls.push(`has blob ${repo} ${d}`);
      return true;
    },
    async deleteManifest(repo, d) {
      calls.push(`delete ${repo} ${d}`);
    },
    async putManifest(repo, ref) {
      calls.push(`put ${repo} ${ref}`);
      return digest;
    },
    async referrers(repo, d) {
      calls.push(`referrers ${repo} ${d}`);
      return { supported: true, descriptors: [], filtersApplied: [] };
    },
    async orasDraftReferrers() {
      calls.push("oras");
      return { supported: false };
    },
    referrersCapability: () => "supported",
  };
  return { store, calls, digest };
}

function cached(inner: Store, now?: () => number) {
  const results: string[] = [];
  const store = new CachedStore(inner, {
    manifestCacheBytes: 1e6,
    blobCacheBytes: 1e6,
    maxCachedBlobBytes: 5,
    tagTtlMs: 1000,
    referrersTtlMs: 1000,
    catalogTtlMs: 1000,
    concurrency: 2,
    now,
    onCache: (cache: string, r: CacheResult) => results.push(`${cache}:${r}`),
  });
  return { store, results };
}

describe("CachedStore", () => {
  it("answers a manifest by digest from cache, and by tag until the tag's TTL ends", async () => {
    let now = 0;
    const { store: inner, calls, digest } = fakeStore();
    const { store, results } = cached(inner, () => now);
    await store.getManifest("r", "v1");
    await store.getManifest("r", "v1");
    await store.getManifest("r", digest);
    expect(calls).toEqual(["manifest r v1"]);
    expect(results).toEqual(["manifest:miss", "manifest:hit", "manifest:hit"]);
    now = 2000;
    await store.getManifest("r", "v1");
    await store.getManifest("r", digest);
    expect(calls).toEqual(["manifest r v1", "manifest r v1"]);
  });

  it("shares one upstream call among identical concurrent calls", async () => {
    const { store: inner, calls } = fakeStore();
    const { store, results } = cached(inner);
    await Promise.all([store.listTags("r"), store.listTags("r"), store.listTags("r")]);
    expect(calls).toEqual(["listTags r"]);
    expect(results).toEqual(["tags:miss", "tags:shared", "tags:shared"]);
  });

  it("caches only small complete blobs, and slices a cached blob for a smaller read", async () => {
    const { store: inner, calls } = fakeStore();
    const { store } = cached(inner);
    const d = `sha256:${"1".repeat(64)}`;
    await store.getBlob("r", d, { maxBytes: 4 }); // truncated: not cached
    await store.getBlob("r", d, { maxBytes: 4 });
    expect(calls.length).toBe(2);
    const { store: big } = cached(fakeStore().store);
    expect((await big.getBlob("r", d)).truncated).toBe(false); // 10 bytes > maxCachedBlobBytes 5: not cached either
  });

  it("forgets a repository's tags and referrers after a delete", async () => {
    const { store: inner, calls, digest } = fakeStore();
    const { store } = cached(inner);
    await store.listTags("r");
    await store.referrers("r", digest);
    await store.deleteManifest("r", digest);
    await store.listTags("r");
    await store.referrers("r", digest);
    expect(calls).toEqual(["listTags r", `referrers r ${digest}`, `delete r ${digest}`, "listTags r", `referrers r ${digest}`]);
  });
});
