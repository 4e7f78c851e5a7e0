import { Annotation, MediaType } from "../oci/media-types";
import type { CosignSuffix } from "../oci/digest";

/**
 * What an artifact is, decided by a table of rules over its artifact type,
 * layer media types, annotations and how it was attached. First match wins.
 */

export type ArtifactKind = "image" | "index" | "signature" | "sbom" | "attestation" | "vulnerability-scan" | "other";

export interface Classification {
  kind: ArtifactKind;
  /** The producer or format, e.g. notation, cosign, spdx, cyclonedx, sarif, helm. */
  format: string;
  /** Short human label, e.g. "Notary Project signature". */
  label: string;
}

export interface ClassifyInput {
  /** artifactType, or the config media type when there is none. */
  artifactType?: string;
  mediaType?: string;
  configMediaType?: string;
  layerMediaTypes?: string[];
  annotations?: Record<string, string>;
  /** Set when the artifact was found through a cosign `.sig/.att/.sbom` tag. */
  cosignSuffix?: CosignSuffix;
  /** Set when found as a BuildKit attestation manifest inside an index. */
  buildkitAttestation?: boolean;
}

interface Rule {
  when: (i: Required<Pick<ClassifyInput, "layerMediaTypes" | "annotations">> & ClassifyInput & { type: string }) => boolean;
  kind: ArtifactKind;
  format: string;
  label: string;
}

const SIGSTORE_SIGN_PREDICATE = "https://sigstore.dev/cosign/sign/v1";
const layer = (i: { layerMediaTypes: string[] }, ...types: string[]) => i.layerMediaTypes.some((t) => types.includes(t));
const typeIs = (...types: string[]) => (i: { type: string }) => types.includes(i.type);
const typeHas = (re: RegExp) => (i: { type: string }) => re.test(i.type);
const isProvenance = (p: string | undefined) => !!p && /provenance/i.test(p);

