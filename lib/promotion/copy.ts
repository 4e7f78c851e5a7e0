import { addToReferrersTags } from "../oci/referrers-tag";
import { appendTo } from "../supply-chain/append";
import type { PushBlobOptions } from "../oci/blob-transfer";
import type { Store } from "../oci/store";
import { discover } from "../supply-chain/discover";
import { headIfAny, plannedBytes, type CopyPlan, type PlannedManifest } from "./plan";

/**
 * A plan carried out: blobs the target lacks (mounted within one registry,
 * else streamed), manifests byte for byte in the plan's order, tags last,
 * and the referrers-tag indexes merged where the target has no referrers
 * API. Digests are the source's, so signatures still verify. Idempotent:
 * what the target holds is skipped, so a run that stopped part-way is
 * resumed by running it again (a new plan says what is still missing). Each
 * item written is reported as it is written.
 */

/** What a copy needs of the registry it reads blobs from (RegistryClient has it). */
export interface BlobReader {
  readBlob(repository: string, digest: string): AsyncIterable<Uint8Array>;
}

/** What a copy needs of the registry it writes blobs to. */
export interface BlobWriter {
  pushBlob(repository: string, digest: string, size: number, chunks: AsyncIterable<Uint8Array>, opts?: PushBlobOptions): Promise<number>;
  /** Refused when the repository cannot be written, before anything is (see checkPush in blob-transfer.ts). */
  checkPush?(repository: string): Promise<void>;
  mountBlob?(repository: string, digest: string, from: string): Promise<{ mounted: true } | { mounted: false; location?: string; minChunk?: number }>;
}

export interface CopyEndpoints {
  source: { store: Store; blobs: BlobReader; repository: string };
  target: { store: Store; blobs: BlobWriter; repository: string };
  /** Source and target are one registry: blobs are mounted, not moved. */
  sameRegistry: boolean;
}

export type CopyItem =
  | { kind: "blob"; digest: string; size: number; outcome: "mounted" | "uploaded" | "skipped"; bytes: number }
  | { kind: "manifest"; digest: string; outcome: "written" | "skipped" }
  | { kind: "tag"; tag: string; digest: string; outcome: "written" | "skipped" }
  | { kind: "referrers-index"; tag: string; subject: string; outcome: "written" | "skipped"; entries: number };

/** Where a copy is, for a progress display: items and bytes done, and what is being written now. */
export interface CopyProgress {
  /** "verifying" is the caller's: signatures verified again at the target after the copy. */
  phase: "blobs" | "manifests" | "tags" | "referrers-indexes" | "checking" | "verifying";
  /** Blobs, manifests and tags of the plan done (written or skipped) out of all. */
  itemsDone: number;
  itemsTotal: number;
  /** Blob and manifest bytes sent to the target so far, out of what the plan says is to move. */
  bytesDone: number;
  bytesTotal: number;
  /** What is being written now; for a blob, how far its upload is. */
  current?: { kind: CopyItem["kind"]; name: string; label?: string; size?: number; bytesDone?: number };
}

/** What a caller watches: each item as it is done, and progress (often: on every chunk of a blob). */
export interface CopyWatch {
  onItem?: (item: CopyItem) => void;
  onProgress?: (progress: CopyProgress) => void;
}

export interface CopyResult {
  items: CopyItem[];
  /** Blob bytes sent to the target (mounted blobs move none). */
  bytesMoved: number;
  /** The graph discovered at the target holds every manifest of the plan. */
  complete: boolean;
  /** Manifests of the plan the target's graph lacks (empty when complete). */
  missing: string[];
}

/** A copy that stopped: what was written before the error, to report and to resume from. */
export class CopyInterruptedError extends Error {
  constructor(
    message: string,
    readonly written: CopyItem[],
    readonly cause: unknown,
  ) {
    super(message);
  }
}

