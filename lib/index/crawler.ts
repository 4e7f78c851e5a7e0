import { createHash } from "node:crypto";
import type { LayerDocument } from "../documents/read";
import type { AttachedDocument } from "../documents/model";
import { describeError } from "../oci/errors";
import type { Store } from "../oci/store";
import { concurrency, discover, type SupplyChainGraph } from "../supply-chain/discover";
import { imageDigests, supplyChainStatus } from "../supply-chain/status";
import { groupTags } from "../supply-chain/tag-groups";
import { signerText } from "../verification/verdict";
import type { GraphVerification, SubjectVerification } from "../verification/verify-graph";
import { gatedStore, isRateLimited, RateLimitGate, systemClock, type Clock } from "./backoff";
import type { Insertable, Transaction } from "kysely";
import type { IndexDb } from "./database";
import type { IndexDatabase } from "./schema";

/**
 * The indexer's walk over one registry or layout store: repositories, their
 * tags, and for each tagged image its supply chain, verdicts and documents,
 * written into the index. Cheap by design:
 * - a repository whose tag list is unchanged since the last walk costs one
 *   request (its tag list) and nothing else (referrers tags are tags, so a new
 *   signature or scan attached by tag schema changes the list too);
 * - a document is parsed once per digest, whichever image or repository it
 *   turns up in again;
 * - an error in one repository is kept with it and the walk goes on;
 * - a few repositories are walked at once (a walk is mostly round trips),
 *   within the registry's connection and request-rate limits, and a 429 stops
 *   every request of the walk until the registry's `Retry-After` (backoff.ts);
 * - the state row says how far a walk got (`resume_after`, in the one order
 *   every walk uses), so a restarted server goes on from there.
 */

export interface IndexSource {
  /** The registry id. */
  id: string;
  store: Store;
  /** The repositories to walk (the catalog, or the configured list). */
  repositories(): Promise<string[]>;
  /** Verification of a graph, and the image's own verdict, reading through `store`. */
  verify(store: Store, graph: SupplyChainGraph): Promise<{ verification: GraphVerification; verdict?: SubjectVerification }>;
  /** The documents an artifact carries, parsed, read through `store`. */
  documents(store: Store, repository: string, digest: string): Promise<LayerDocument[]>;
  /** An event says the repository changed (a tag may point elsewhere with the same tag list): drop what is cached. */
  forget?(repository: string): void;
  /** Most nodes per graph. */
  maxNodes?: number;
  /** Requests at once within one repository. */
  concurrency?: number;
  /** Repositories walked at once (default 4): a walk is mostly waiting on round trips. */
  parallelRepositories?: number;
}

export interface CrawlProgress {
  repositoriesTotal: number;
  repositoriesDone: number;
  tagsDone: number;
}

export interface CrawlOptions {
  /** Only these repositories (an event names one); default every repository. */
  only?: string[];
  /** Walk a repository even when its tag list is unchanged. */
  force?: boolean;
  now?: () => Date;
  /** Time and waiting, replaceable in tests (the 429 back-off waits on it). */
  clock?: Clock;
  onProgress?: (p: CrawlProgress) => void;
  /** The registry answered 429: no request until `until` (ms since the epoch). */
  onRateLimited?: (until: number, message: string) => void;
  /** Stop between repositories when this says so (shutdown, lease lost). */
  shouldStop?: () => boolean;
}

export interface CrawlResult {
  repositories: number;
  /** Repositories whose tag list had changed (or were new) and were walked. */
  changed: number;
  images: number;
  documentsParsed: number;
  /** Repositories skipped because an interrupted walk had done them (a restart resumes). */
  resumed: number;
  /** 429 answers, and the seconds waited because of them. */
  rateLimited: number;
  waitedSeconds: number;
  errors: { repository: string; message: string }[];
}

const DOCUMENT_KINDS = new Set(["sbom", "vulnerability-scan", "attestation", "other"]);
/** Walks of one repository while the registry keeps answering 429 before its error is kept. */
const ATTEMPTS = 4;

