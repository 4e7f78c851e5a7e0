import { createHash } from "node:crypto";
import { parseDigestTag } from "../oci/digest";
import { describeError, MethodNotAllowedError, NotFoundError } from "../oci/errors";
import { MediaType } from "../oci/media-types";
import { childrenOf, type Descriptor } from "../oci/schemas";
import type { Store } from "../oci/store";
import { ZERO_DIGEST } from "../oci/registry-client";
import type { ArtifactKind } from "../supply-chain/classify";
import { concurrency, discover } from "../supply-chain/discover";

/**
 * Deleting a subject together with its supply chain, safely: a plan first
 * (every manifest that goes, deepest referrers first; every tag that
 * disappears with them; referrers-tag indexes deleted or rewritten; what is
 * left behind), then an execution pinned to that plan: if anything changed
 * since the preview, nothing is deleted and the difference is shown.
 */

export interface PlanManifest {
  digest: string;
  mediaType: string;
  artifactType?: string;
  kind: ArtifactKind;
  label: string;
  /** 0 for a subject, 1 for its referrers, 2 for theirs... */
  depth: number;
  /** The subject this one is attached to (absent for subjects). */
  attachedTo?: string;
  created?: string;
}

export interface IndexChange {
  /** The referrers tag (`sha256-<hex>`). */
  tag: string;
  subject: string;
  indexDigest: string;
  /** Entries that go. */
  remove: string[];
  /** Entries that stay. */
  keep: Descriptor[];
  action: "delete" | "rewrite";
}

export interface DeletePlan {
  repository: string;
  subjects: string[];
  /** In the order they will be deleted: deepest referrers first, subjects last. */
  manifests: PlanManifest[];
  /** Tags that disappear because they point at a manifest that goes. */
  tags: { tag: string; digest: string }[];
  indexes: IndexChange[];
  /** Kept, but left without a tag or a subject (storage is freed by the registry's garbage collection). */
  leftBehind: { digest: string; reason: string }[];
  warnings: string[];
  /** Digest of everything above: what the execution is pinned to. */
  fingerprint: string;
}

