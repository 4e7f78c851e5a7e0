import { describeError, NotFoundError } from "../oci/errors";
import { parseDigestTag } from "../oci/digest";
import { childrenOf } from "../oci/schemas";
import type { Store } from "../oci/store";
import { summarizeArtifact } from "../supply-chain/artifact";
import { concurrency, discover } from "../supply-chain/discover";

/**
 * What cleanup could remove, and why: artifacts older than N days, artifacts
 * whose deletion-date annotation has passed (the founding talk's "all
 * artifacts with deletion-date < today"), untagged subjects that only their
 * referrers keep alive, dangling referrers whose subject is gone, and images
 * superseded by a newer version. Each row names the digest a delete plan starts from.
 */

export type RetentionReason = "older-than" | "deletion-date-passed" | "untagged-subject" | "dangling-referrers" | "superseded";

export interface RetentionRow {
  reason: RetentionReason;
  repository: string;
  /** What a delete plan would start from. */
  digest: string;
  tags: string[];
  label: string;
  created?: string;
  detail: string;
}

export interface RetentionOptions {
  olderThanDays: number;
  /** Annotation keys that carry a deletion date. */
  deletionDateKeys: readonly string[];
  /** Annotation keys that name a newer version. */
  newVersionKeys: readonly string[];
  /** Most image tags read per repository. */
  maxTags: number;
  now?: Date;
}

export const DEFAULT_DELETION_DATE_KEYS = ["vnd.example.artifact.deletion-date", "org.cncf.oras.artifact.deletion-date", "io.cncf.oras.artifact.deletion-date"];
export const DEFAULT_NEW_VERSION_KEYS = ["org.cncf.oras.artifact.new-version", "io.cncf.oras.artifact.new-version"];

export async function retentionReport(store: Store, repositories: string[], options: RetentionOptions): Promise<{ rows: RetentionRow[]; warnings: string[] }> {
  const now = options.now ?? new Date();
  const cutoff = now.getTime() - options.olderThanDays * 24 * 3600 * 1000;
  const rows: RetentionRow[] = [];
  const warnings: string[] = [];
  const limit = concurrency(8);
  const dateOf = (annotations: Record<string, string> | undefined) => {
    for (const key of options.deletionDateKeys) {
      const v = annotations?.[key];
      if (v && !Number.isNaN(Date.parse(v))) return { key, value: v, time: Date.parse(v) };
    }
    return undefined;
  };
  for (const repository of repositories) {
    let tags: string[];
    try {
      tags = await store.listTags(repository);
    } catch (err) {
      warnings.push(`${repository}: ${describeError(err)}`);
      continue;
    }
    const images = tags.filter((t) => !parseDigestTag(t));
    if (images.length > options.maxTags) warnings.push(`${repository}: only the first ${options.maxTags} of ${images.length} tags were examined`);
    const byDigest = new Map<string, string[]>();
    const resolved = await Promise.all(
      images.slice(0, options.maxTags).map((tag) =>
        limit(async () => {
          try {
            const fetched = await store.getManifest(repository, tag);
            return { tag, fetched, summary: await summarizeArtifact(store, repository, fetched) };
          } catch (err) {
            warnings.push(`${repository}:${tag}: ${describeError(err)}`);
            return undefined;
          }
        }),
      ),
    );
    for (const r of resolved) if (r) byDigest.set(r.fetched.descriptor.digest, [...(byDigest.get(r.fetched.descriptor.digest) ?? []), r.tag]);
    const seen = new Set<string>();
    for (const r of resolved) {
      if (!r || seen.has(r.fetched.descriptor.digest)) continue;
      const digest = r.fetched.descriptor.digest;
      seen.add(digest);
      const tagsOf = byDigest.get(digest) ?? [];
      const base = { repository, digest, tags: tagsOf, label: r.summary.classification.label, created: r.summary.created };
      if (r.summary.created && Date.parse(r.summary.created) < cutoff) {
        rows.push({ ...base, reason: "older-than", detail: `created ${r.summary.created.slice(0, 10)}, more than ${options.olderThanDays} days ago` });
      }
      const own = dateOf(r.fetched.manifest.annotations);
      if (own && own.time < now.getTime()) rows.push({ ...base, reason: "deletion-date-passed", detail: `its ${own.key} is ${own.value}` });
      for (const key of options.newVersionKeys) {
        const v = r.fetched.manifest.annotations?.[key];
        if (v) rows.push({ ...base, reason: "superseded", detail: `superseded by ${v} (${key})` });
      }
      // Deletion dates declared by an attached (annotations-only) artifact.
      try {
        const graph = await discover(store, repository, digest, { maxDepth: 1, checkTruncation: false });
        for (const n of graph.nodes.filter((x) => x.role === "referrer")) {
          const d = dateOf(n.annotations);
          if (d && d.time < now.getTime()) rows.push({ ...base, reason: "deletion-date-passed", detail: `an attached ${n.artifactType ?? "artifact"} (${n.digest.slice(0, 19)}) sets ${d.key} to ${d.value}` });
        }
      } catch (err) {
        warnings.push(`${repository}@${digest}: ${describeError(err)}`);
      }
    }
    // Subjects named by referrers tags and cosign tags: untagged ones, and ones that are gone.
    const subjects = new Map<string, string[]>();
    for (const t of tags) {
      const p = parseDigestTag(t);
      if (p) subjects.set(p.subjectDigest, [...(subjects.get(p.subjectDigest) ?? []), t]);
    }
    // A child of a tagged index is not "untagged": it lives through its index.
    const childrenOfTagged = new Set(resolved.flatMap((r) => (r ? childrenOf(r.fetched.manifest).map((c) => c.digest) : [])));
    for (const [subject, digestTags] of subjects) {
      if (byDigest.has(subject) || childrenOfTagged.has(subject)) continue;
      try {
        const fetched = await store.getManifest(repository, subject);
        const summary = await summarizeArtifact(store, repository, fetched);
        rows.push({ reason: "untagged-subject", repository, digest: subject, tags: [], label: summary.classification.label, created: summary.created, detail: `no tag points at it; only its referrers (${digestTags.join(", ")}) keep it` });
      } catch (err) {
        if (!(err instanceof NotFoundError)) {
          warnings.push(`${repository}@${subject}: ${describeError(err)}`);
          continue;
        }
        // The subject is gone: what refers to it dangles. A plan from the subject digest takes the referrers.
        rows.push({ reason: "dangling-referrers", repository, digest: subject, tags: [], label: "missing subject", detail: `the subject no longer exists, but ${digestTags.join(", ")} still refer${digestTags.length === 1 ? "s" : ""} to it` });
      }
    }
  }
  return { rows, warnings };
}