export async function crawlRegistry(db: IndexDb, source: IndexSource, options: CrawlOptions = {}): Promise<CrawlResult> {
  const now = () => (options.now ? options.now() : new Date()).toISOString();
  const shouldStop = () => options.shouldStop?.() ?? false;
  const result: CrawlResult = { repositories: 0, changed: 0, images: 0, documentsParsed: 0, resumed: 0, rateLimited: 0, waitedSeconds: 0, errors: [] };
  const full = !options.only;
  const gate = new RateLimitGate(options.clock ?? systemClock);
  let repositories: string[];
  try {
    const listed = options.only ?? (await gatedStoreCall(gate, shouldStop, () => source.repositories()));
    // One order for every walk (by code point, as both databases compare), so an interrupted walk can say how far it got.
    repositories = [...new Set(listed)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  } catch (err) {
    await saveState(db, source.id, { last_error: describeError(err), updated_at: now() });
    throw err;
  }
  const progress: CrawlProgress = { repositoriesTotal: repositories.length, repositoriesDone: 0, tagsDone: 0 };
  let start = 0;
  if (full) {
    const previous = await db.selectFrom("index_state").selectAll().where("registry_id", "=", source.id).executeTakeFirst();
    const interrupted = previous?.resume_after && previous.started_at && !(previous.completed_at && previous.completed_at >= previous.started_at);
    if (interrupted) {
      // A walk stopped part-way (restart, lease lost): go on after the last repository it finished in order.
      start = repositories.findIndex((r) => r > previous.resume_after!);
      if (start < 0) start = repositories.length;
      const skipped = repositories.slice(0, start);
      result.resumed = skipped.length;
      progress.repositoriesDone = skipped.length;
      progress.tagsDone = await tagsOf(db, source.id, skipped);
      await saveState(db, source.id, { repositories_total: repositories.length, repositories_done: progress.repositoriesDone, tags_done: progress.tagsDone, updated_at: now() });
    } else {
      await saveState(db, source.id, { repositories_total: repositories.length, repositories_done: 0, tags_done: 0, started_at: now(), resume_after: null, last_error: null, updated_at: now() });
    }
  }
  // Repositories finish out of order when walked together; the resume point is the end of the finished prefix.
  const finished = new Array<boolean>(repositories.length).fill(false);
  let prefix = start;
  let next = start;
  const walkOne = async (i: number) => {
    const repository = repositories[i];
    result.repositories++;
    try {
      const walked = await walkRepository(repository);
      if (walked.changed) result.changed++;
      result.images += walked.images;
      result.documentsParsed += walked.documentsParsed;
      progress.tagsDone += walked.tags;
    } catch (err) {
      const message = describeError(err);
      result.errors.push({ repository, message });
      await db
        .insertInto("index_repositories")
        .values({ registry_id: source.id, repository, tag_list_hash: null, tags: 0, indexed_at: now(), error: message })
        .onConflict((oc) => oc.columns(["registry_id", "repository"]).doUpdateSet({ error: message, indexed_at: now() }))
        .execute();
    }
    finished[i] = true;
    while (prefix < repositories.length && finished[prefix]) prefix++;
    progress.repositoriesDone++;
    options.onProgress?.({ ...progress });
    if (full) await saveState(db, source.id, { repositories_done: progress.repositoriesDone, tags_done: progress.tagsDone, resume_after: prefix > 0 ? repositories[prefix - 1] : null, updated_at: now() });
  };
  const walkRepository = async (repository: string) => {
    if (options.force) source.forget?.(repository);
    for (let attempt = 1; ; attempt++) {
      let refused: Error | undefined;
      const store = gatedStore(
        source.store,
        gate,
        (err) => {
          refused = err;
          options.onRateLimited?.(gate.closedUntil ?? Date.now(), describeError(err));
        },
        shouldStop,
      );
      try {
        // After a refusal the tag list may be unchanged while what was read is not complete: walk it regardless.
        const walked = await crawlRepository(db, source, store, repository, now, (options.force ?? false) || attempt > 1);
        if (!refused) return walked;
      } catch (err) {
        if (!refused) throw err;
      }
      if (attempt >= ATTEMPTS || shouldStop()) throw refused;
      await gate.pass(shouldStop);
    }
  };
  const parallel = Math.max(1, source.parallelRepositories ?? 4);
  await Promise.all(
    Array.from({ length: Math.min(parallel, repositories.length - start) }, async () => {
      while (next < repositories.length && !shouldStop()) await walkOne(next++);
    }),
  );
  result.rateLimited = gate.limited;
  result.waitedSeconds = Math.round(gate.waitedMs / 100) / 10;
  if (full && !shouldStop() && prefix === repositories.length) {
    // Repositories gone from the catalog leave the index.
    const listed = new Set(repositories);
    const known = await db.selectFrom("index_repositories").select("repository").where("registry_id", "=", source.id).execute();
    for (const { repository } of known) if (!listed.has(repository)) await forgetRepository(db, source.id, repository);
    // The latest error still standing, this walk's or (resumed) the interrupted one's.
    const lastError = await db.selectFrom("index_repositories").select(["repository", "error"]).where("registry_id", "=", source.id).where("error", "is not", null).orderBy("indexed_at", "desc").executeTakeFirst();
    await saveState(db, source.id, { completed_at: now(), tags_total: progress.tagsDone, resume_after: null, last_error: lastError ? `${lastError.repository}: ${lastError.error}` : null, updated_at: now() });
  }
  return result;
}

/** A call outside the store (the catalog read by the source) under the same gate: a 429 there waits too. */
async function gatedStoreCall<T>(gate: RateLimitGate, shouldStop: () => boolean, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    await gate.pass(shouldStop);
    try {
      return await fn();
    } catch (err) {
      if (!isRateLimited(err) || attempt >= ATTEMPTS || shouldStop()) throw err;
      gate.refused(err.retryAfterSeconds);
    }
  }
}