export async function buildDeletePlan(store: Store, repository: string, subjects: string[]): Promise<DeletePlan> {
  const warnings: string[] = [];
  const manifests = new Map<string, PlanManifest>();
  const leftBehind: DeletePlan["leftBehind"] = [];
  for (const subject of [...new Set(subjects)]) {
    const graph = await discover(store, repository, subject, { maxDepth: 16, maxNodes: 10_000 });
    if (graph.truncated.count || graph.truncated.depth) warnings.push(`the supply chain of ${subject} is larger than discovery follows; delete it in parts`);
    warnings.push(...graph.warnings.filter((w) => !/is not in /.test(w)));
    const parentOf = new Map(graph.edges.filter((e) => e.relation === "referrer").map((e) => [e.to, e.from]));
    for (const n of graph.nodes) {
      if (n.role === "platform-manifest") continue;
      // A subject that is gone: its dangling referrers still go.
      if (n.role === "subject" && n.mediaType === "application/octet-stream" && n.size === 0) continue;
      const prev = manifests.get(n.digest);
      if (prev && prev.depth >= n.depth) continue;
      manifests.set(n.digest, {
        digest: n.digest,
        mediaType: n.mediaType,
        artifactType: n.artifactType,
        kind: n.classification.kind,
        label: n.classification.label,
        depth: n.role === "subject" ? 0 : n.depth,
        attachedTo: parentOf.get(n.digest),
        created: n.created,
      });
    }
  }
  if (manifests.size === 0) {
    throw new NotFoundError(store.name, `${store.name}: nothing to delete: ${subjects.join(", ")} is not in ${repository} and nothing refers to it`, { errors: [{ code: "MANIFEST_UNKNOWN" }] });
  }
  const deleted = new Set(manifests.keys());

  // Every tag, resolved: which ones point at something that goes?
  const tagNames = await store.listTags(repository);
  const limit = concurrency(16);
  const resolved = await Promise.all(
    tagNames.map((tag) =>
      limit(async () => {
        try {
          return { tag, digest: (await store.headManifest(repository, tag)).digest };
        } catch (err) {
          warnings.push(`tag ${tag} could not be resolved: ${describeError(err)}`);
          return { tag, digest: "" };
        }
      }),
    ),
  );
  const tags = resolved.filter((t) => deleted.has(t.digest)).sort((a, b) => a.tag.localeCompare(b.tag));

  // Referrers-tag indexes: deleted with their subject, or rewritten without the entries that go.
  const indexes: IndexChange[] = [];
  for (const t of resolved) {
    const parsed = parseDigestTag(t.tag);
    if (!parsed || parsed.kind !== "referrers" || !t.digest || deleted.has(t.digest)) continue;
    let entries: Descriptor[];
    try {
      const m = (await store.getManifest(repository, t.tag)).manifest;
      entries = childrenOf(m);
    } catch (err) {
      warnings.push(`referrers tag ${t.tag} could not be read: ${describeError(err)}`);
      continue;
    }
    const remove = entries.filter((d) => deleted.has(d.digest)).map((d) => d.digest);
    const keep = entries.filter((d) => !deleted.has(d.digest));
    if (deleted.has(parsed.subjectDigest)) {
      indexes.push({ tag: t.tag, subject: parsed.subjectDigest, indexDigest: t.digest, remove: entries.map((d) => d.digest), keep: [], action: "delete" });
      if (keep.length > 0) for (const d of keep) if (!deleted.has(d.digest)) leftBehind.push({ digest: d.digest, reason: `listed in the referrers index of ${parsed.subjectDigest}, which goes` });
    } else if (remove.length > 0) {
      indexes.push({ tag: t.tag, subject: parsed.subjectDigest, indexDigest: t.digest, remove, keep, action: keep.length === 0 ? "delete" : "rewrite" });
    }
  }
  // Platform images of a deleted index stay, untagged, until the registry collects them.
  for (const m of manifests.values()) {
    if (m.mediaType !== MediaType.OciIndex && m.mediaType !== MediaType.DockerManifestList) continue;
    try {
      for (const c of childrenOf((await store.getManifest(repository, m.digest)).manifest)) {
        if (!deleted.has(c.digest) && !resolved.some((t) => t.digest === c.digest)) leftBehind.push({ digest: c.digest, reason: `a platform image of ${m.digest}, left untagged` });
      }
    } catch {
      // already reported by discovery
    }
  }

  const ordered = [...manifests.values()].sort((a, b) => b.depth - a.depth || (a.digest < b.digest ? -1 : 1));
  const plan: Omit<DeletePlan, "fingerprint"> = {
    repository,
    subjects: [...new Set(subjects)],
    manifests: ordered,
    tags,
    indexes,
    leftBehind: dedupe(leftBehind),
    warnings: [...new Set(warnings)],
  };
  return { ...plan, fingerprint: fingerprintOf(plan) };
}

function dedupe<T extends { digest: string }>(items: T[]): T[] {
  const seen = new Set<string>();
  return items.filter((i) => (seen.has(i.digest) ? false : (seen.add(i.digest), true)));
}

/** The parts of a plan an execution is pinned to. */
export type PinnedPlan = Pick<DeletePlan, "subjects" | "manifests" | "tags" | "indexes">;

/** What the execution is pinned to: the manifests, the tags on them, and the index changes. */
export function fingerprintOf(plan: Pick<DeletePlan, "manifests" | "tags" | "indexes">): string {
  const doc = {
    manifests: plan.manifests.map((m) => m.digest).sort(),
    tags: plan.tags.map((t) => `${t.tag}=${t.digest}`).sort(),
    indexes: plan.indexes.map((i) => `${i.tag}=${i.indexDigest}:${i.action}:${[...i.remove].sort().join(",")}`).sort(),
  };
  return `sha256:${createHash("sha256").update(JSON.stringify(doc)).digest("hex")}`;
}

export interface PlanDifference {
  added: string[];
  removed: string[];
}

/** What changed between the plan shown and the plan now, in words. */
export function planDifference(before: PinnedPlan, now: PinnedPlan): PlanDifference {
  const describe = (p: PinnedPlan) =>
    new Set([
      ...p.manifests.map((m) => `manifest ${m.digest} (${m.label})`),
      ...p.tags.map((t) => `tag ${t.tag} → ${t.digest}`),
      ...p.indexes.map((i) => `referrers index ${i.tag} (${i.action}, ${i.remove.length} entries go)`),
    ]);
  const a = describe(before);
  const b = describe(now);
  return { added: [...b].filter((x) => !a.has(x)), removed: [...a].filter((x) => !b.has(x)) };
}

export type ItemResult = { target: string; kind: "manifest" | "index-rewrite" | "index-delete"; status: "deleted" | "rewritten" | "already-gone" | "failed" | "not-attempted"; message?: string };

