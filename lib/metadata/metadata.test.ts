import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { retentionReport, DEFAULT_DELETION_DATE_KEYS, DEFAULT_NEW_VERSION_KEYS } from "../lifecycle/retention";
import { LayoutStore } from "../oci/layout-store";
import { discover } from "../supply-chain/discover";
import { newestValue, type AnnotatedArtifact } from "./newest";
import { MetadataInputError, type MetadataRequest } from "./request";
import { imageMetadata, metadataSummary } from "./summary";
import { previewMetadata, writeMetadata } from "./write";

// Metadata written as annotations-only artifacts into a writable copy of notation's e2e layout (image v1, its
// Notary signature). Expected values come from the fixture's files and from the OCI spec (the empty descriptor is
// the SHA-256 of "{}"), not from the code under test.

const FIXTURES = join(__dirname, "../../e2e/fixtures");
const root = mkdtempSync(join(tmpdir(), "chainsight-metadata-"));
const repo = "e2e-valid-signature";
let store: LayoutStore;
let v1: { digest: string; size: number; mediaType: string };

beforeAll(() => {
  cpSync(join(FIXTURES, "notation", repo), join(root, repo), { recursive: true });
  store = new LayoutStore({ root, name: "writable", allowDelete: true });
  const index = JSON.parse(readFileSync(join(root, repo, "index.json"), "utf8")) as { manifests: { digest: string; size: number; mediaType: string; annotations?: Record<string, string> }[] };
  v1 = index.manifests.find((m) => m.annotations?.["org.opencontainers.image.ref.name"] === "v1")!;
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

const at = (iso: string) => ({ reviewer: "alice", now: new Date(iso) });
const refused = async (req: MetadataRequest): Promise<MetadataInputError> => {
  const err = await previewMetadata(store, repo, "v1", req, at("2026-12-01T10:00:00Z")).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(MetadataInputError);
  return err as MetadataInputError;
};

describe("the manifest of a metadata request", () => {
  it("is an OCI 1.1 manifest with the empty config and layer, the image as subject, the deletion date and the time", async () => {
    const p = await previewMetadata(store, repo, "v1", { kind: "deletion-date", deletionDate: "2027-01-31", annotations: { "com.example.ticket": "SEC-1234" } }, at("2026-12-01T10:00:00Z"));
    const m = JSON.parse(p.manifest);
    const empty = { mediaType: "application/vnd.oci.empty.v1+json", digest: `sha256:${createHash("sha256").update("{}").digest("hex")}`, size: 2 };
    expect(m).toEqual({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      artifactType: "application/vnd.chainsight.deletion-date.v1",
      config: empty,
      layers: [empty],
      subject: { mediaType: v1.mediaType, digest: v1.digest, size: v1.size },
      annotations: { "com.example.ticket": "SEC-1234", "org.cncf.oras.artifact.deletion-date": "2027-01-31", "org.opencontainers.image.created": "2026-12-01T10:00:00.000Z" },
    });
    expect(p.digest).toBe(`sha256:${createHash("sha256").update(p.manifest).digest("hex")}`);
  });

  it("records who reviewed and when; resolves 'superseded by' to repository:tag@digest", async () => {
    const r = await previewMetadata(store, repo, "v1", { kind: "review", review: { status: "approved", environment: "prod" } }, at("2026-12-01T10:00:00Z"));
    expect(JSON.parse(r.manifest).annotations).toMatchObject({ "vnd.chainsight.review.status": "approved", "vnd.chainsight.review.environment": "prod", "vnd.chainsight.review.by": "alice", "vnd.chainsight.review.at": "2026-12-01T10:00:00.000Z" });
    // The fixture's signature manifest stands in for a newer version: any manifest of the repository can.
    const sig = "sha256:90ceaff260d657d797c408ac73564a9c7bb9d86055877c2a811f0e63b8c6524f";
    const n = await previewMetadata(store, repo, "v1", { kind: "new-version", newVersion: sig }, at("2026-12-01T10:00:00Z"));
    expect(JSON.parse(n.manifest).annotations["org.cncf.oras.artifact.new-version"]).toBe(`${repo}@${sig}`);
  });

  it("refuses what is wrong, naming the field", async () => {
    expect((await refused({ kind: "deletion-date", deletionDate: "2027-02-30" })).field).toBe("deletionDate");
    expect((await refused({ kind: "deletion-date", deletionDate: "next tuesday" })).message).toContain("use YYYY-MM-DD");
    expect((await refused({ kind: "deletion-date" })).field).toBe("deletionDate");
    expect((await refused({ kind: "annotations", annotations: { nodots: "x" } })).message).toMatch(/^annotations\["nodots"\]: a key is reverse-domain notation/);
    expect((await refused({ kind: "annotations", annotations: { "org.opencontainers.image.ref.name": "x" } })).message).toContain("reserved by the OCI spec");
    expect((await refused({ kind: "annotations", annotations: { "vnd.chainsight.review.by": "mallory" } })).message).toContain("set by the deletion-date, new-version or review kinds");
    expect((await refused({ kind: "annotations", annotations: { "com.example.note": "line\nbreak" } })).message).toContain("control characters");
    expect((await refused({ kind: "annotations", annotations: {} })).field).toBe("annotations");
    expect((await refused({ kind: "new-version", newVersion: "v9" })).message).toBe("newVersion: e2e-valid-signature has no tag v9");
    expect((await refused({ kind: "new-version", newVersion: "v1" })).message).toContain("superseded by itself");
    // A predefined key a producer may set is accepted.
    await expect(previewMetadata(store, repo, "v1", { kind: "annotations", annotations: { "org.opencontainers.image.source": "https://github.com/notaryproject/notation" } }, at("2026-12-01T10:00:00Z"))).resolves.toBeTruthy();
  });
});

describe("written into a layout", () => {
  it("is exactly the previewed bytes, found as a referrer of the image, and retention honours the newest deletion date", async () => {
    const keys = { olderThanDays: 100_000, maxTags: 100, deletionDateKeys: DEFAULT_DELETION_DATE_KEYS, newVersionKeys: DEFAULT_NEW_VERSION_KEYS };
    const passed = await previewMetadata(store, repo, "v1", { kind: "deletion-date", deletionDate: "2026-06-30" }, at("2026-06-01T00:00:00Z"));
    const written = await writeMetadata(store, store, repo, passed);
    expect(written.referrersTag).toBeUndefined(); // a layout finds referrers by their subject field
    expect(new TextDecoder().decode((await store.getManifest(repo, passed.digest)).bytes)).toBe(passed.manifest);
    const graph = await discover(store, repo, "v1");
    const node = graph.nodes.find((n) => n.digest === passed.digest)!;
    expect(node.classification.label).toBe("deletion date");
    const report = async (now: string) => (await retentionReport(store, [repo], { ...keys, now: new Date(now) })).rows.filter((r) => r.digest === v1.digest);
    expect(await report("2026-06-15T00:00:00Z")).toEqual([]);
    expect((await report("2026-12-01T00:00:00Z"))[0].reasons).toEqual([{ reason: "deletion-date-passed", detail: `an attached application/vnd.chainsight.deletion-date.v1 (${passed.digest.slice(0, 19)}) sets org.cncf.oras.artifact.deletion-date to 2026-06-30` }]);
    // A later artifact moves the date out: the newest wins, the image is kept.
    const later = await previewMetadata(store, repo, "v1", { kind: "deletion-date", deletionDate: "2027-12-31" }, at("2026-11-01T00:00:00Z"));
    await writeMetadata(store, store, repo, later);
    expect(await report("2026-12-01T00:00:00Z")).toEqual([]);
  });
});

describe("the newest value of a key", () => {
  it("comes from the newest attached artifact that sets it; the subject's own annotations are the oldest", () => {
    const key = ["k.a"];
    const own = { "k.a": "own" };
    expect(newestValue(own, [], key)).toEqual({ key: "k.a", value: "own" });
    const attached: AnnotatedArtifact[] = [
      { digest: "sha256:1", created: "2026-01-01T00:00:00Z", annotations: { "k.a": "jan" } },
      { digest: "sha256:2", created: "2026-03-01T00:00:00Z", annotations: { "k.a": "mar" } },
      { digest: "sha256:3", created: "2026-05-01T00:00:00Z", annotations: { other: "x" } },
      { digest: "sha256:4", annotations: { "k.a": "no time" } },
    ];
    expect(newestValue(own, attached, key)).toMatchObject({ value: "mar", from: "sha256:2" });
    expect(newestValue(own, attached, key, (v) => v !== "mar")).toMatchObject({ value: "jan" });
  });
});

describe("what metadata says of an image", () => {
  it("the newest review per environment, the newest deletion date, in words", () => {
    const review = (digest: string, created: string, status: string, environment: string, by: string) => ({ digest, created, annotations: { "vnd.chainsight.review.status": status, "vnd.chainsight.review.environment": environment, "vnd.chainsight.review.by": by } });
    const m = imageMetadata(undefined, [review("sha256:1", "2026-01-01T00:00:00Z", "reviewed", "prod", "bob"), review("sha256:2", "2026-02-01T00:00:00Z", "approved", "prod", "alice"), review("sha256:3", "2026-01-15T00:00:00Z", "approved", "staging", "carol")], { deletionDate: DEFAULT_DELETION_DATE_KEYS, newVersion: DEFAULT_NEW_VERSION_KEYS });
    expect(m.reviews.map((r) => [r.environment, r.status, r.by]).sort()).toEqual([
      ["prod", "approved", "alice"],
      ["staging", "approved", "carol"],
    ]);
    expect(m.deletionDate).toBeUndefined();
    expect(metadataSummary("application/vnd.chainsight.review.v1", review("sha256:2", "", "approved", "prod", "alice").annotations)).toBe("approved for prod by alice");
  });
});