export const CLASSIFICATION_RULES: readonly Rule[] = [
  // Signatures
  { when: typeIs("application/vnd.cncf.notary.signature", "application/vnd.cncf.notary.v2.signature"), kind: "signature", format: "notation", label: "Notary Project signature" },
  {
    when: (i) => i.type.startsWith("application/vnd.dev.sigstore.bundle") &&
      (i.annotations["dev.sigstore.bundle.content"] === "message-signature" || i.annotations["dev.sigstore.bundle.predicateType"] === SIGSTORE_SIGN_PREDICATE || !i.annotations["dev.sigstore.bundle.predicateType"]),
    kind: "signature", format: "sigstore-bundle", label: "Sigstore bundle signature",
  },
  { when: (i) => i.type.startsWith("application/vnd.dev.sigstore.bundle"), kind: "attestation", format: "sigstore-bundle", label: "Sigstore bundle attestation" },
  { when: typeIs("application/vnd.dev.cosign.artifact.sig.v1+json"), kind: "signature", format: "cosign", label: "cosign signature (OCI 1.1)" },
  { when: (i) => i.cosignSuffix === "sig" || layer(i, "application/vnd.dev.cosign.simplesigning.v1+json"), kind: "signature", format: "cosign", label: "cosign signature" },
  // Attestations
  { when: (i) => i.buildkitAttestation === true || i.annotations[Annotation.DockerReferenceType] === "attestation-manifest", kind: "attestation", format: "buildkit", label: "BuildKit attestation" },
  { when: typeIs("application/vnd.dev.cosign.artifact.att.v1+json"), kind: "attestation", format: "cosign", label: "cosign attestation (OCI 1.1)" },
  { when: (i) => i.cosignSuffix === "att", kind: "attestation", format: "cosign", label: "cosign attestation" },
  {
    when: (i) => (i.type === "application/vnd.in-toto+json" || i.type === "application/vnd.dsse.envelope.v1+json" || layer(i, "application/vnd.in-toto+json", "application/vnd.dsse.envelope.v1+json")) &&
      isProvenance(i.annotations["predicateType"] ?? i.annotations["in-toto.io/predicate-type"]),
    kind: "attestation", format: "provenance", label: "provenance attestation",
  },
  { when: (i) => i.type === "application/vnd.in-toto+json" || i.type === "application/vnd.dsse.envelope.v1+json" || layer(i, "application/vnd.in-toto+json", "application/vnd.dsse.envelope.v1+json"), kind: "attestation", format: "in-toto", label: "in-toto attestation" },
  // SBOMs
  { when: typeIs("application/spdx+json", "application/spdx", "text/spdx", "text/spdx+json", "application/vnd.spdx+json"), kind: "sbom", format: "spdx", label: "SPDX SBOM" },
  { when: typeIs("application/vnd.cyclonedx+json", "application/vnd.cyclonedx+xml", "application/vnd.cyclonedx"), kind: "sbom", format: "cyclonedx", label: "CycloneDX SBOM" },
  { when: typeIs("application/vnd.syft+json"), kind: "sbom", format: "syft", label: "Syft SBOM" },
  { when: (i) => i.type === "application/vnd.dev.cosign.artifact.sbom.v1+json" || i.cosignSuffix === "sbom", kind: "sbom", format: "cosign", label: "cosign SBOM" },
  { when: (i) => layer(i, "application/spdx+json", "text/spdx", "text/spdx+json"), kind: "sbom", format: "spdx", label: "SPDX SBOM" },
  { when: (i) => layer(i, "application/vnd.cyclonedx+json", "application/vnd.cyclonedx+xml"), kind: "sbom", format: "cyclonedx", label: "CycloneDX SBOM" },
  // Vulnerability scans
  { when: (i) => i.type === "application/sarif+json" || layer(i, "application/sarif+json"), kind: "vulnerability-scan", format: "sarif", label: "SARIF scan result" },
  { when: typeHas(/trivy/i), kind: "vulnerability-scan", format: "trivy", label: "Trivy scan result" },
  { when: typeHas(/cosign.*vuln|vuln(erabilit(y|ies))?[./+-]|scan[-_.]?results?|(^|[./+-])scan([./+-]|$)/i), kind: "vulnerability-scan", format: "unknown", label: "scan result" },
  // Other well-known artifacts
  { when: (i) => i.configMediaType === "application/vnd.cncf.helm.config.v1+json" || i.type === "application/vnd.cncf.helm.config.v1+json", kind: "other", format: "helm", label: "Helm chart" },
  { when: (i) => /^application\/vnd\.wasm\.config\.v\d\+json$/.test(i.type) || layer(i, "application/wasm", "application/vnd.wasm.content.layer.v1+wasm"), kind: "other", format: "wasm", label: "WebAssembly module" },
  // Generic names in artifact types (e.g. application/example.sbom, test/signature.file, snyk.scan-results.v1)
  { when: typeHas(/sbom|spdx|cyclonedx/i), kind: "sbom", format: "unknown", label: "SBOM" },
  { when: typeHas(/signature|\.sig$/i), kind: "signature", format: "unknown", label: "signature" },
  { when: typeHas(/attestation|in-toto|provenance/i), kind: "attestation", format: "unknown", label: "attestation" },
  // Images and indexes
  { when: (i) => i.type === MediaType.OciConfig || i.type === MediaType.DockerConfig, kind: "image", format: "container", label: "container image" },
  { when: (i) => i.mediaType === MediaType.OciIndex || i.mediaType === MediaType.DockerManifestList, kind: "index", format: "index", label: "image index" },
  // Chainsight's own annotations-only artifacts (lib/metadata): metadata added to an artifact after the fact.
  { when: typeIs("application/vnd.chainsight.deletion-date.v1"), kind: "other", format: "metadata", label: "deletion date" },
  { when: typeIs("application/vnd.chainsight.new-version.v1"), kind: "other", format: "metadata", label: "superseded by" },
  { when: typeIs("application/vnd.chainsight.review.v1"), kind: "other", format: "metadata", label: "review mark" },
  { when: typeIs("application/vnd.chainsight.annotations.v1"), kind: "other", format: "metadata", label: "annotations" },
  { when: typeHas(/annotation/i), kind: "other", format: "annotations", label: "annotations" },
];

export function classify(input: ClassifyInput): Classification {
  const i = {
    ...input,
    type: (input.artifactType ?? input.configMediaType ?? "").toLowerCase(),
    layerMediaTypes: input.layerMediaTypes ?? [],
    annotations: input.annotations ?? {},
  };
  for (const rule of CLASSIFICATION_RULES) {
    if (rule.when(i)) return { kind: rule.kind, format: rule.format, label: rule.label };
  }
  return { kind: "other", format: "unknown", label: input.artifactType ?? input.configMediaType ?? "artifact" };
}