async function tagsOf(db: IndexDb, registry: string, repositories: string[]): Promise<number> {
  if (repositories.length === 0) return 0;
  const rows = await db.selectFrom("index_repositories").select(["repository", "tags"]).where("registry_id", "=", registry).execute();
  const wanted = new Set(repositories);
  return rows.reduce((n, r) => n + (wanted.has(r.repository) ? r.tags : 0), 0);
}

async function saveState(db: IndexDb, registry: string, values: Partial<Omit<import("./schema").IndexStateTable, "registry_id">> & { updated_at: string }): Promise<void> {
  await db
    .insertInto("index_state")
    .values({ registry_id: registry, repositories_done: 0, tags_total: 0, tags_done: 0, ...values })
    .onConflict((oc) => oc.column("registry_id").doUpdateSet(values))
    .execute();
}

async function forgetRepository(db: IndexDb, registry: string, repository: string): Promise<void> {
  await db.transaction().execute(async (tx) => {
    for (const table of ["index_tags", "index_images", "index_attachments", "index_signatures", "index_repositories"] as const) {
      await tx.deleteFrom(table).where("registry_id", "=", registry).where("repository", "=", repository).execute();
    }
  });
}

/** Rows in statements of 500 (one per row is a round trip each on PostgreSQL; all in one can pass its parameter limit). */
async function insertRows<T extends keyof IndexDatabase & string>(tx: Transaction<IndexDatabase>, table: T, rows: Insertable<IndexDatabase[T]>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) await tx.insertInto(table).values(rows.slice(i, i + 500) as never).execute();
}

function hashOf(tags: readonly string[]): string {
  return createHash("sha256").update([...tags].sort().join("\n")).digest("hex");
}

