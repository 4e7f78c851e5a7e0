import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RegistryClient } from "@/lib/oci/registry-client";
import { MediaType } from "@/lib/oci/media-types";
import { discover } from "@/lib/supply-chain/discover";
import { discoveryCases } from "../support/discovery-cases";
import { startDistribution, type RunningDistribution } from "../support/distribution";
import { FIXTURES, pushFixtures } from "../support/fixtures";
import { pushBlob, pushManifest, sha256, type Layout } from "../support/layout";

// The real CNCF Distribution registry (no referrers API): discovery must use the
// referrers tag schema and cosign tags, and find exactly what the fixtures declare.

let registry: RunningDistribution;
let layouts: Map<string, Layout>;
let client: RegistryClient;
const requests: string[] = [];

beforeAll(async () => {
  registry = await startDistribution();
  layouts = await pushFixtures({ url: registry.url });
  client = new RegistryClient({ host: registry.host, plainHttp: true, onRequest: (r) => requests.push(`${r.method} ${new URL(r.url).pathname}`) });
});
afterAll(async () => {
  await registry?.stop();
});

describe("discovery against CNCF Distribution 2.8", () => {
  // The same cases as the OCI layout store (layout-store.test.ts): shared test cases, two stores.
  discoveryCases(() => ({ store: client, layouts, method: "tag-schema", capability: "unsupported" }));

  it("finds cosign signatures, attestations and SBOMs from the tag list alone", async () => {
    const repo = "cosign/app";
    const target = { url: registry.url };
    const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } }));
    await pushBlob(target, repo, sha256(config), config);
    const image = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciManifest, config: { mediaType: MediaType.OciConfig, digest: sha256(config), size: config.length }, layers: [] }));
    await pushManifest(target, repo, "v1", image, MediaType.OciManifest);
    const subject = sha256(image);
    const payload = Buffer.from(JSON.stringify({ critical: { identity: { "docker-reference": repo }, image: { "docker-manifest-digest": subject }, type: "cosign container image signature" }, optional: null }));
    await pushBlob(target, repo, sha256(payload), payload);
    const cosign = (layerType: string, annotations: Record<string, string>) =>
      Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciManifest, config: { mediaType: MediaType.OciConfig, digest: sha256(config), size: config.length }, layers: [{ mediaType: layerType, digest: sha256(payload), size: payload.length, annotations }] }));
    const hex = subject.slice(7);
    await pushManifest(target, repo, `sha256-${hex}.sig`, cosign("application/vnd.dev.cosign.simplesigning.v1+json", { "dev.cosignproject.cosign/signature": "MEUCIQ..." }), MediaType.OciManifest);
    await pushManifest(target, repo, `sha256-${hex}.att`, cosign("application/vnd.dsse.envelope.v1+json", { predicateType: "https://slsa.dev/provenance/v0.2" }), MediaType.OciManifest);
    await pushManifest(target, repo, `sha256-${hex}.sbom`, cosign("application/spdx+json", {}), MediaType.OciManifest);

    requests.length = 0;
    const graph = await discover(client, repo, "v1");
    const kinds = graph.nodes.filter((n) => n.role === "referrer").map((n) => `${n.classification.kind}:${n.tags.join()}`).sort();
    expect(kinds).toEqual([`attestation:sha256-${hex}.att`, `sbom:sha256-${hex}.sbom`, `signature:sha256-${hex}.sig`]);
    expect(graph.edges.filter((e) => e.relation === "referrer").every((e) => e.methods[0] === "cosign-tag")).toBe(true);
    // No probing for tags that do not exist: only the three cosign tags are fetched.
    expect(requests.filter((r) => r.includes("/manifests/sha256-")).sort()).toEqual([
      `GET /v2/${repo}/manifests/sha256-${hex}.att`,
      `GET /v2/${repo}/manifests/sha256-${hex}.sbom`,
      `GET /v2/${repo}/manifests/sha256-${hex}.sig`,
    ]);
  });
});

