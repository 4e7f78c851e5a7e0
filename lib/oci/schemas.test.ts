import { describe, expect, it } from "vitest";
import { MediaType } from "./media-types";
import { artifactTypeOf, blobsOf, childrenOf, ManifestParseError, parseManifest } from "./schemas";

const D = (c: string) => `sha256:${c.repeat(64)}`;
const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));
const desc = (mediaType: string, c = "a", extra: object = {}) => ({ mediaType, digest: D(c), size: 10, ...extra });

describe("parseManifest", () => {
  it("reads an OCI image manifest with artifactType, subject and unknown fields", () => {
    const m = parseManifest(
      enc({
        schemaVersion: 2,
        mediaType: MediaType.OciManifest,
        artifactType: "application/vnd.cncf.notary.signature",
        config: desc(MediaType.OciEmpty),
        layers: [desc("application/jose+json", "b")],
        subject: desc(MediaType.OciManifest, "c"),
        annotations: { "io.cncf.notary.x509chain.thumbprint#S256": "[]" },
        futureField: { anything: true },
      }),
      MediaType.OciManifest,
    );
    expect(m.kind).toBe("image");
    expect(m.subject?.digest).toBe(D("c"));
    expect(artifactTypeOf(m)).toBe("application/vnd.cncf.notary.signature");
    expect(blobsOf(m).map((b) => b.mediaType)).toEqual([MediaType.OciEmpty, "application/jose+json"]);
  });

  it("reads an index with platforms and subject, and a Docker manifest list", () => {
    const idx = parseManifest(
      enc({ schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [desc(MediaType.OciManifest, "a", { platform: { os: "linux", architecture: "arm", variant: "v7" } })], subject: desc(MediaType.OciIndex, "d") }),
    );
    expect(idx.kind).toBe("index");
    expect(childrenOf(idx)[0].platform).toEqual({ os: "linux", architecture: "arm", variant: "v7" });
    expect(idx.subject?.digest).toBe(D("d"));
    const list = parseManifest(enc({ schemaVersion: 2, mediaType: MediaType.DockerManifestList, manifests: [desc(MediaType.DockerManifest)] }), MediaType.DockerManifestList);
    expect(list.kind).toBe("docker-list");
  });

  it("reads Docker v2 manifests and uses the config type as artifact type", () => {
    const m = parseManifest(enc({ schemaVersion: 2, mediaType: MediaType.DockerManifest, config: desc(MediaType.DockerConfig), layers: [desc(MediaType.DockerLayer, "b")] }));
    expect(m.kind).toBe("docker-manifest");
    expect(artifactTypeOf(m)).toBe(MediaType.DockerConfig);
  });

  it("reads the deprecated OCI artifact manifest and the ORAS artifact manifest", () => {
    const oci = parseManifest(enc({ mediaType: MediaType.OciArtifactManifest, artifactType: "application/vnd.example.sbom", blobs: [desc("text/plain")], subject: desc(MediaType.OciManifest, "c") }));
    expect(oci).toMatchObject({ kind: "oci-artifact", artifactType: "application/vnd.example.sbom" });
    const oras = parseManifest(enc({ mediaType: MediaType.OrasArtifactManifest, artifactType: "sbom/example", subject: desc(MediaType.OciManifest, "c"), annotations: { "io.cncf.oras.artifact.created": "2022-05-02T08:24:33Z" } }));
    expect(oras).toMatchObject({ kind: "oras-artifact", blobs: [] });
    expect(oras.subject?.digest).toBe(D("c"));
  });

  it("recognises schema1 and reports it unsupported", () => {
    const m = parseManifest(enc({ schemaVersion: 1, name: "x", tag: "y", fsLayers: [] }), MediaType.DockerSchema1Signed);
    expect(m.kind).toBe("schema1");
    expect(m.kind === "schema1" && m.unsupported).toMatch(/not supported/);
  });

  it("keeps unknown media types without failing", () => {
    const m = parseManifest(enc({ mediaType: "application/vnd.future.manifest.v9+json", artifactType: "x/y", annotations: { a: "b" } }));
    expect(m).toMatchObject({ kind: "unknown", mediaType: "application/vnd.future.manifest.v9+json", artifactType: "x/y", annotations: { a: "b" } });
  });

  it("names the bad field of a malformed manifest", () => {
    expect(() => parseManifest(enc({ schemaVersion: 2, mediaType: MediaType.OciManifest, config: { mediaType: "x", digest: "nope", size: 1 }, layers: [] }))).toThrow(
      /field "config.digest"/,
    );
    expect(() => parseManifest(enc({ schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: "no" }))).toThrow(/field "manifests"/);
    expect(() => parseManifest(new TextEncoder().encode("<html>"))).toThrow(ManifestParseError);
    expect(() => parseManifest(enc([1, 2]))).toThrow(/not a JSON object/);
  });

  it("rejects a mediaType that contradicts the Content-Type", () => {
    expect(() => parseManifest(enc({ schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [] }), MediaType.OciManifest)).toThrow(/contradicts/);
  });
});
