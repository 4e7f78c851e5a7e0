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
