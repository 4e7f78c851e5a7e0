import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pack } from "tar-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDemoStore } from "../demo/build";
import { LayoutStore } from "../oci/layout-store";
import { discover } from "../supply-chain/discover";
import { extractLayoutTar, layoutArchive, layoutRoots } from "./archive";
import { executeCopy } from "./copy";
import { planCopy } from "./plan";

// The download of an image with its supply chain as an OCI layout tar, read back by GNU tar (an independent
// reader), and the upload of tars GNU tar and tar-stream made (independent writers), hostile ones included.

const FIXTURES = join(__dirname, "../../e2e/fixtures");
const root = mkdtempSync(join(tmpdir(), "chainsight-archive-"));
let demo: LayoutStore;

beforeAll(async () => {
  await buildDemoStore(join(root, "store"), { fixtures: FIXTURES, trustDir: join(root, "trust") });
  demo = new LayoutStore({ root: join(root, "store"), name: "demo" });
}, 60_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of chunks) parts.push(c);
  return Buffer.concat(parts);
}

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  // In pieces, as a request body arrives.
  for (let i = 0; i < bytes.byteLength; i += 7000) yield bytes.subarray(i, i + 7000);
}

const graphOf = async (store: LayoutStore, repository: string, reference: string) => new Set((await discover(store, repository, reference)).nodes.map((n) => n.digest));

