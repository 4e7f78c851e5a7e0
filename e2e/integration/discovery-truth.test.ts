import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NotFoundError, UnauthorizedError } from "@/lib/oci/errors";
import { LayoutStore } from "@/lib/oci/layout-store";
import { RegistryClient } from "@/lib/oci/registry-client";
import { discover } from "@/lib/supply-chain/discover";
import { supplyChainStatus } from "@/lib/supply-chain/status";
import { pushImage, pushReferrer } from "../support/artifacts";
import { startDistribution, type RunningDistribution } from "../support/distribution";
import { fixtureLayouts } from "../support/fixtures";
import { addToReferrersTag, pushBlob, pushManifest, sha256, type LayoutManifest } from "../support/layout";
import { TestRegistry } from "../support/test-registry";

// Discovery tells the truth when registries do what real ones do: stale referrers indexes, wrong
// artifactType in a referrers index, one lookup failing while the others work.

const SPDX = "application/spdx+json";
const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
const SIMPLESIGNING = "application/vnd.dev.cosign.simplesigning.v1+json";

let dist: RunningDistribution;
let modern: TestRegistry;
/** What the next referrers request for a digest should get instead of the registry's answer. */
const faults = new Map<string, { status: number; headers?: Record<string, string>; body?: string }>();

beforeAll(async () => {
  dist = await startDistribution();
  modern = await new TestRegistry({
    orasDraft: false,
    intercept: (req) => {
      const path = new URL(req.url ?? "/", "http://x").pathname;
      for (const [needle, fault] of faults) if (path.includes(needle)) return fault;
      return undefined;
    },
  }).start();
}, 60_000);

afterAll(async () => {
  await dist?.stop();
  await modern?.stop();
});

/** Run `fn` while requests whose path contains `needle` get `fault` instead of the registry's answer. */
async function withFault(needle: string, fault: { status: number; headers?: Record<string, string>; body?: string }, fn: () => Promise<void>): Promise<void> {
  faults.set(needle, fault);
  try {
    await fn();
  } finally {
    faults.clear();
  }
}

const client = (host: string) => new RegistryClient({ host, plainHttp: true, name: host === dist.host ? "dist" : "modern" });

/**
 * A cosign "simple signing" signature the OCI 1.1 way: an image manifest with a subject and no artifactType,
 * whose layer is the simplesigning payload. Only reading it tells it is a signature.
 */
async function pushCosignSignature(target: { url: string }, repo: string, subject: LayoutManifest): Promise<LayoutManifest> {
  const config = Buffer.from(JSON.stringify({ architecture: "", os: "", config: {}, rootfs: { type: "layers", diff_ids: [] } }));
  const payload = Buffer.from(JSON.stringify({ critical: { identity: { "docker-reference": repo }, image: { "docker-manifest-digest": subject.digest }, type: "cosign container image signature" }, optional: null }));
  await pushBlob(target, repo, sha256(config), config);
  await pushBlob(target, repo, sha256(payload), payload);
  const json = {
    schemaVersion: 2 as const,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, digest: sha256(config), size: config.length },
    layers: [{ mediaType: SIMPLESIGNING, digest: sha256(payload), size: payload.length, annotations: { "dev.cosignproject.cosign/signature": "MEUCIQ==" } }],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.bytes.length },
  };
  const bytes = Buffer.from(JSON.stringify(json));
  const m: LayoutManifest = { digest: sha256(bytes), mediaType: OCI_MANIFEST, bytes, json };
  await pushManifest(target, repo, m.digest, bytes, OCI_MANIFEST);
  return m;
}

describe("stale referrers indexes", () => {
  it("never shows or counts a referrer whose manifest was deleted; it warns naming the index tag", async () => {
    const target = { url: dist.url };
    const image = await pushImage(target, "stale/app", "v1", { created: "2026-01-01T00:00:00Z" });
    const sbom = await pushReferrer(target, "stale/app", image, { artifactType: SPDX });
    const scan = await pushReferrer(target, "stale/app", image, { artifactType: "application/sarif+json" });
    // Deleted the way a client that does not clean the referrers index deletes it.
    const del = await fetch(`${dist.url}/v2/stale/app/manifests/${sbom.digest}`, { method: "DELETE" });
    expect(del.status).toBe(202);
    const g = await discover(client(dist.host), "stale/app", "v1");
    expect(g.nodes.map((n) => n.digest).sort()).toEqual([image.digest, scan.digest].sort());
    expect(g.stale).toEqual([{ digest: sbom.digest, subject: image.digest, indexTag: `sha256-${image.digest.slice(7)}`, artifactType: SPDX }]);
    expect(g.warnings.join("\n")).toContain(`stale referrer: the referrers tag sha256-${image.digest.slice(7)} lists ${sbom.digest}`);
    const status = supplyChainStatus(g);
    expect(status.sbom).toBe(false);
    expect(status.scanned).toBe(true);
  });

  it("on a registry with the referrers API, an index entry the API does not list is checked and dropped when gone", async () => {
    const target = { url: modern.url };
    const image = await pushImage(target, "stale/modern", "v1", {});
    const scan = await pushReferrer(target, "stale/modern", image, { artifactType: "application/sarif+json" });
    // A referrers tag left by an older client, listing an SBOM that no longer exists.
    const ghost: LayoutManifest = { digest: `sha256:${"e".repeat(64)}`, mediaType: OCI_MANIFEST, bytes: Buffer.alloc(300), json: { artifactType: SPDX } };
    await addToReferrersTag(target, "stale/modern", image.digest, ghost);
    const g = await discover(client(modern.host), "stale/modern", "v1");
    expect(g.nodes.map((n) => n.digest).sort()).toEqual([image.digest, scan.digest].sort());
    expect(g.stale?.map((s) => s.digest)).toEqual([ghost.digest]);
  });
});