export type ExecuteResult =
  | { status: "done"; results: ItemResult[] }
  | { status: "changed"; difference: PlanDifference; plan: DeletePlan }
  | { status: "failed"; results: ItemResult[] };

/**
 * Run the plan the user saw and confirmed. Builds the plan again from fresh
 * data; if it differs from the one shown, deletes nothing and says what changed. Asks the registry whether
 * it deletes at all (a DELETE of a digest that cannot exist) before touching
 * anything. Deletes deepest first and stops at the first failure, then
 * rewrites or deletes referrers-tag indexes.
 */
export async function executeDeletePlan(
  store: Store,
  repository: string,
  shown: PinnedPlan,
  hooks: { fresh?: () => void; onItem?: (r: ItemResult) => void } = {},
): Promise<ExecuteResult> {
  hooks.fresh?.();
  const plan = await buildDeletePlan(store, repository, shown.subjects);
  if (plan.fingerprint !== fingerprintOf(shown)) {
    return { status: "changed", difference: planDifference(shown, plan), plan };
  }
  await probeDeletion(store, repository);
  const results: ItemResult[] = [];
  const report = (r: ItemResult) => {
    results.push(r);
    hooks.onItem?.(r);
  };
  let failed = false;
  for (const m of plan.manifests) {
    if (failed) {
      report({ target: m.digest, kind: "manifest", status: "not-attempted", message: "an earlier item failed" });
      continue;
    }
    try {
      await store.deleteManifest(repository, m.digest);
      report({ target: m.digest, kind: "manifest", status: "deleted" });
    } catch (err) {
      if (err instanceof NotFoundError) report({ target: m.digest, kind: "manifest", status: "already-gone" });
      else {
        failed = true;
        report({ target: m.digest, kind: "manifest", status: "failed", message: describeError(err) });
      }
    }
  }
  for (const i of plan.indexes) {
    if (failed) {
      report({ target: i.tag, kind: i.action === "rewrite" ? "index-rewrite" : "index-delete", status: "not-attempted", message: "an earlier item failed" });
      continue;
    }
    try {
      if (i.action === "rewrite") {
        const body = new TextEncoder().encode(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: i.keep }));
        await store.putManifest(repository, i.tag, body, MediaType.OciIndex);
        report({ target: i.tag, kind: "index-rewrite", status: "rewritten" });
        // The index the tag pointed at before still exists, untagged, listing what was deleted: it goes too.
        try {
          await store.deleteManifest(repository, i.indexDigest);
          report({ target: i.indexDigest, kind: "index-delete", status: "deleted", message: `the superseded referrers index of ${i.tag}` });
        } catch (err) {
          if (err instanceof NotFoundError) report({ target: i.indexDigest, kind: "index-delete", status: "already-gone" });
          // Not fatal: the rewrite is done; the old index stays behind untagged, and the result says so.
          else report({ target: i.indexDigest, kind: "index-delete", status: "failed", message: `the superseded referrers index of ${i.tag} stays behind, untagged: ${describeError(err)}` });
        }
      } else {
        await store.deleteManifest(repository, i.indexDigest);
        report({ target: i.tag, kind: "index-delete", status: "deleted" });
      }
    } catch (err) {
      if (err instanceof NotFoundError) report({ target: i.tag, kind: "index-delete", status: "already-gone" });
      else {
        failed = true;
        report({ target: i.tag, kind: i.action === "rewrite" ? "index-rewrite" : "index-delete", status: "failed", message: describeError(err) });
      }
    }
  }
  return { status: failed ? "failed" : "done", results };
}

/** Does the store delete at all? A DELETE of a digest that cannot exist answers 404 where deletion works. */
export async function probeDeletion(store: Store, repository: string): Promise<void> {
  try {
    await store.deleteManifest(repository, ZERO_DIGEST);
  } catch (err) {
    if (err instanceof NotFoundError) return;
    if (err instanceof MethodNotAllowedError) {
      // A layout store already says how to allow it; a registry's 405 needs the hint.
      const why = /allowDelete/.test(err.message) ? err.message : `${err.registry}: this registry does not delete manifests (deletion is disabled; for Distribution set storage.delete.enabled: true)`;
      throw new MethodNotAllowedError(err.registry, `${why}. Nothing was deleted.`, { status: 405, errors: err.errors });
    }
    throw err;
  }
}
