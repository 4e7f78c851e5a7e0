import { appendTo } from "../supply-chain/append";
import { describeError, NotFoundError } from "../oci/errors";
import { parseDigestTag } from "../oci/digest";
import { blobsOf, childrenOf, type Manifest } from "../oci/schemas";
import type { Store } from "../oci/store";
import { platformBlobs, platformsOf, summarizeArtifact, unionOf } from "../supply-chain/artifact";
import { concurrency, discover, type GraphNode } from "../supply-chain/discover";
import { newestValue, type NewestValue } from "../metadata/newest";

/**
 * What cleanup could remove, and why: artifacts older than N days, artifacts
 * whose deletion-date annotation has passed (the founding talk's "all
 * artifacts with deletion-date < today"), untagged subjects that only their
 * referrers keep alive, dangling referrers whose subject is gone, and images
 * superseded by a newer version. One row per artifact, with every reason that
 * applies, its size and the bytes deleting it would free; the newest N images
 * of each repository and protected ones (tags matching a pattern, signed
 * artifacts) are never candidates. Each row names the digest a delete plan
 * starts from.
 */

export type RetentionReason = "older-than" | "deletion-date-passed" | "untagged-subject" | "dangling-referrers" | "superseded";

export interface RetentionRow {
  repository: string;
  /** What a delete plan would start from. */
  digest: string;
  tags: string[];
  label: string;
  created?: string;
  /** Every reason that applies, each with its detail. */
  reasons: { reason: RetentionReason; detail: string }[];
  /** Config and layers (an index: every platform, shared layers once), when known. */
  size?: number;
  /** Bytes of blobs that no other tagged image of the repository uses: what garbage collection could free. */
  freedBytes?: number;
}

export interface RetentionOptions {
  olderThanDays: number;
  /** Annotation keys that carry a deletion date. */
  deletionDateKeys: readonly string[];
  /** Annotation keys that name a newer version. */
  newVersionKeys: readonly string[];
  /** Most image tags read per repository. */
  maxTags: number;
  /** The newest N images (by created date) of each repository are kept, whatever else applies. Default 0. */
  keepNewest?: number;
  /** Never candidates: images with a tag matching one of these patterns (`*` any characters), and signed ones. */
  protect?: { tags: readonly string[]; signed: boolean };
  now?: Date;
}

export interface RetentionReport {
  rows: RetentionRow[];
  warnings: string[];
  /** Images kept as the newest of their repository. */
  keptNewest: number;
  /** Images a protect rule kept. */
  protected: number;
  /** What deleting every row would free (blobs shared between rows counted once). */
  freedBytesTotal: number;
}