describe("BuildKit attestations", () => {
  it("finds attestation manifests stored inside an index and hangs them off their image", async () => {
    const repo = "buildkit/app";
    const target = { url: registry.url };
    const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } }));
    const statement = readFileSync(join(FIXTURES, "documents", "sigstore", "statement-provenance-sigstorejs1.3.0.json"));
    const empty = Buffer.from("{}");
    for (const b of [config, statement, empty]) await pushBlob(target, repo, sha256(b), b);
    const image = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciManifest, config: { mediaType: MediaType.OciConfig, digest: sha256(config), size: config.length }, layers: [] }));
    const attestation = Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      config: { mediaType: MediaType.OciConfig, digest: sha256(empty), size: 2 },
      layers: [{ mediaType: "application/vnd.in-toto+json", digest: sha256(statement), size: statement.length, annotations: { "in-toto.io/predicate-type": "https://slsa.dev/provenance/v0.2" } }],
    }));
    await pushManifest(target, repo, sha256(image), image, MediaType.OciManifest);
    await pushManifest(target, repo, sha256(attestation), attestation, MediaType.OciManifest);
    const index = Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.OciIndex,
      manifests: [
        { mediaType: MediaType.OciManifest, digest: sha256(image), size: image.length, platform: { architecture: "amd64", os: "linux" } },
        {
          mediaType: MediaType.OciManifest, digest: sha256(attestation), size: attestation.length, platform: { architecture: "unknown", os: "unknown" },
          annotations: { "vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": sha256(image) },
        },
      ],
    }));
    await pushManifest(target, repo, "v1", index, MediaType.OciIndex);

    const graph = await discover(client, repo, "v1");
    const att = graph.nodes.find((n) => n.digest === sha256(attestation))!;
    expect(att.classification).toMatchObject({ kind: "attestation", format: "buildkit" });
    expect(graph.edges).toContainEqual({ from: sha256(image), to: sha256(attestation), relation: "referrer", methods: ["index-attestation"] });
    expect(graph.nodes.find((n) => n.digest === sha256(image))).toMatchObject({ role: "platform-manifest", platform: { os: "linux", architecture: "amd64" } });
    // The attestation is not listed as a platform of its own.
    expect(graph.edges.filter((e) => e.relation === "platform").map((e) => e.to)).toEqual([sha256(image)]);
  });
});

describe("browsing Distribution 2.8", () => {
  it("pages the catalog past 1,000 repositories by its Link header", async () => {
    const target = { url: registry.url };
    const blob = Buffer.from("{}");
    await pushBlob(target, "bulk/seed", sha256(blob), blob);
    const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciManifest, artifactType: "application/vnd.example.bulk", config: { mediaType: MediaType.OciEmpty, digest: sha256(blob), size: 2 }, layers: [{ mediaType: MediaType.OciEmpty, digest: sha256(blob), size: 2 }] }));
    const names = Array.from({ length: 1005 }, (_, i) => `bulk/repo-${String(i).padStart(4, "0")}`);
    for (let i = 0; i < names.length; i += 25) {
      await Promise.all(
        names.slice(i, i + 25).map(async (name) => {
          const mount = await fetch(`${registry.url}/v2/${name}/blobs/uploads/?mount=${sha256(blob)}&from=bulk/seed`, { method: "POST" });
          await mount.body?.cancel();
          await pushManifest(target, name, "v1", manifest, MediaType.OciManifest);
        }),
      );
    }
    const small = new RegistryClient({ host: registry.host, plainHttp: true, pageSize: 400 });
    const all: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await small.catalogPage({ cursor });
      all.push(...page.items);
      cursor = page.next;
      pages++;
    } while (cursor);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(new Set(all).size).toBe(all.length);
    for (const n of [...names, "regclient/testrepo", "oras/artifacts"]) expect(all).toContain(n);
  });

  it("lists every tag of a repository", async () => {
    const tags = await client.listTags("regclient/testrepo");
    const layout = layouts.get("regclient/testrepo")!;
    // The layout's own tags, plus the referrers tags the push created for subjects that had none.
    const subjects = [...layout.manifests.values()].map((m) => m.json.subject?.digest).filter(Boolean) as string[];
    const expected = new Set([...(layout.entries.map((e) => e.tag).filter(Boolean) as string[]), ...subjects.map((d) => d.replace(":", "-"))]);
    expect(tags.sort()).toEqual([...expected].sort());
  });

  it("reads manifests by tag and digest and verifies blobs", async () => {
    const byTag = await client.getManifest("regclient/testrepo", "v2");
    expect(byTag.manifest.kind).toBe("index");
    const byDigest = await client.getManifest("regclient/testrepo", byTag.descriptor.digest);
    expect(byDigest.descriptor).toEqual(byTag.descriptor);
    const head = await client.headManifest("regclient/testrepo", "v2");
    expect(head.digest).toBe(byTag.descriptor.digest);
    const child = await client.getManifest("regclient/testrepo", byTag.manifest.kind === "index" ? byTag.manifest.manifests[0].digest : "");
    const config = child.manifest.kind === "image" ? child.manifest.config : undefined;
    const blob = await client.getBlob("regclient/testrepo", config!.digest);
    expect(blob.bytes.byteLength).toBe(config!.size);
    const capped = await client.getBlob("regclient/testrepo", config!.digest, { maxBytes: 10 });
    expect(capped).toMatchObject({ truncated: true });
    expect(capped.bytes.byteLength).toBe(10);
  });

  it("deletes a manifest by digest", async () => {
    const target = { url: registry.url };
    const blob = Buffer.from("{}");
    await pushBlob(target, "deleteme/app", sha256(blob), blob);
    const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciManifest, artifactType: "application/vnd.example.delete", config: { mediaType: MediaType.OciEmpty, digest: sha256(blob), size: 2 }, layers: [] }));
    await pushManifest(target, "deleteme/app", "v1", manifest, MediaType.OciManifest);
    await client.deleteManifest("deleteme/app", sha256(manifest));
    await expect(client.getManifest("deleteme/app", sha256(manifest))).rejects.toMatchObject({ code: "NOT_FOUND", status: 404 });
  });
});