export async function executeCopy(plan: CopyPlan, ends: CopyEndpoints, watch: CopyWatch = {}): Promise<CopyResult> {
  const items: CopyItem[] = [];
  const itemsTotal = plan.blobs.length + plan.manifests.length + plan.manifests.reduce((n, m) => n + m.tags.length, 0);
  let bytesMoved = 0;
  let manifestBytes = 0;
  // Blobs, manifests and tags done (referrers indexes are not counted in itemsTotal); counted, not filtered per chunk.
  let itemsDone = 0;
  const progress = (phase: CopyProgress["phase"], current?: CopyProgress["current"]) =>
    watch.onProgress?.({ phase, itemsDone, itemsTotal, bytesDone: bytesMoved + manifestBytes, bytesTotal: plan.totals.bytesToMove, current });
  const done = (item: CopyItem) => {
    items.push(item);
    if (item.kind !== "referrers-index") itemsDone++;
    watch.onItem?.(item);
  };
  const { source, target } = ends;
  // A target that refuses writes is told before anything is written (nothing to resume from).
  await target.blobs.checkPush?.(target.repository);
  try {
    for (const b of plan.blobs) {
      // The plan has just asked the target (a copy that stopped is resumed with a new plan).
      if (b.exists) {
        done({ kind: "blob", digest: b.digest, size: b.size, outcome: "skipped", bytes: 0 });
        continue;
      }
      const current = { kind: "blob" as const, name: b.digest, label: b.mediaType, size: b.size, bytesDone: 0 };
      progress("blobs", current);
      let opened: { location?: string; minChunk?: number } = {};
      if (ends.sameRegistry && target.blobs.mountBlob && source.repository !== target.repository) {
        const m = await target.blobs.mountBlob(target.repository, b.digest, source.repository);
        if (m.mounted) {
          done({ kind: "blob", digest: b.digest, size: b.size, outcome: "mounted", bytes: 0 });
          continue;
        }
        // The registry opened an upload instead of mounting: the bytes go there.
        opened = { location: m.location, minChunk: m.minChunk };
      }
      const before = bytesMoved;
      const chunks = counted(source.blobs.readBlob(source.repository, b.digest), (n) => {
        bytesMoved += n;
        current.bytesDone += n;
        progress("blobs", current);
      });
      const sent = await target.blobs.pushBlob(target.repository, b.digest, b.size, chunks, opened);
      // What the registry took (a chunk sent again after a refusal counts once).
      bytesMoved = before + sent;
      done({ kind: "blob", digest: b.digest, size: b.size, outcome: "uploaded", bytes: sent });
    }
    // The bytes the plan read (fetched again only for a plan made elsewhere).
    const read = async (m: PlannedManifest) => plannedBytes(plan, m.digest) ?? (await source.store.getManifest(source.repository, m.digest)).bytes;
    for (const m of plan.manifests) {
      if (m.exists) {
        done({ kind: "manifest", digest: m.digest, outcome: "skipped" });
        continue;
      }
      progress("manifests", { kind: "manifest", name: m.digest, label: m.label, size: m.size });
      // By digest, byte for byte: the digest at the target is the source's.
      await target.store.putManifest(target.repository, m.digest, await read(m), m.mediaType);
      manifestBytes += m.size;
      done({ kind: "manifest", digest: m.digest, outcome: "written" });
    }
    for (const m of plan.manifests) {
      for (const tag of m.tags) {
        const current = await headIfAny(target.store, target.repository, tag);
        if (current?.digest === m.digest) {
          done({ kind: "tag", tag, digest: m.digest, outcome: "skipped" });
          continue;
        }
        progress("tags", { kind: "tag", name: tag, label: m.label });
        await target.store.putManifest(target.repository, tag, await read(m), m.mediaType);
        done({ kind: "tag", tag, digest: m.digest, outcome: "written" });
      }
    }
    await writeReferrersIndexes(plan, target.store, target.repository, done);
  } catch (err) {
    throw new CopyInterruptedError(`the copy stopped after ${items.filter((i) => i.outcome !== "skipped").length} item(s) written: ${err instanceof Error ? err.message : String(err)}; run it again to go on from there`, items, err);
  }
  // Proof: the target's own graph holds every manifest of the plan.
  progress("checking");
  const graph = await discover(target.store, target.repository, plan.source.digest, { maxNodes: plan.manifests.length + 1000, checkTruncation: false });
  const found = new Set(graph.nodes.map((n) => n.digest));
  // Platform manifests and index children are not graph nodes unless something refers to them: asked by digest.
  const missing: string[] = [];
  for (const m of plan.manifests) {
    if (found.has(m.digest)) continue;
    const present = m.role === "platform-manifest" || m.role === "index-child" ? (await headIfAny(target.store, target.repository, m.digest)) !== undefined : false;
    if (!present) missing.push(m.digest);
  }
  return { items, bytesMoved, complete: missing.length === 0, missing };
}

async function* counted(chunks: AsyncIterable<Uint8Array>, add: (bytes: number) => void): AsyncIterable<Uint8Array> {
  for await (const chunk of chunks) {
    yield chunk;
    add(chunk.byteLength);
  }
}

/** Where the target has no referrers API: each subject's `sha256-<hex>` index, merged with what it already lists. */
async function writeReferrersIndexes(plan: CopyPlan, store: Store, repository: string, done: (item: CopyItem) => void): Promise<void> {
  const referrers = plan.manifests.filter((m) => m.role === "referrer" && m.subject);
  if (referrers.length === 0) return;
  // A repository that did not exist at planning time is asked now.
  const probe = await store.referrers(repository, plan.source.digest).catch(() => ({ supported: false }));
  if (probe.supported) return;
  const bySubject = new Map<string, PlannedManifest[]>();
  for (const m of referrers) appendTo(bySubject, m.subject!, m);
  for (const r of await addToReferrersTags(store, repository, bySubject)) done({ kind: "referrers-index", tag: r.tag, subject: r.subject, outcome: r.outcome, entries: r.entries });
}
