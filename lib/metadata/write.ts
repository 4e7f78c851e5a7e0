import { computeDigest, isDigest } from "../oci/digest";
import { NotFoundError } from "../oci/errors";
import { Annotation, EMPTY_DESCRIPTOR_DIGEST, MediaType } from "../oci/media-types";
import { validateReference } from "../oci/reference";
import { addToReferrersTags, type ReferrersTagResult } from "../oci/referrers-tag";
import type { Descriptor } from "../oci/schemas";
import type { Store } from "../oci/store";
import { annotationsFor, MetadataArtifactType, MetadataInputError, type MetadataRequest } from "./request";

/**
 * The annotations-only artifact of a metadata request, made before anything
 * is written (the preview: the exact bytes that will be pushed), then
 * written: the empty blob if the repository lacks it, the manifest by
 * digest, and, where the registry has no referrers API, the subject's
 * referrers tag index (lib/oci/referrers-tag.ts).
 */

const EMPTY = { mediaType: MediaType.OciEmpty, digest: EMPTY_DESCRIPTOR_DIGEST, size: 2 } as const;
const EMPTY_BYTES = new TextEncoder().encode("{}");

export interface MetadataPreview {
  subject: Descriptor;
  /** The subject as the user named it (tag or digest). */
  reference: string;
  artifactType: string;
  annotations: Record<string, string>;
  /** The manifest that will be pushed, as JSON text: its bytes are what is written. */
  manifest: string;
  digest: string;
  size: number;
  /** The time in `org.opencontainers.image.created` (sent back to write exactly this preview). */
  created: string;
}

/** What writing needs of a store beyond Store (RegistryClient and LayoutStore have it). */
export interface MetadataWriter {
  pushBlob(repository: string, digest: string, size: number, chunks: AsyncIterable<Uint8Array>): Promise<number>;
}

export interface MetadataWritten {
  digest: string;
  /** Written where the registry has no referrers API. */
  referrersTag?: ReferrersTagResult;
}

/** The manifest's bytes: fields in a fixed order, annotations sorted, so one request and one time give one digest. */
export function metadataManifest(artifactType: string, subject: Descriptor, annotations: Record<string, string>): Uint8Array {
  const sorted = Object.fromEntries(Object.entries(annotations).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return new TextEncoder().encode(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      artifactType,
      config: EMPTY,
      // One empty layer: image-spec 1.1 asks for at least one for portability, and some registries refuse none.
      layers: [EMPTY],
      subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
      annotations: sorted,
    }),
  );
}

/** "superseded by": a tag or digest of the same repository, as `repository:tag@digest` (or `repository@digest`). */
async function resolveNewVersion(store: Store, repository: string, ref: string): Promise<string> {
  try {
    validateReference(ref);
  } catch {
    throw new MetadataInputError(`newVersion: ${JSON.stringify(ref.slice(0, 80))} is not a tag or a digest of ${repository}`, "newVersion");
  }
  try {
    const d = await store.headManifest(repository, ref);
    return isDigest(ref) ? `${repository}@${d.digest}` : `${repository}:${ref}@${d.digest}`;
  } catch (err) {
    if (err instanceof NotFoundError) throw new MetadataInputError(`newVersion: ${repository} has no ${isDigest(ref) ? "manifest" : "tag"} ${ref}`, "newVersion");
    throw err;
  }
}

/**
 * The preview of a request for `repository` at `reference`. `created` is the
 * preview's time when writing what was previewed (the same bytes again).
 */
export async function previewMetadata(store: Store, repository: string, reference: string, req: MetadataRequest, context: { reviewer: string; now: Date }): Promise<MetadataPreview> {
  const subject = await store.headManifest(repository, reference);
  const newVersion = req.kind === "new-version" && req.newVersion ? await resolveNewVersion(store, repository, req.newVersion.trim()) : undefined;
  if (newVersion && newVersion.endsWith(`@${subject.digest}`)) throw new MetadataInputError("newVersion: an artifact cannot be superseded by itself", "newVersion");
  const created = context.now.toISOString();
  const annotations = { ...annotationsFor(req, { reviewer: context.reviewer, now: context.now, newVersion }), [Annotation.Created]: created };
  const artifactType = MetadataArtifactType[req.kind];
  const bytes = metadataManifest(artifactType, subject, annotations);
  return { subject, reference, artifactType, annotations, manifest: new TextDecoder().decode(bytes), digest: computeDigest(bytes), size: bytes.byteLength, created };
}

/** Write a preview: the empty blob, the manifest, then the referrers tag where there is no referrers API. */
export async function writeMetadata(store: Store, blobs: MetadataWriter, repository: string, preview: MetadataPreview): Promise<MetadataWritten> {
  const bytes = new TextEncoder().encode(preview.manifest);
  if (!(await store.hasBlob(repository, EMPTY.digest))) {
    await blobs.pushBlob(
      repository,
      EMPTY.digest,
      EMPTY.size,
      (async function* () {
        yield EMPTY_BYTES;
      })(),
    );
  }
  await store.putManifest(repository, preview.digest, bytes, MediaType.OciManifest);
  const probe = await store.referrers(repository, preview.subject.digest).catch(() => ({ supported: false }));
  if (probe.supported) return { digest: preview.digest };
  const [referrersTag] = await addToReferrersTags(store, repository, new Map([[preview.subject.digest, [{ mediaType: MediaType.OciManifest, digest: preview.digest, size: preview.size, artifactType: preview.artifactType, annotations: preview.annotations }]]]));
  return { digest: preview.digest, referrersTag };
}