/** `release-*` → /^release-.*$/ */
export function tagPattern(pattern: string): RegExp {
  return new RegExp(`^${pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
}

export { DEFAULT_DELETION_DATE_KEYS, DEFAULT_NEW_VERSION_KEYS } from "../metadata/keys";

export async function retentionReport(store: Store, repositories: string[], options: RetentionOptions): Promise<RetentionReport> {
  const now = options.now ?? new Date();
  const cutoff = now.getTime() - options.olderThanDays * 24 * 3600 * 1000;
  const rows: RetentionRow[] = [];
  const warnings: string[] = [];
  let keptNewest = 0;
  let protectedCount = 0;
  let freedBytesTotal = 0;
  const protectTags = (options.protect?.tags ?? []).map(tagPattern);
  const limit = concurrency(8);
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
    for (const r of resolved) if (r) appendTo(byDigest, r.fetched.descriptor.digest, r.tag);
    const unique = [...new Map(resolved.filter((r): r is NonNullable<typeof r> => !!r).map((r) => [r.fetched.descriptor.digest, r])).values()];
    // Newest first; equal dates by tag, highest first (v2 before v1).
    unique.sort((a, b) => (b.summary.created ?? "").localeCompare(a.summary.created ?? "") || b.tag.localeCompare(a.tag, "en", { numeric: true }));
    const newest = new Set(unique.slice(0, options.keepNewest ?? 0).map((r) => r.fetched.descriptor.digest));
    keptNewest += newest.size;
    const repoRows = new Map<string, RetentionRow>();
    const add = (row: Omit<RetentionRow, "reasons">, reason: RetentionReason, detail: string) => {
      const existing = repoRows.get(row.digest) ?? { ...row, reasons: [] };
      existing.reasons.push({ reason, detail });
      repoRows.set(row.digest, existing);
    };
    for (const r of unique) {
      const digest = r.fetched.descriptor.digest;
      if (newest.has(digest)) continue;
      const tagsOf = byDigest.get(digest) ?? [];
      if (tagsOf.some((t) => protectTags.some((p) => p.test(t)))) {
        protectedCount++;
        continue;
      }
      const base = { repository, digest, tags: tagsOf, label: r.summary.classification.label, created: r.summary.created, size: r.summary.contentSize };
      const found: { reason: RetentionReason; detail: string }[] = [];
      if (r.summary.created && Date.parse(r.summary.created) < cutoff) {
        found.push({ reason: "older-than", detail: `created ${r.summary.created.slice(0, 10)}, more than ${options.olderThanDays} days ago` });
      }
      // Deletion dates and "superseded by", from the image's own annotations or attached (annotations-only)
      // artifacts: the newest that sets a key wins (lib/metadata/newest.ts). And whether it is signed.
      let signed = false;
      let attached: GraphNode[] = [];
      try {
        const graph = await discover(store, repository, digest, { maxDepth: 1, checkTruncation: false });
        attached = graph.nodes.filter((x) => x.role === "referrer");
        signed = attached.some((n) => n.classification.kind === "signature");
      } catch (err) {
        warnings.push(`${repository}@${digest}: ${describeError(err)}`);
      }
      const own = r.fetched.manifest.annotations;
      const from = (v: NewestValue) => (v.from ? `an attached ${attached.find((n) => n.digest === v.from)?.artifactType ?? "artifact"} (${v.from.slice(0, 19)}) sets ${v.key} to ${v.value}` : `its ${v.key} is ${v.value}`);
      const date = newestValue(own, attached, options.deletionDateKeys, (v) => !Number.isNaN(Date.parse(v)));
      if (date && Date.parse(date.value) < now.getTime()) found.push({ reason: "deletion-date-passed", detail: from(date) });
      const newer = newestValue(own, attached, options.newVersionKeys);
      if (newer) found.push({ reason: "superseded", detail: `superseded by ${newer.value} (${newer.from ? `set by an attached artifact, ${newer.from.slice(0, 19)}` : newer.key})` });
      if (found.length === 0) continue;
      if (signed && options.protect?.signed) {
        protectedCount++;
        continue;
      }
      for (const f of found) add(base, f.reason, f.detail);
    }
    // Subjects named by referrers tags and cosign tags: untagged ones, and ones that are gone.
    const subjects = new Map<string, string[]>();
    for (const t of tags) {
      const p = parseDigestTag(t);
      if (p) appendTo(subjects, p.subjectDigest, t);
    }
    // A child of a tagged index is not "untagged": it lives through its index.
    const childrenOfTagged = new Set(resolved.flatMap((r) => (r ? childrenOf(r.fetched.manifest).map((c) => c.digest) : [])));
    for (const [subject, digestTags] of subjects) {
      if (byDigest.has(subject) || childrenOfTagged.has(subject)) continue;
      try {
        const fetched = await store.getManifest(repository, subject);
        const summary = await summarizeArtifact(store, repository, fetched);
        add({ repository, digest: subject, tags: [], label: summary.classification.label, created: summary.created, size: summary.contentSize }, "untagged-subject", `no tag points at it; only its referrers (${digestTags.join(", ")}) keep it`);
      } catch (err) {
        if (!(err instanceof NotFoundError)) {
          warnings.push(`${repository}@${subject}: ${describeError(err)}`);
          continue;
        }
        // The subject is gone: what refers to it dangles. A plan from the subject digest takes the referrers.
        add({ repository, digest: subject, tags: [], label: "missing subject" }, "dangling-referrers", `the subject no longer exists, but ${digestTags.join(", ")} still refer${digestTags.length === 1 ? "s" : ""} to it`);
      }
    }
    // What deleting would free: per row, its blobs that no other tagged image uses; for all rows together,
    // their blobs that no kept tagged image uses (a blob shared between rows counted once).
    const fetchedBy = new Map(unique.map((r) => [r.fetched.descriptor.digest, r.fetched.manifest]));
    const blobSets = new Map<string, Map<string, number>>();
    await Promise.all(
      [...new Set([...fetchedBy.keys(), ...repoRows.keys()])].map(async (digest) => {
        blobSets.set(digest, await blobsOfImage(store, repository, fetchedBy.get(digest), digest));
      }),
    );
    // How many tagged images use each blob, and how many of the kept ones do.
    const users = new Map<string, number>();
    const keptUsers = new Set<string>();
    for (const digest of fetchedBy.keys()) {
      for (const b of blobSets.get(digest)?.keys() ?? []) {
        users.set(b, (users.get(b) ?? 0) + 1);
        if (!repoRows.has(digest)) keptUsers.add(b);
      }
    }
    const freedAll = new Map<string, number>();
    for (const row of repoRows.values()) {
      const own = blobSets.get(row.digest) ?? new Map<string, number>();
      const selfUse = fetchedBy.has(row.digest) ? 1 : 0;
      row.freedBytes = [...own].filter(([b]) => (users.get(b) ?? 0) - selfUse === 0).reduce((n, [, size]) => n + size, 0);
      for (const [b, size] of own) if (!keptUsers.has(b)) freedAll.set(b, size);
      rows.push(row);
    }
    freedBytesTotal += [...freedAll.values()].reduce((n, v) => n + v, 0);
  }
  return { rows, warnings, keptNewest, protected: protectedCount, freedBytesTotal };
}

/** The blobs (config and layers) of an image, or of every platform image of an index, by digest. */
async function blobsOfImage(store: Store, repository: string, manifest: Manifest | undefined, digest: string): Promise<Map<string, number>> {
  let m = manifest;
  try {
    m ??= (await store.getManifest(repository, digest)).manifest;
  } catch {
    return new Map(); // gone (a dangling row) or unreadable: nothing known to free
  }
  const platforms = platformsOf(m);
  if (!platforms) return new Map(blobsOf(m).map((b) => [b.digest, b.size]));
  // A platform image that cannot be read: its blobs are not counted.
  return unionOf((await platformBlobs(store, repository, platforms)).filter((set): set is Map<string, number> => set !== undefined));
}
