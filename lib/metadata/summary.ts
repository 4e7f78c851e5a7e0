import { newestValue, type AnnotatedArtifact, type NewestValue } from "./newest";
import { MetadataArtifactType, MetadataKey } from "./keys";

/** What a metadata artifact says, in a few words ("deletion date 2027-01-31"), for a graph node or a list; undefined for other artifacts. */
export function metadataSummary(artifactType: string | undefined, annotations: Record<string, string> | undefined): string | undefined {
  const a = annotations ?? {};
  switch (artifactType) {
    case MetadataArtifactType["deletion-date"]:
      return `deletion date ${a[MetadataKey.DeletionDate] ?? "?"}`;
    case MetadataArtifactType["new-version"]:
      return `superseded by ${a[MetadataKey.NewVersion] ?? "?"}`;
    case MetadataArtifactType.review:
      return `${a[MetadataKey.ReviewStatus] ?? "reviewed"}${a[MetadataKey.ReviewEnvironment] ? ` for ${a[MetadataKey.ReviewEnvironment]}` : ""} by ${a[MetadataKey.ReviewBy] ?? "?"}`;
    case MetadataArtifactType.annotations:
      return Object.entries(a)
        .filter(([k]) => k !== "org.opencontainers.image.created")
        .slice(0, 3)
        .map(([k, v]) => `${k}=${v}`)
        .join(", ");
    default:
      return undefined;
  }
}

/** What metadata says of an image now: the newest deletion date and "superseded by", the newest review per environment. */
export interface ImageMetadata {
  deletionDate?: NewestValue;
  supersededBy?: NewestValue;
  reviews: { status: string; environment?: string; by?: string; at?: string; digest: string }[];
}

export function imageMetadata(own: Record<string, string> | undefined, attached: AnnotatedArtifact[], keys: { deletionDate: readonly string[]; newVersion: readonly string[] }): ImageMetadata {
  const reviews = new Map<string, ImageMetadata["reviews"][number] & { time: number }>();
  for (const a of attached) {
    const status = a.annotations?.[MetadataKey.ReviewStatus];
    if (!status) continue;
    const environment = a.annotations?.[MetadataKey.ReviewEnvironment];
    const time = a.created && !Number.isNaN(Date.parse(a.created)) ? Date.parse(a.created) : -Infinity;
    const seen = reviews.get(environment ?? "");
    if (seen && seen.time >= time) continue;
    reviews.set(environment ?? "", { status, environment, by: a.annotations?.[MetadataKey.ReviewBy], at: a.annotations?.[MetadataKey.ReviewAt], digest: a.digest, time });
  }
  return {
    deletionDate: newestValue(own, attached, keys.deletionDate, (v) => !Number.isNaN(Date.parse(v))),
    supersededBy: newestValue(own, attached, keys.newVersion),
    reviews: [...reviews.values()].map(({ time: _time, ...r }) => r),
  };
}
