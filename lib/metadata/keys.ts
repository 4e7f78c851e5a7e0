/**
 * The artifact types and annotation keys of metadata artifacts, apart from
 * the request schema: the graph's nodes name them in the browser, which must
 * not load zod (it probes eval, which the pages' CSP forbids).
 */

export const MetadataArtifactType = {
  "deletion-date": "application/vnd.chainsight.deletion-date.v1",
  "new-version": "application/vnd.chainsight.new-version.v1",
  review: "application/vnd.chainsight.review.v1",
  annotations: "application/vnd.chainsight.annotations.v1",
} as const;

export type MetadataKind = keyof typeof MetadataArtifactType;

export const MetadataKey = {
  DeletionDate: "org.cncf.oras.artifact.deletion-date",
  NewVersion: "org.cncf.oras.artifact.new-version",
  ReviewStatus: "vnd.chainsight.review.status",
  ReviewEnvironment: "vnd.chainsight.review.environment",
  ReviewBy: "vnd.chainsight.review.by",
  ReviewAt: "vnd.chainsight.review.at",
  ReviewNote: "vnd.chainsight.review.note",
} as const;

/** The annotation keys retention reads a deletion date and a newer version from, unless configured otherwise. */
export const DEFAULT_DELETION_DATE_KEYS = ["vnd.example.artifact.deletion-date", MetadataKey.DeletionDate, "io.cncf.oras.artifact.deletion-date"];
export const DEFAULT_NEW_VERSION_KEYS = [MetadataKey.NewVersion, "io.cncf.oras.artifact.new-version"];

/**
 * Keys that say something of the image an artifact is attached to (the newest artifact setting one wins), beside the
 * artifact's own (a scan's title): ours, and the deletion-date and new-version keys retention reads by default.
 */
export const METADATA_KEYS: ReadonlySet<string> = new Set([...Object.values(MetadataKey), ...DEFAULT_DELETION_DATE_KEYS, ...DEFAULT_NEW_VERSION_KEYS]);