/** A tar made by tar-stream, entry by entry. */
async function tarOf(entries: { name: string; body?: string | Buffer; type?: "file" | "symlink" | "directory"; linkname?: string }[]): Promise<Buffer> {
  const p = pack();
  for (const e of entries) {
    if (e.type === "symlink" || e.type === "directory") p.entry({ name: e.name, type: e.type, linkname: e.linkname });
    else p.entry({ name: e.name }, e.body ?? "");
  }
  p.finalize();
  const parts: Buffer[] = [];
  for await (const c of p) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

describe("download: an OCI layout tar of an image with its supply chain", () => {
  it("is a tar GNU tar reads, of the length announced, whose files are the supply chain, each matching its name", async () => {
    const plan = await planCopy({ source: { store: demo, repository: "monitoring/net-monitor", reference: "v1" }, target: { repository: "monitoring/net-monitor" } });
    const archive = layoutArchive(plan, { store: demo, blobs: demo, repository: "monitoring/net-monitor" });
    const bytes = await collect(archive.chunks);
    expect(bytes.byteLength).toBe(archive.size);
    const file = join(root, "v1.tar");
    writeFileSync(file, bytes);
    const listed = execFileSync("tar", ["-tf", file], { encoding: "utf8" }).trim().split("\n");
    const blobs = listed.filter((n) => n.startsWith("blobs/sha256/") && n.length > "blobs/sha256/".length);
    expect(listed.slice(0, 2)).toEqual(["oci-layout", "index.json"]);
    expect(new Set(blobs.map((n) => `sha256:${n.slice(13)}`))).toEqual(new Set([...plan.manifests.map((m) => m.digest), ...plan.blobs.map((b) => b.digest)]));
    const out = join(root, "v1-extracted", "net-monitor");
    mkdirSync(out, { recursive: true });
    execFileSync("tar", ["-xf", file, "-C", out]);
    for (const name of readdirSync(join(out, "blobs", "sha256"))) expect(createHash("sha256").update(readFileSync(join(out, "blobs", "sha256", name))).digest("hex")).toBe(name);
    // The layout it makes holds the same graph as the source, v1 by its tag.
    const index = JSON.parse(readFileSync(join(out, "index.json"), "utf8")) as { manifests: { annotations?: Record<string, string> }[] };
    expect(index.manifests.map((m) => m.annotations?.["org.opencontainers.image.ref.name"]).filter(Boolean)).toContain("v1");
    const unpacked = new LayoutStore({ root: join(root, "v1-extracted"), name: "unpacked" });
    expect(await graphOf(unpacked, "net-monitor", "v1")).toEqual(await graphOf(demo, "monitoring/net-monitor", "v1"));
  });

  it("is the same bytes every time", async () => {
    const make = async () => {
      const plan = await planCopy({ source: { store: demo, repository: "monitoring/net-monitor", reference: "v0.9" }, target: { repository: "x" } });
      return createHash("sha256").update(await collect(layoutArchive(plan, { store: demo, blobs: demo, repository: "monitoring/net-monitor" }).chunks)).digest("hex");
    };
    expect(await make()).toBe(await make());
  });
});

describe("upload: an OCI layout tar read into a folder", () => {
  it("takes a tar GNU tar made of notation's e2e layout, finds v1 (not its signature or referrers tag), and imports the whole graph", async () => {
    const fixture = join(FIXTURES, "notation", "e2e-valid-signature");
    const tar = execFileSync("tar", ["-cf", "-", "-C", fixture, "."]);
    const dir = join(root, "upload-notation", "layout", "upload");
    mkdirSync(dir, { recursive: true });
    const got = await extractLayoutTar(once(tar), dir, { maxBytes: 10 * 1024 * 1024 });
    expect(got.skipped).toEqual([]);
    const fixtureBlobs = readdirSync(join(fixture, "blobs", "sha256"));
    expect(got.blobs).toBe(fixtureBlobs.length);
    const layout = new LayoutStore({ root: join(root, "upload-notation", "layout"), name: "upload" });
    const roots = await layoutRoots(layout, dir, "upload");
    expect(roots).toEqual([{ reference: "v1", digest: "sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9", tag: "v1" }]);
    const target = new LayoutStore({ root: join(root, "imported"), name: "imported", allowDelete: true });
    const plan = await planCopy({ source: { store: layout, repository: "upload", reference: "v1" }, target: { store: target, repository: "prod/app", tag: "v1" } });
    const result = await executeCopy(plan, { source: { store: layout, blobs: layout, repository: "upload" }, target: { store: target, blobs: target, repository: "prod/app" }, sameRegistry: false });
    expect(result.complete).toBe(true);
    const original = new LayoutStore({ root: join(FIXTURES, "notation"), name: "fixture" });
    expect(await graphOf(target, "prod/app", "v1")).toEqual(await graphOf(original, "e2e-valid-signature", "v1"));
  });

  it("skips what is no part of a layout and never writes outside its folder", async () => {
    const layoutFile = JSON.stringify({ imageLayoutVersion: "1.0.0" });
    const tar = await tarOf([
      { name: "oci-layout", body: layoutFile },
      { name: "index.json", body: JSON.stringify({ schemaVersion: 2, manifests: [] }) },
      { name: "../escaped", body: "x" },
      { name: "blobs/sha256/../../../escaped2", body: "x" },
      { name: "manifest.json", body: "[]" },
    ]);
    const dir = join(root, "upload-hostile", "a", "b");
    mkdirSync(dir, { recursive: true });
    const got = await extractLayoutTar(once(tar), dir, { maxBytes: 1024 * 1024 });
    expect(got.skipped.sort()).toEqual(["../escaped", "blobs/sha256/../../../escaped2", "manifest.json"]);
    expect(existsSync(join(root, "upload-hostile", "a", "escaped"))).toBe(false);
    expect(existsSync(join(root, "upload-hostile", "escaped2"))).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(["blobs", "index.json", "oci-layout"]);
  });

  it("refuses links, blobs that are not what their names say, archives over the limit, no index.json, and bytes that are no tar", async () => {
    const dir = () => {
      const d = mkdtempSync(join(root, "bad-"));
      return d;
    };
    const layoutFile = { name: "oci-layout", body: JSON.stringify({ imageLayoutVersion: "1.0.0" }) };
    const index = { name: "index.json", body: JSON.stringify({ schemaVersion: 2, manifests: [] }) };
    const link = await tarOf([layoutFile, index, { name: "blobs/sha256/aa", type: "symlink", linkname: "/etc/passwd" }]);
    await expect(extractLayoutTar(once(link), dir(), { maxBytes: 1 << 20 })).rejects.toThrow(/holds a symlink \(blobs\/sha256\/aa\); an OCI layout holds only files/);
    const wrongHex = createHash("sha256").update("something else").digest("hex");
    const wrong = await tarOf([layoutFile, index, { name: `blobs/sha256/${wrongHex}`, body: "tampered" }]);
    await expect(extractLayoutTar(once(wrong), dir(), { maxBytes: 1 << 20 })).rejects.toThrow(/does not match its name \(its bytes hash to sha256:/);
    const big = await tarOf([layoutFile, index, { name: "blobs/sha256/" + createHash("sha256").update(Buffer.alloc(4096)).digest("hex"), body: Buffer.alloc(4096) }]);
    await expect(extractLayoutTar(once(big), dir(), { maxBytes: 2048 })).rejects.toThrow(/over the .* MiB limit \(limits\.maxImportMiB\)/);
    const noIndex = await tarOf([layoutFile]);
    await expect(extractLayoutTar(once(noIndex), dir(), { maxBytes: 1 << 20 })).rejects.toThrow(/has no index\.json: it is not an OCI image layout/);
    await expect(extractLayoutTar(once(new TextEncoder().encode("this is not a tar archive at all, just text ".repeat(40))), dir(), { maxBytes: 1 << 20 })).rejects.toThrow(/not a readable tar archive|no index\.json/);
  });
});

describe("every tagged image of the regclient and oras fixture layouts, through an archive into a new layout", () => {
  // Real third-party layouts: regclient's testrepo (indexes, referrers by API and by tag, a loop), oras' command
  // fixtures (artifacts, an empty index, a non-JSON config). Each tag's graph at the target equals the source's.
  const cases: [string, string][] = [
    [join(FIXTURES, "regclient"), "testrepo"],
    [join(FIXTURES, "oras", "command"), "images"],
    [join(FIXTURES, "oras", "command"), "artifacts"],
  ];
  for (const [dir, repository] of cases) {
    it(`${repository}`, async () => {
      const source = new LayoutStore({ root: dir, name: repository });
      const index = JSON.parse(readFileSync(join(dir, repository, "index.json"), "utf8")) as { manifests: { annotations?: Record<string, string> }[] };
      const tags = index.manifests.map((m) => m.annotations?.["org.opencontainers.image.ref.name"]).filter((t): t is string => !!t && !/^sha256-/.test(t));
      expect(tags.length).toBeGreaterThan(2);
      const target = new LayoutStore({ root: join(root, `fixture-${repository}`), name: "target", allowDelete: true });
      for (const tag of tags) {
        const plan = await planCopy({ source: { store: source, repository, reference: tag }, target: { repository } });
        const tar = await collect(layoutArchive(plan, { store: source, blobs: source, repository }).chunks);
        const dirOf = join(root, `fixture-${repository}-${tag}`, "layout", "upload");
        mkdirSync(dirOf, { recursive: true });
        await extractLayoutTar(once(tar), dirOf, { maxBytes: 1 << 30 });
        const upload = new LayoutStore({ root: join(root, `fixture-${repository}-${tag}`, "layout"), name: "upload" });
        const roots = await layoutRoots(upload, dirOf, "upload");
        expect(roots.map((r) => r.reference)).toEqual([tag]);
        const copy = await planCopy({ source: { store: upload, repository: "upload", reference: tag }, target: { store: target, repository: "copy", tag } });
        const result = await executeCopy(copy, { source: { store: upload, blobs: upload, repository: "upload" }, target: { store: target, blobs: target, repository: "copy" }, sameRegistry: false });
        expect(result.complete, tag).toBe(true);
        expect(await graphOf(target, "copy", tag), tag).toEqual(await graphOf(source, repository, tag));
      }
    }, 60_000);
  }
});
