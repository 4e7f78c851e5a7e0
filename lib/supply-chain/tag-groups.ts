import { parseDigestTag, type DigestTag } from "../oci/digest";

/**
 * Split a repository's tags into the tags people gave to images and the tags
 * tools derive from a digest (referrers-tag-schema indexes `sha256-<hex>`,
 * cosign's `sha256-<hex>.sig/.att/.sbom`, other suffixes such as `.meta`),
 * the latter grouped by the subject digest they belong to.
 */

export interface TagGroups {
  /** Ordinary tags, in the order given. */
  images: string[];
  /** Subject digest → the digest tags that hang off it. */
  bySubject: Map<string, DigestTag[]>;
}

export function groupTags(tags: readonly string[]): TagGroups {
  const images: string[] = [];
  const bySubject = new Map<string, DigestTag[]>();
  for (const tag of tags) {
    const parsed = parseDigestTag(tag);
    if (!parsed) {
      images.push(tag);
      continue;
    }
    const list = bySubject.get(parsed.subjectDigest) ?? [];
    list.push(parsed);
    bySubject.set(parsed.subjectDigest, list);
  }
  return { images, bySubject };
}

/** How a digest tag attaches something: the referrers tag schema, a cosign tag, or another tool's suffix. */
export function digestTagKind(t: DigestTag): "referrers-index" | "cosign-signature" | "cosign-attestation" | "cosign-sbom" | "other" {
  if (t.kind === "referrers") return "referrers-index";
  if (t.kind === "cosign") return t.suffix === "sig" ? "cosign-signature" : t.suffix === "att" ? "cosign-attestation" : "cosign-sbom";
  return "other";
}