async function crawlRepository(
  db: IndexDb,
  source: IndexSource,
  store: Store,
  repository: string,
  now: () => string,
  force: boolean,
): Promise<{ changed: boolean; tags: number; images: number; documentsParsed: number }> {
  // Read now, not from the server's cache: this is the poll that notices a change.
  const all = await store.listTags(repository, { fresh: true });
  const hash = hashOf(all);
  const known = await db.selectFrom("index_repositories").select(["tag_list_hash", "error"]).where("registry_id", "=", source.id).where("repository", "=", repository).executeTakeFirst();
  const { images: imageTags } = groupTags(all);
  if (!force && known?.tag_list_hash === hash && !known.error) return { changed: false, tags: imageTags.length, images: 0, documentsParsed: 0 };

  // Each tag's manifest (one GET: its digest, and the manifest discovery starts from, cached by that digest),
  // then each distinct image once.
  const digests = new Map<string, string>();
  const limit = concurrency(source.concurrency ?? 4);
  await Promise.all(
    imageTags.map((tag) =>
      limit(async () => {
        try {
          digests.set(tag, (await store.getManifest(repository, tag)).descriptor.digest);
        } catch (err) {
          // A tag that cannot be read (deleted meanwhile, invalid name) is left out; a refusal (429) is not about the tag.
          if (isRateLimited(err)) throw err;
        }
      }),
    ),
  );
  let documentsParsed = 0;
  const images = [...new Set(digests.values())];
  // A few images at once (a repository of thousands of tags is otherwise thousands of walks end to end); the
  // store keeps the requests in flight within the registry's concurrency.
  const rows: Awaited<ReturnType<typeof indexImage>>[] = [];
  const perImage = concurrency(4);
  await Promise.all(
    images.map((digest) =>
      perImage(async () => {
        const indexed = await indexImage(db, source, store, repository, digest, now);
        documentsParsed += indexed.documentsParsed;
        rows.push(indexed);
      }),
    ),
  );
  await db.transaction().execute(async (tx) => {
    for (const table of ["index_tags", "index_images", "index_attachments", "index_signatures"] as const) {
      await tx.deleteFrom(table).where("registry_id", "=", source.id).where("repository", "=", repository).execute();
    }
    const tags = [...digests].map(([tag, digest]) => ({ registry_id: source.id, repository, tag, digest }));
    const attachments = rows.flatMap((r) => r.attachments);
    const signatures = rows.flatMap((r) => r.signatures);
    await insertRows(tx, "index_tags", tags);
    await insertRows(tx, "index_images", rows.map((r) => r.image));
    await insertRows(tx, "index_attachments", attachments);
    await insertRows(tx, "index_signatures", signatures);
    await tx
      .insertInto("index_repositories")
      .values({ registry_id: source.id, repository, tag_list_hash: hash, tags: digests.size, indexed_at: now(), error: null })
      .onConflict((oc) => oc.columns(["registry_id", "repository"]).doUpdateSet({ tag_list_hash: hash, tags: digests.size, indexed_at: now(), error: null }))
      .execute();
  });
  return { changed: true, tags: digests.size, images: images.length, documentsParsed };
}

async function indexImage(db: IndexDb, source: IndexSource, store: Store, repository: string, digest: string, now: () => string) {
  const graph = await discover(store, repository, digest, { maxNodes: source.maxNodes ?? 10_000, concurrency: source.concurrency ?? 4 });
  const status = supplyChainStatus(graph);
  const root = graph.nodes.find((n) => n.digest === graph.root);
  const own = imageDigests(graph);
  const referrers = graph.nodes.filter((n) => n.role === "referrer");
  // Documents not parsed before (by digest, whichever image carried them), read while the signatures are verified.
  const candidates = [...new Set(referrers.filter((n) => DOCUMENT_KINDS.has(n.classification.kind)).map((n) => n.digest))];
  const seen = new Set<string>();
  for (let i = 0; i < candidates.length; i += 500) {
    const rows = await db.selectFrom("index_documents").select("digest").where("digest", "in", candidates.slice(i, i + 500)).execute();
    for (const r of rows) seen.add(r.digest);
  }
  const unseen = candidates.filter((d) => !seen.has(d));
  const limit = concurrency(source.concurrency ?? 4);
  const [{ verification, verdict }] = await Promise.all([source.verify(store, graph), Promise.all(unseen.map((d) => limit(() => indexDocuments(db, source, store, repository, d, now))))]);
  const documentsParsed = unseen.length;
  return {
    documentsParsed,
    image: {
      registry_id: source.id,
      repository,
      digest,
      media_type: root?.mediaType ?? "application/octet-stream",
      created: root?.created ?? null,
      verdict: verdict?.verdict ?? null,
      sbom: status.sbom ? 1 : 0,
      scanned: status.scanned ? 1 : 0,
      attested: status.attested ? 1 : 0,
      referrers: referrers.length,
      indexed_at: now(),
    },
    attachments: referrers.map((n) => ({
      registry_id: source.id,
      repository,
      image_digest: digest,
      digest: n.digest,
      artifact_type: n.artifactType ?? null,
      kind: n.classification.kind,
      created: n.created ?? null,
      annotations: JSON.stringify(n.annotations ?? {}),
    })),
    // The image's own signatures, and those of what is attached to it (a signed SBOM), as policies judge them.
    signatures: verification.signatures
      .filter((s) => s.kind === "signature")
      .map((s) => ({
        registry_id: source.id,
        repository,
        image_digest: digest,
        signature_digest: s.digest,
        format: s.format,
        verdict: s.verdict,
        signer: s.signer ? signerText(s.signer) : "",
        subject_digest: s.subject,
        own: own.has(s.subject) ? 1 : 0,
        policy: s.policy ?? null,
        trust_root: s.trustRoot ?? null,
        signer_json: s.signer ? JSON.stringify(s.signer) : null,
        summary: s.summary,
      })),
  };
}

