/** Media types the client knows by name. Unknown types are carried as strings, never rejected. */
export const MediaType = {
  OciManifest: "application/vnd.oci.image.manifest.v1+json",
  OciIndex: "application/vnd.oci.image.index.v1+json",
  OciConfig: "application/vnd.oci.image.config.v1+json",
  OciEmpty: "application/vnd.oci.empty.v1+json",
  OciLayerTar: "application/vnd.oci.image.layer.v1.tar",
  OciLayerTarGzip: "application/vnd.oci.image.layer.v1.tar+gzip",
  OciLayerTarZstd: "application/vnd.oci.image.layer.v1.tar+zstd",
  /** Removed from image-spec in v1.1.0-rc3; still found in registries. */
  OciArtifactManifest: "application/vnd.oci.artifact.manifest.v1+json",
  OrasArtifactManifest: "application/vnd.cncf.oras.artifact.manifest.v1+json",
  DockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  DockerManifestList: "application/vnd.docker.distribution.manifest.list.v2+json",
  DockerConfig: "application/vnd.docker.container.image.v1+json",
  DockerLayer: "application/vnd.docker.image.rootfs.diff.tar.gzip",
  DockerForeignLayer: "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
  DockerSchema1: "application/vnd.docker.distribution.manifest.v1+json",
  DockerSchema1Signed: "application/vnd.docker.distribution.manifest.v1+prettyjws",
} as const;

/** Digest of the empty JSON object `{}` used by artifacts without config. */
export const EMPTY_DESCRIPTOR_DIGEST = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

/** Every manifest type the client asks for (distribution-spec content negotiation). */
export const MANIFEST_ACCEPT = [
  MediaType.OciIndex,
  MediaType.OciManifest,
  MediaType.DockerManifestList,
  MediaType.DockerManifest,
  MediaType.OciArtifactManifest,
  MediaType.OrasArtifactManifest,
] as const;

export const INDEX_TYPES: ReadonlySet<string> = new Set([MediaType.OciIndex, MediaType.DockerManifestList]);
export const SCHEMA1_TYPES: ReadonlySet<string> = new Set([MediaType.DockerSchema1, MediaType.DockerSchema1Signed]);

/** `application/json; charset=utf-8` → `application/json`. */
export function baseMediaType(contentType: string | null | undefined): string {
  if (!contentType) return "";
  return contentType.split(";")[0].trim().toLowerCase();
}

export function isIndexType(mediaType: string | undefined): boolean {
  return mediaType !== undefined && INDEX_TYPES.has(baseMediaType(mediaType));
}

export function isManifestType(mediaType: string | undefined): boolean {
  return mediaType !== undefined && (MANIFEST_ACCEPT as readonly string[]).includes(baseMediaType(mediaType));
}

/** Annotation keys with a meaning to the client. */
export const Annotation = {
  Created: "org.opencontainers.image.created",
  ArtifactCreated: "org.opencontainers.artifact.created",
  OrasArtifactCreated: "io.cncf.oras.artifact.created",
  RefName: "org.opencontainers.image.ref.name",
  Title: "org.opencontainers.image.title",
  DockerReferenceType: "vnd.docker.reference.type",
  DockerReferenceDigest: "vnd.docker.reference.digest",
  FiltersApplied: "org.opencontainers.referrers.filtersApplied",
} as const;

/** Blob media types a person knows by another name. */
const BLOB_LABELS: Record<string, string> = {
  [MediaType.OciConfig]: "OCI image config",
  [MediaType.DockerConfig]: "Docker image config",
  [MediaType.OciEmpty]: "empty ({})",
  [MediaType.OciLayerTar]: "layer (tar)",
  [MediaType.OciLayerTarGzip]: "layer (tar+gzip)",
  [MediaType.OciLayerTarZstd]: "layer (tar+zstd)",
  [MediaType.DockerLayer]: "Docker layer (tar+gzip)",
  [MediaType.DockerForeignLayer]: "Docker foreign layer",
};

/** "OCI image config (application/vnd.oci.image.config.v1+json)", or the type itself, or undefined. */
export function describeBlobType(mediaType: string | undefined): string | undefined {
  if (!mediaType) return undefined;
  const label = BLOB_LABELS[baseMediaType(mediaType)];
  return label ? `${label} · ${mediaType}` : mediaType;
}

/**
 * The empty descriptor (`{}`, 2 bytes) that artifacts without a config carry:
 * nothing to preview.
 */
export function isEmptyDescriptor(d: { mediaType: string; digest: string; size: number }): boolean {
  return d.digest === EMPTY_DESCRIPTOR_DIGEST || (baseMediaType(d.mediaType) === MediaType.OciEmpty && d.size <= 2);
}
