import { referrersTagFor } from "./digest";
import { NotFoundError, ProtocolError, UpstreamError } from "./errors";
import { MediaType } from "./media-types";
import { inParallel } from "./parallel";
import type { Store } from "./store";

/**
 * The referrers tag schema (distribution-spec 1.1, for registries without
 * the referrers API): each subject's `sha256-<hex>` tag names an index of
 * its referrers, which every writer fetches, merges and pushes. Two writers
 * at once can lose one's entry, and most registries (Distribution 2.8
 * among them) have no conditional PUT to stop that. So a writer reads the
 * tag again after a pause longer than its own read-to-push time and, when
 * its entries are gone (another writer pushed a copy read before them), adds
 * them again; a writer that came second sees the first one's entries when it
 * reads, so both end up listed.
 */

export interface ReferrersEntry {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Reads of the tag another writer is pushing at that moment may fail:
 * Distribution 2.8's filesystem driver rewrites a tag's link file in place
 * (truncate, then write; 3.x writes a temporary file and renames it), and a
 * read in between finds it empty and answers 500 (UNKNOWN). Only this read
 * races with writers by design, so only it is tried again, a few times and
 * briefly; any other 500 still ends the call.
 */
const TAG_READ_ATTEMPTS = 4;

async function current(store: Store, repository: string, tag: string): Promise<ReferrersEntry[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      const fetched = await store.getManifest(repository, tag);
      const json = JSON.parse(new TextDecoder().decode(fetched.bytes)) as { manifests?: ReferrersEntry[] };
      return Array.isArray(json.manifests) ? json.manifests : [];
    } catch (err) {
      if (err instanceof NotFoundError) return [];
      if (err instanceof UpstreamError && err.status === 500 && attempt < TAG_READ_ATTEMPTS) {
        await sleep(25 * 2 ** attempt * (1 + Math.random()));
        continue;
      }
      throw err;
    }
  }
}

export interface ReferrersTagResult {
  subject: string;
  tag: string;
  outcome: "written" | "skipped";
  /** Entries the index lists after the write. */
  entries: number;
  /** Pushes it took (more than one: another writer replaced the index meanwhile). */
  attempts: number;
}

/**
 * Add referrers to their subjects' referrers tag indexes, keeping what they
 * list (see above). All subjects are written, then one pause, then all read
 * again: a copy with 26 subjects waits once, not 26 times. At most
 * `attempts` rounds.
 */
export async function addToReferrersTags(store: Store, repository: string, bySubject: Map<string, ReferrersEntry[]>, opts: { attempts?: number; minPauseMs?: number } = {}): Promise<ReferrersTagResult[]> {
  const attempts = opts.attempts ?? 5;
  const results = new Map<string, ReferrersTagResult>();
  let pending = [...bySubject.keys()];
  for (let round = 1; round <= attempts && pending.length > 0; round++) {
    const pushed: string[] = [];
    let span = 0;
    // A few subjects at once: a copy with 26 of them 20 ms away would otherwise wait a second on reads alone.
    await inParallel(pending, 8, async (subject) => {
      const started = performance.now();
      const tag = referrersTagFor(subject);
      const entries = await current(store, repository, tag);
      const have = new Set(entries.map((e) => e.digest));
      const missing = bySubject.get(subject)!.filter((a) => !have.has(a.digest));
      if (missing.length === 0) {
        results.set(subject, { subject, tag, outcome: round === 1 ? "skipped" : "written", entries: entries.length, attempts: round - 1 });
        return;
      }
      const merged = [...entries, ...missing.map((m) => ({ mediaType: m.mediaType, digest: m.digest, size: m.size, ...(m.artifactType ? { artifactType: m.artifactType } : {}), ...(m.annotations ? { annotations: m.annotations } : {}) }))];
      await store.putManifest(repository, tag, new TextEncoder().encode(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: merged })), MediaType.OciIndex);
      pushed.push(subject);
      span = Math.max(span, performance.now() - started);
    });
    if (pushed.length === 0) break;
    // Longer than a writer that read before these pushes needs to push its stale copy (twice the longest read-to-push
    // seen here); jittered, so two writers do not keep colliding.
    await sleep(Math.max(opts.minPauseMs ?? 50, 2 * span) * (1 + Math.random()));
    const again: string[] = [];
    await inParallel(pushed, 8, async (subject) => {
      const tag = referrersTagFor(subject);
      const after = new Set((await current(store, repository, tag)).map((e) => e.digest));
      if (bySubject.get(subject)!.every((a) => after.has(a.digest))) results.set(subject, { subject, tag, outcome: "written", entries: after.size, attempts: round });
      else again.push(subject);
    });
    pending = again;
  }
  const unresolved = [...bySubject.keys()].filter((subject) => !results.has(subject));
  if (unresolved.length > 0) {
    throw new ProtocolError(store.name, `${store.name}: the referrers tag ${referrersTagFor(unresolved[0])} in ${repository} was replaced by another writer ${attempts} times in a row; what it should list is written, run the command again to list it there`);
  }
  return [...bySubject.keys()].map((s) => results.get(s)!);
}