/** Parse what an artifact carries, once per digest, into document, package, finding and VEX rows. */
async function indexDocuments(db: IndexDb, source: IndexSource, store: Store, repository: string, digest: string, now: () => string): Promise<void> {
  let docs: LayerDocument[];
  try {
    docs = await source.documents(store, repository, digest);
  } catch (err) {
    // Not remembered: a read failure may pass, the next walk tries again.
    void err;
    return;
  }
  const parsed = docs.map((d) => d.parsed).filter((p): p is NonNullable<typeof p> => !!p);
  const views: AttachedDocument[] = parsed.flatMap((p) => (p.scan ? [p.document, p.scan] : [p.document]));
  const first = views[0];
  const provenance = views.find((v) => v.kind === "provenance");
  await db.transaction().execute(async (tx) => {
    const inserted = await tx
      .insertInto("index_documents")
      .values({
        digest,
        kind: first?.kind ?? "none",
        format: first ? ("format" in first ? first.format : first.kind) : "none",
        tool: first?.kind === "scan" ? first.scanner.name : first?.kind === "sbom" ? (first.tools[0]?.name ?? null) : null,
        created: first?.kind === "sbom" ? (first.created ?? null) : first?.kind === "scan" ? (first.scannedAt ?? null) : null,
        error: parsed.length === 0 ? (docs.find((d) => d.error)?.error ?? "no document in this artifact") : null,
        parsed_at: now(),
        builder: provenance?.builderId ?? null,
        source: provenance?.source?.uri ?? null,
      })
      .onConflict((oc) => oc.column("digest").doNothing())
      .executeTakeFirst();
    // Parsed meanwhile (the same document on two images walked at once): its rows are there already.
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return;
    const packages = [];
    const findings = [];
    const vex = [];
    for (const view of views) {
      if (view.kind === "sbom") {
        for (const p of view.packages) {
          const key = p.name.toLowerCase();
          packages.push({ document_digest: digest, name: p.name, name_key: key, base_key: key.slice(key.lastIndexOf("/") + 1), version: p.version ?? null, purl: p.purl ?? null, ecosystem: p.ecosystem ?? null, licenses: p.licenses.join(" ") });
        }
      } else if (view.kind === "scan") {
        for (const f of view.findings) findings.push({ document_digest: digest, vulnerability: f.id.toUpperCase(), severity: f.severity, package_name: f.packageName ?? null, installed_version: f.installedVersion ?? null, fixed_version: f.fixedVersion ?? null, purl: f.purl ?? null });
      } else if (view.kind === "vex") {
        for (const st of view.statements) vex.push({ document_digest: digest, vulnerability: st.vulnerability.toUpperCase(), status: st.status, products: JSON.stringify(st.products) });
      }
    }
    await insertRows(tx, "index_packages", packages);
    await insertRows(tx, "index_findings", findings);
    await insertRows(tx, "index_vex", vex);
  });
}