describe("stale entries and the newest N", () => {
  it("when the newest scan is gone, top=1 shows the next one, and only what is kept is checked", async () => {
    const target = { url: dist.url };
    const image = await pushImage(target, "stale/top", "v1", {});
    const older = await pushReferrer(target, "stale/top", image, { artifactType: "application/sarif+json", created: "2026-01-01T00:00:00Z" });
    await pushReferrer(target, "stale/top", image, { artifactType: "application/sarif+json", created: "2026-01-02T00:00:00Z" });
    const newest = await pushReferrer(target, "stale/top", image, { artifactType: "application/sarif+json", created: "2026-01-03T00:00:00Z" });
    expect((await fetch(`${dist.url}/v2/stale/top/manifests/${newest.digest}`, { method: "DELETE" })).status).toBe(202);
    const heads: string[] = [];
    const c = new RegistryClient({ host: dist.host, plainHttp: true, name: "dist", onRequest: (r) => r.method === "HEAD" && heads.push(r.url) });
    const g = await discover(c, "stale/top", "v1", { newest: { top: 1, order: "desc" } });
    const scans = g.nodes.filter((n) => n.role === "referrer");
    expect(scans.map((n) => n.digest)).not.toContain(newest.digest);
    expect(scans).toHaveLength(1);
    expect(g.stale?.map((x) => x.digest)).toEqual([newest.digest]);
    // The deleted newest, then the next newest: two existence checks, not one per listed scan plus more.
    expect(heads.filter((u) => u.includes("/manifests/sha256:"))).toHaveLength(2);
    expect(scans[0].digest).not.toBe(older.digest); // the 2026-01-02 scan, not the oldest
  });
});

describe("classification does not depend on which lookup answers first", () => {
  it("a cosign signature with a subject is a signature, every time, even where an index gives its config type as artifactType", async () => {
    const target = { url: modern.url };
    const image = await pushImage(target, "race/app", "v1", {});
    const sig = await pushCosignSignature(target, "race/app", image);
    // The same signature in a referrers tag, with the config media type as artifactType (as Harbor wrote it).
    await addToReferrersTag(target, "race/app", image.digest, { ...sig, json: { ...sig.json, artifactType: OCI_CONFIG } });
    // And the referrers API answering likewise.
    await withFault(`/race/app/referrers/${image.digest}`, {
      status: 200,
      headers: { "content-type": OCI_INDEX },
      body: JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ mediaType: OCI_MANIFEST, digest: sig.digest, size: sig.bytes.length, artifactType: OCI_CONFIG }] }),
    }, async () => {
      const kinds = new Set<string>();
      for (let i = 0; i < 20; i++) {
        const g = await discover(client(modern.host), "race/app", "v1");
        const node = g.nodes.find((n) => n.digest === sig.digest)!;
        kinds.add(`${node.classification.kind} ${node.artifactType}`);
        expect(g.edges.find((e) => e.to === sig.digest)?.methods).toEqual(["referrers-api", "tag-schema"]);
      }
      expect([...kinds]).toEqual([`signature ${OCI_CONFIG}`]);
    });
  });
});

