import { describe, expect, it } from "vitest";
import { classify } from "./classify";
import { createdOf } from "./created";

describe("classify", () => {
  it.each([
    [{ artifactType: "application/vnd.cncf.notary.signature" }, "signature", "notation"],
    [{ configMediaType: "application/vnd.cncf.notary.signature" }, "signature", "notation"],
    [{ artifactType: "application/vnd.dev.cosign.artifact.sig.v1+json" }, "signature", "cosign"],
    [{ artifactType: "application/vnd.oci.image.config.v1+json", cosignSuffix: "sig" as const }, "signature", "cosign"],
    [{ artifactType: "application/vnd.oci.image.config.v1+json", layerMediaTypes: ["application/vnd.dev.cosign.simplesigning.v1+json"] }, "signature", "cosign"],
    [{ artifactType: "application/vnd.dev.sigstore.bundle.v0.3+json", annotations: { "dev.sigstore.bundle.predicateType": "https://sigstore.dev/cosign/sign/v1" } }, "signature", "sigstore-bundle"],
    [{ artifactType: "application/vnd.dev.sigstore.bundle.v0.3+json", annotations: { "dev.sigstore.bundle.predicateType": "https://slsa.dev/provenance/v1" } }, "attestation", "sigstore-bundle"],
    [{ artifactType: "application/spdx+json" }, "sbom", "spdx"],
    [{ artifactType: "text/spdx" }, "sbom", "spdx"],
    [{ artifactType: "application/vnd.cyclonedx+json" }, "sbom", "cyclonedx"],
    [{ artifactType: "application/vnd.syft+json" }, "sbom", "syft"],
    [{ artifactType: "application/vnd.oci.image.config.v1+json", cosignSuffix: "sbom" as const }, "sbom", "cosign"],
    [{ artifactType: "application/vnd.in-toto+json" }, "attestation", "in-toto"],
    [{ artifactType: "application/vnd.oci.image.config.v1+json", cosignSuffix: "att" as const, layerMediaTypes: ["application/vnd.dsse.envelope.v1+json"] }, "attestation", "cosign"],
    [{ artifactType: "application/vnd.in-toto+json", annotations: { "in-toto.io/predicate-type": "https://slsa.dev/provenance/v0.2" } }, "attestation", "provenance"],
    [{ artifactType: "application/vnd.oci.image.config.v1+json", buildkitAttestation: true }, "attestation", "buildkit"],
    [{ artifactType: "application/sarif+json" }, "vulnerability-scan", "sarif"],
    [{ artifactType: "application/vnd.aquasec.trivy.report+json" }, "vulnerability-scan", "trivy"],
    [{ artifactType: "snyk.scan-results.v1" }, "vulnerability-scan", "unknown"],
    [{ configMediaType: "application/vnd.cncf.helm.config.v1+json" }, "other", "helm"],
    [{ artifactType: "application/vnd.wasm.config.v0+json" }, "other", "wasm"],
    [{ artifactType: "application/example.sbom" }, "sbom", "unknown"],
    [{ artifactType: "test/signature.file" }, "signature", "unknown"],
    [{ artifactType: "application/vnd.oci.image.config.v1+json" }, "image", "container"],
    [{ mediaType: "application/vnd.oci.image.index.v1+json" }, "index", "index"],
    [{ artifactType: "application/x.totally-unknown" }, "other", "unknown"],
  ])("%j is %s/%s", (input, kind, format) => {
    expect(classify(input)).toMatchObject({ kind, format });
  });
});

describe("createdOf", () => {
  it("reads the current and the pre-GA keys", () => {
    expect(createdOf({ "org.opencontainers.image.created": "2023-01-18T08:37:42Z" })).toBe("2023-01-18T08:37:42.000Z");
    expect(createdOf({ "org.opencontainers.artifact.created": "2022-05-02T08:24:33+02:00" })).toBe("2022-05-02T06:24:33.000Z");
    expect(createdOf({ "io.cncf.oras.artifact.created": "2021-01-01T00:00:00Z" })).toBe("2021-01-01T00:00:00.000Z");
    expect(createdOf({ "org.opencontainers.image.created": "yesterday" })).toBeUndefined();
    expect(createdOf(undefined)).toBeUndefined();
  });
});
