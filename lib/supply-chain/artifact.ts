import { Annotation, MediaType } from "../oci/media-types";
import { artifactTypeOf, blobsOf, childrenOf, type Descriptor, type Manifest, type Platform } from "../oci/schemas";
import type { FetchedManifest, Store } from "../oci/store";
import { classify, type Classification } from "./classify";
import { createdOf } from "./created";

/**
 * What a tag or digest points at, in the terms a person reads: kind, artifact
 * type, created date, platforms, total size. Reads the manifest (given) and,
 * for the created date of an image, its config blob.
 */

export interface PlatformEntry {
  digest: string;
  mediaType: string;
  /** Size of the platform's manifest. */
  size: number;
  platform?: Platform;
  /** The platform image's config plus layers, in bytes (when its manifest could be read). */
  contentSize?: number;
}

export interface ArtifactSummary {
  digest: string;
  mediaType: string;
  /** Size of the manifest itself. */
  size: number;
  manifestKind: Manifest["kind"];
  artifactType?: string;
  classification: Classification;
  created?: string;
  /** Index: its platform images (attestation manifests excluded). */
  platforms?: PlatformEntry[];
  /**
   * What a person means by "the size": for an image (or artifact) its config
   * plus layers (or blobs); for an index every platform image's config and
   * layers, a layer shared between platforms counted once.
   */
  contentSize?: number;
  subject?: string;
}

const CONFIG_TYPES = new Set<string>([MediaType.OciConfig, MediaType.DockerConfig]);

export function platformsOf(m: Manifest): PlatformEntry[] | undefined {
  if (m.kind !== "index" && m.kind !== "docker-list") return undefined;
  return childrenOf(m)
    .filter((c) => c.annotations?.[Annotation.DockerReferenceType] === undefined)
    .map((c) => ({ digest: c.digest, mediaType: c.mediaType, size: c.size, platform: c.platform }));
}

export function describeManifest(fetched: FetchedManifest): ArtifactSummary {
  const m = fetched.manifest;
  const artifactType = artifactTypeOf(m);
  const blobs = blobsOf(m);
  const configMediaType = m.kind === "image" || m.kind === "docker-manifest" ? m.config.mediaType : undefined;
  const platforms = platformsOf(m);
  return {
    digest: fetched.descriptor.digest,
    mediaType: fetched.descriptor.mediaType,
    size: fetched.descriptor.size,
    manifestKind: m.kind,
    artifactType,
    classification: classify({
      artifactType: m.artifactType ?? configMediaType,
      mediaType: m.mediaType,
      configMediaType,
      layerMediaTypes: blobs.slice(configMediaType ? 1 : 0).map((b) => b.mediaType),
      annotations: m.annotations,
    }),
    created: createdOf(m.annotations),
    platforms,
    contentSize: platforms ? undefined : blobs.reduce((n, b) => n + b.size, 0),
    subject: m.subject?.digest,
  };
}

/**
 * The summary with a created date wherever one can be found: the manifest's
 * annotations, else an image config's `created`, else (for an index) its first
 * platform image's.
 */
export async function summarizeArtifact(store: Store, repository: string, fetched: FetchedManifest): Promise<ArtifactSummary> {
  const summary = describeManifest(fetched);
  const [created] = await Promise.all([
    summary.created ? summary.created : createdFromContent(store, repository, fetched.manifest, 0),
    summary.platforms ? sizePlatforms(store, repository, summary) : undefined,
  ]);
  summary.created = created;
  return summary;
}

/**
 * Each platform image's size, and the index's total with shared layers
 * counted once (what pulling every platform would transfer). The platform
 * manifests are read by digest, so they come from the cache after the first
 * time. Left unset when a platform manifest cannot be read.
 */
async function sizePlatforms(store: Store, repository: string, summary: ArtifactSummary): Promise<void> {
  const sets = await platformBlobs(store, repository, summary.platforms!);
  summary.platforms!.forEach((p, i) => {
    const set = sets[i];
    if (set) p.contentSize = [...set.values()].reduce((n, size) => n + size, 0);
  });
  if (sets.every((set) => set !== undefined)) summary.contentSize = [...unionOf(sets as Map<string, number>[]).values()].reduce((n, size) => n + size, 0);
}

/** The blobs (config and layers, digest → size) of each platform image; undefined where its manifest cannot be read. */
export async function platformBlobs(store: Store, repository: string, platforms: readonly PlatformEntry[]): Promise<(Map<string, number> | undefined)[]> {
  return Promise.all(
    platforms.map(async (p) => {
      try {
        return new Map(blobsOf((await store.getManifest(repository, p.digest)).manifest).map((b) => [b.digest, b.size]));
      } catch {
        return undefined;
      }
    }),
  );
}

/** One map of several, a digest present in more than one counted once. */
export function unionOf(sets: readonly Map<string, number>[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const set of sets) for (const [digest, size] of set) out.set(digest, size);
  return out;
}

async function createdFromContent(store: Store, repository: string, m: Manifest, depth: number): Promise<string | undefined> {
  const fromAnnotations = createdOf(m.annotations);
  if (fromAnnotations) return fromAnnotations;
  if ((m.kind === "image" || m.kind === "docker-manifest") && CONFIG_TYPES.has(m.config.mediaType)) {
    return configCreated(store, repository, m.config);
  }
  const first = platformsOf(m)?.[0];
  if (first && depth === 0) {
    try {
      const child = await store.getManifest(repository, first.digest);
      return createdFromContent(store, repository, child.manifest, depth + 1);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * An image config's created date by the config's digest. Content is immutable
 * by digest and the store checks blobs against theirs, so a date once read
 * holds for every repository and registry: kept (a few dozen bytes each) long
 * after the blob itself has left the blob cache, so sorting by date or
 * re-opening a tag table never reads a config twice. Bounded, oldest out first.
 */
const createdByConfig = new Map<string, string | null>();
const MAX_REMEMBERED_CONFIGS = 500_000;

function rememberConfigCreated(digest: string, created: string | null): void {
  if (createdByConfig.size >= MAX_REMEMBERED_CONFIGS) createdByConfig.delete(createdByConfig.keys().next().value!);
  createdByConfig.set(digest, created);
}

async function configCreated(store: Store, repository: string, config: Descriptor): Promise<string | undefined> {
  const known = createdByConfig.get(config.digest);
  if (known !== undefined) return known ?? undefined;
  let blob;
  try {
    blob = await store.getBlob(repository, config.digest, { maxBytes: 1024 * 1024 });
  } catch {
    return undefined; // a read failure may pass; not remembered
  }
  const created = blob.truncated ? null : createdFromConfig(blob.bytes);
  rememberConfigCreated(config.digest, created);
  return created ?? undefined;
}

function createdFromConfig(bytes: Uint8Array): string | null {
  try {
    const json = JSON.parse(new TextDecoder().decode(bytes)) as { created?: unknown };
    if (typeof json.created !== "string") return null;
    const t = Date.parse(json.created);
    return Number.isNaN(t) ? null : new Date(t).toISOString();
  } catch {
    return null;
  }
}