describe("one failing lookup fails alone", () => {
  it("a referrers API answering 500 leaves a warning naming it, and the referrers tag's finds are shown", async () => {
    const target = { url: modern.url };
    const image = await pushImage(target, "fail/api", "v1", {});
    const sbom = await pushReferrer(target, "fail/api", image, { artifactType: SPDX, referrersTag: false });
    await addToReferrersTag(target, "fail/api", image.digest, sbom);
    await withFault(`/fail/api/referrers/${image.digest}`, { status: 500, headers: { "content-type": "text/plain" }, body: "upstream exploded" }, async () => {
      const g = await discover(client(modern.host), "fail/api", "v1");
      expect(g.nodes.map((n) => n.digest)).toContain(sbom.digest);
      expect(g.warnings.join("\n")).toMatch(/the referrers API for sha256:[0-9a-f]{64} failed \(HTTP 500\): .*upstream exploded/);
    });
  });

  it("a 400 MANIFEST_UNKNOWN for a missing subject (Quay) is 'nothing refers to it', remembered", async () => {
    const c = client(modern.host);
    await pushImage({ url: modern.url }, "fail/quay", "v1", {});
    const missing = `sha256:${"d".repeat(64)}`;
    await withFault(`/fail/quay/referrers/${missing}`, { status: 400, headers: { "content-type": "application/json" }, body: JSON.stringify({ errors: [{ code: "MANIFEST_UNKNOWN", message: "manifest unknown" }] }) }, async () => {
      const g = await discover(c, "fail/quay", missing);
      expect(g.nodes).toHaveLength(1);
      expect(g.warnings.join("\n")).toContain(`the subject ${missing} is not in fail/quay`);
      expect(c.referrersCapability("fail/quay")).toBe("supported");
    });
  });

  it("an ORAS draft endpoint answering 404 NAME_UNKNOWN does not fail a graph the referrers API answers", async () => {
    const target = { url: modern.url };
    const image = await pushImage(target, "fail/oras", "v1", {});
    const sbom = await pushReferrer(target, "fail/oras", image, { artifactType: SPDX });
    await withFault("/fail/oras/_oras/", { status: 404, headers: { "content-type": "application/json" }, body: JSON.stringify({ errors: [{ code: "NAME_UNKNOWN" }] }) }, async () => {
      const g = await discover(client(modern.host), "fail/oras", "v1");
      expect(g.nodes.map((n) => n.digest)).toContain(sbom.digest);
    });
  });

  it("a referrers Link to another host keeps page 1 and says the rest was not read", async () => {
    const target = { url: modern.url };
    const image = await pushImage(target, "fail/link", "v1", {});
    const sbom = await pushReferrer(target, "fail/link", image, { artifactType: SPDX });
    await withFault(`/fail/link/referrers/${image.digest}`, {
      status: 200,
      headers: { "content-type": OCI_INDEX, link: `<http://other.example/v2/fail/link/referrers/${image.digest}?page=2>; rel="next"` },
      body: JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ mediaType: OCI_MANIFEST, digest: sbom.digest, size: sbom.bytes.length, artifactType: SPDX }] }),
    }, async () => {
      const g = await discover(client(modern.host), "fail/link", "v1");
      expect(g.nodes.map((n) => n.digest)).toContain(sbom.digest);
      expect(g.warnings.join("\n")).toMatch(/pagination link points at another host \(other\.example\).*after page 1 were not read/);
    });
  });

  it("a 401 without a challenge says the registry refused without one, not to check credentials", async () => {
    await withFault("/fail/nochallenge/", { status: 401, headers: { "content-type": "application/json" }, body: JSON.stringify({ errors: [{ code: "UNAUTHORIZED" }] }) }, async () => {
      const err = await client(modern.host).getManifest("fail/nochallenge", "v1").catch((e) => e);
      expect(err).toBeInstanceOf(UnauthorizedError);
      expect(err.message).toMatch(/without an authentication challenge \(no WWW-Authenticate header\)/);
      expect(err.message).not.toMatch(/check the credentials/);
    });
  });

  it("an index served as application/json is not the referrers API, and the graph says so", async () => {
    const target = { url: modern.url };
    const image = await pushImage(target, "fail/json", "v1", {});
    const sbom = await pushReferrer(target, "fail/json", image, { artifactType: SPDX, referrersTag: false });
    await addToReferrersTag(target, "fail/json", image.digest, sbom);
    await withFault(`/fail/json/referrers/`, {
      status: 200,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] }),
    }, async () => {
      const g = await discover(client(modern.host), "fail/json", "v1");
      expect(g.nodes.map((n) => n.digest)).toContain(sbom.digest); // from the tag schema
      expect(g.warnings.join("\n")).toMatch(/answered with Content-Type "application\/json", not application\/vnd\.oci\.image\.index\.v1\+json/);
    });
  });
});

describe("missing things are missing, not broken", () => {
  it("a repository that does not exist, asked for by digest, is not found on Distribution", async () => {
    const err = await discover(client(dist.host), "no/such/repo", `sha256:${"a".repeat(64)}`).catch((e) => e);
    expect(err).toBeInstanceOf(NotFoundError);
  });

  it("a layout store treats a subject digest it does not hold as registries do", async () => {
    const dir = mkdtempSync(join(tmpdir(), "chainsight-missing-subject-"));
    try {
      cpSync(fixtureLayouts()["oras/artifacts"], join(dir, "app"), { recursive: true });
      const missing = `sha256:${"c".repeat(64)}`;
      const g = await discover(new LayoutStore({ root: dir, name: "layouts" }), "app", missing);
      expect(g.nodes).toHaveLength(1);
      expect(g.warnings.join("\n")).toContain(`the subject ${missing} is not in app`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
