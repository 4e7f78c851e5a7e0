import { describe, expect, it } from "vitest";
import { NotFoundError, UpstreamError } from "./errors";
import { addToReferrersTags } from "./referrers-tag";
import type { Store } from "./store";

const subject = `sha256:${"a".repeat(64)}`;
const tag = `sha256-${"a".repeat(64)}`;
const entry = { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: `sha256:${"b".repeat(64)}`, size: 500, artifactType: "application/vnd.example" };

/** A registry's tags in memory whose tag reads fail `failing` times the way Distribution 2.8 does mid-write. */
function registry(failing: number) {
  const tags = new Map<string, Uint8Array>();
  let reads = 0;
  const store = {
    name: "registry.test",
    async getManifest(_repository: string, reference: string) {
      reads++;
      if (failing-- > 0) throw new UpstreamError("registry.test", "registry.test: fetching manifest: registry answered HTTP 500 (UNKNOWN: unknown error)", { status: 500 });
      const bytes = tags.get(reference);
      if (!bytes) throw new NotFoundError("registry.test", "not found", { status: 404 });
      return { bytes };
    },
    async putManifest(_repository: string, reference: string, bytes: Uint8Array) {
      tags.set(reference, bytes);
      return "";
    },
  } as unknown as Store;
  return { store, tags, reads: () => reads };
}

describe("the referrers tag", () => {
  it("lists the entry when a read of the tag meets Distribution's 500 of a concurrent rewrite", async () => {
    const r = registry(2);
    const [result] = await addToReferrersTags(r.store, "app", new Map([[subject, [entry]]]), { minPauseMs: 1 });
    expect(result).toMatchObject({ tag, outcome: "written", entries: 1 });
    const index = JSON.parse(new TextDecoder().decode(r.tags.get(tag))) as { manifests: { digest: string }[] };
    expect(index.manifests.map((m) => m.digest)).toEqual([entry.digest]);
  });

  it("says what the registry answered when the tag cannot be read at all, and writes nothing", async () => {
    const r = registry(Infinity);
    await expect(addToReferrersTags(r.store, "app", new Map([[subject, [entry]]]), { minPauseMs: 1 })).rejects.toThrow(/HTTP 500 \(UNKNOWN/);
    expect(r.tags.size).toBe(0);
    expect(r.reads()).toBeLessThanOrEqual(4);
  });
});
