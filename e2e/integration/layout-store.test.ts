import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BrokenLayoutError, DigestMismatchError, InvalidReferenceError, MethodNotAllowedError, NotFoundError } from "@/lib/oci/errors";
import { LayoutStore } from "@/lib/oci/layout-store";
import { discover } from "@/lib/supply-chain/discover";
import { discoveryCases } from "../support/discovery-cases";
import { fixtureLayouts } from "../support/fixtures";
import { readLayout, type Layout } from "../support/layout";

// OCI image layouts on disk through the same Store interface: the same discovery
// cases as against Distribution, and what is particular to folders.

let root: string;
let store: LayoutStore;
const layouts = new Map<string, Layout>();

/** Copy the fixture layouts under a fresh root, one folder per repository. */
function layoutRoot(): string {
  const dir = mkdtempSync(join(tmpdir(), "chainsight-layouts-"));
  for (const [repo, src] of Object.entries(fixtureLayouts())) cpSync(src, join(dir, ...repo.split("/")), { recursive: true });
  return dir;
}

beforeAll(() => {
  root = layoutRoot();
  store = new LayoutStore({ root, name: "layouts" });
  for (const [repo, src] of Object.entries(fixtureLayouts())) layouts.set(repo, readLayout(src));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("discovery over OCI image layouts", () => {
  discoveryCases(() => ({ store, layouts, method: "referrers-api", capability: "supported" }));
});

describe("browsing layouts", () => {
  it("lists every layout below the root as a repository, nested names included", async () => {
    const page = await store.catalogPage();
    expect(page.items).toEqual(Object.keys(fixtureLayouts()).sort());
    const first = await store.catalogPage({ n: 2 });
    expect(first.items).toHaveLength(2);
    expect((await store.catalogPage({ n: 100, cursor: first.next })).items).toEqual(page.items.slice(2));
  });

  it("takes tags from org.opencontainers.image.ref.name", async () => {
    const tags = await store.listTags("oras/artifacts");
    const expected = layouts.get("oras/artifacts")!.entries.filter((e) => e.tag).map((e) => e.tag!);
    expect(tags.sort()).toEqual([...new Set(expected)].sort());
  });

  it("reads manifests by tag and digest, and blobs with their digest checked", async () => {
    const byTag = await store.getManifest("oras/artifacts", "foobar");
    const byDigest = await store.getManifest("oras/artifacts", byTag.descriptor.digest);
    expect(byDigest.descriptor).toEqual(byTag.descriptor);
    expect(byTag.manifest.kind).toBe("image");
    const layer = byTag.manifest.kind === "image" ? byTag.manifest.layers[0] : undefined;
    const blob = await store.getBlob("oras/artifacts", layer!.digest);
    expect(blob.truncated).toBe(false);
    expect(blob.bytes.byteLength).toBe(layer!.size);
  });

  it("answers a missing tag, digest or repository as not found", async () => {
    await expect(store.getManifest("oras/artifacts", "nope")).rejects.toThrow(/manifest oras\/artifacts:nope: not found/);
    await expect(store.getManifest("oras/artifacts", `sha256:${"0".repeat(64)}`)).rejects.toBeInstanceOf(NotFoundError);
    const err = await store.listTags("oras/nothing").catch((e) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.specCode).toBe("NAME_UNKNOWN");
  });

  it("never reads outside the root", async () => {
    for (const repo of ["../etc", "oras/../../etc", "/etc", "oras/./artifacts"]) {
      await expect(store.listTags(repo)).rejects.toBeInstanceOf(InvalidReferenceError);
    }
    await expect(store.getBlob("oras/artifacts", "sha256:../../../../etc/passwd")).rejects.toBeInstanceOf(InvalidReferenceError);
  });
});

describe("broken layouts are reported, naming the file", () => {
  const broken = () => {
    const dir = mkdtempSync(join(tmpdir(), "chainsight-broken-"));
    cpSync(fixtureLayouts()["oras/artifacts"], join(dir, "app"), { recursive: true });
    return { dir, s: new LayoutStore({ root: dir, name: "broken" }) };
  };

  it("a missing blob", async () => {
    const { dir, s } = broken();
    const digest = (await s.getManifest("app", "foobar")).descriptor.digest;
    rmSync(join(dir, "app", "blobs", "sha256", digest.slice(7)));
    const err = await new LayoutStore({ root: dir, name: "broken" }).getManifest("app", "foobar").catch((e) => e);
    expect(err).toBeInstanceOf(BrokenLayoutError);
    // Named relative to the store: the server's own folders are not for every user's eyes.
    expect(err.message).toContain(`index.json lists it but the blob app/blobs/sha256/${digest.slice(7)} is missing`);
    expect(err.message).not.toContain(dir);
  });

  it("a blob whose content does not match its digest", async () => {
    const { dir, s } = broken();
    const digest = (await s.getManifest("app", "foobar")).descriptor.digest;
    const path = join(dir, "app", "blobs", "sha256", digest.slice(7));
    writeFileSync(path, readFileSync(path, "utf8").replace("foo1", "foo9"));
    const err = await new LayoutStore({ root: dir }).getManifest("app", "foobar").catch((e) => e);
    expect(err).toBeInstanceOf(DigestMismatchError);
    expect(err.message).toContain(`the file app/blobs/sha256/${digest.slice(7)} does not match its digest`);
    expect(err.message).not.toContain(path);
  });

  it("an unreadable index.json and a wrong layout version", async () => {
    const { dir } = broken();
    writeFileSync(join(dir, "app", "index.json"), "{ not json");
    const err = await new LayoutStore({ root: dir, name: "broken" }).listTags("app").catch((e) => e);
    expect(err).toBeInstanceOf(BrokenLayoutError);
    expect(err.message).toContain("app/index.json is not valid JSON");
    expect(err.message).not.toContain(dir);
    writeFileSync(join(dir, "app", "oci-layout"), '{"imageLayoutVersion": "2.0.0"}');
    await expect(new LayoutStore({ root: dir }).listTags("app")).rejects.toThrow(/oci-layout has imageLayoutVersion "2\.0\.0"; only 1\.x layouts are supported/);
  });
});

describe("links and corrupt content", () => {
  const store2 = () => {
    const work = mkdtempSync(join(tmpdir(), "chainsight-links-"));
    const root = join(work, "root");
    cpSync(fixtureLayouts()["oras/artifacts"], join(root, "teama", "app"), { recursive: true });
    cpSync(fixtureLayouts()["oras/artifacts"], join(root, "teamb", "secret"), { recursive: true });
    cpSync(fixtureLayouts()["oras/artifacts"], join(work, "outside"), { recursive: true });
    return { work, root, s: new LayoutStore({ root, name: "links" }) };
  };

  it("refuses a repository that is a link, to another repository or out of the store", async () => {
    const { work, root, s } = store2();
    symlinkSync(join(root, "teamb", "secret"), join(root, "teama", "alias"));
    symlinkSync(join(work, "outside"), join(root, "teama", "escaped"));
    for (const repository of ["teama/alias", "teama/escaped"]) {
      await expect(s.listTags(repository), repository).rejects.toThrow(/symbolic link/);
      await expect(s.getManifest(repository, "foobar"), repository).rejects.toBeInstanceOf(NotFoundError);
    }
    // The real repositories still work, and the catalog lists only them.
    expect((await s.listTags("teamb/secret")).length).toBeGreaterThan(0);
    expect((await s.catalogPage()).items).toEqual(["teama/app", "teamb/secret"]);
  });

  it("refuses index.json or blobs linked from outside the store", async () => {
    const { work, root, s } = store2();
    const digest = (await s.getManifest("teama/app", "foobar")).descriptor.digest;
    const blob = join(root, "teama", "app", "blobs", "sha256", digest.slice(7));
    rmSync(blob);
    symlinkSync(join(work, "outside", "blobs", "sha256", digest.slice(7)), blob);
    await expect(new LayoutStore({ root }).getManifest("teama/app", "foobar")).rejects.toThrow(/symbolic link out of the store/);
    const index = join(root, "teamb", "secret", "index.json");
    rmSync(index);
    symlinkSync(join(work, "outside", "index.json"), index);
    await expect(new LayoutStore({ root }).listTags("teamb/secret")).rejects.toThrow(/index\.json is a symbolic link/);
  });

  it("shows no part of a large blob whose whole does not match its digest, and the start of one that does", async () => {
    const { root, s } = store2();
    const big = Buffer.alloc(2 * 1024 * 1024, 0x61);
    const digest = `sha256:${createHash("sha256").update(big).digest("hex")}`;
    const path = join(root, "teama", "app", "blobs", "sha256", digest.slice(7));
    writeFileSync(path, big);
    const ok = await s.getBlob("teama/app", digest, { maxBytes: 1024 * 1024 });
    expect(ok).toMatchObject({ truncated: true, size: big.length });
    expect(ok.bytes.length).toBe(1024 * 1024);
    // Change a byte past the first MiB: the prefix is the same, the blob is not.
    const corrupt = Buffer.from(big);
    corrupt[big.length - 1] = 0x62;
    writeFileSync(path, corrupt);
    await expect(new LayoutStore({ root }).getBlob("teama/app", digest, { maxBytes: 1024 * 1024 })).rejects.toBeInstanceOf(DigestMismatchError);
  });

  it("finds no referrer in a blob that does not match its digest or lies outside the store", async () => {
    const { work, root, s } = store2();
    const before = await s.referrers("teama/app", (await s.getManifest("teama/app", "foobar")).descriptor.digest);
    expect(before.supported && before.descriptors.length).toBeGreaterThan(0);
    // Every referrer blob replaced by a link out of the store: none of them is content of this layout.
    const { readdirSync } = await import("node:fs");
    const dir = join(root, "teama", "app", "blobs", "sha256");
    for (const name of readdirSync(dir)) {
      rmSync(join(dir, name));
      symlinkSync(join(work, "outside", "blobs", "sha256", name), join(dir, name));
    }
    const fresh = new LayoutStore({ root });
    const subject = (await s.getManifest("teamb/secret", "foobar")).descriptor.digest;
    const after = await fresh.referrers("teama/app", subject);
    expect(after.supported && after.descriptors).toEqual([]);
  });
});

describe("deletion", () => {
  it("is refused unless the config allows it", async () => {
    const digest = (await store.getManifest("oras/artifacts", "foobar")).descriptor.digest;
    const err = await store.deleteManifest("oras/artifacts", digest).catch((e) => e);
    expect(err).toBeInstanceOf(MethodNotAllowedError);
    expect(err.message).toMatch(/deleting manifests is disabled for this OCI layout store; set allowDelete: true/);
  });

  it("removes the manifest and its index.json entries when allowed, and discovery no longer finds it", async () => {
    const dir = layoutRoot();
    const s = new LayoutStore({ root: dir, allowDelete: true });
    const before = await discover(s, "oras/artifacts", "foobar");
    const sig = before.nodes.find((n) => n.artifactType === "test/signature.file")!;
    await s.deleteManifest("oras/artifacts", sig.digest);
    const after = await discover(s, "oras/artifacts", "foobar");
    expect(after.nodes.map((n) => n.digest)).not.toContain(sig.digest);
    expect(after.nodes.length).toBe(before.nodes.length - 1);
    await expect(s.getManifest("oras/artifacts", sig.digest)).rejects.toBeInstanceOf(NotFoundError);
    rmSync(dir, { recursive: true, force: true });
  });
});
