import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { crawlRegistry, type CrawlResult, type IndexSource } from "../index/crawler";
import { queueRepository, releaseLease, takeLease, takeQueued, WHOLE_REGISTRY } from "../index/lease";
import { kindOf } from "../database/open";
import { openIndexDatabase, type IndexDb } from "../index/database";
import { computeCoverage, saveSnapshot } from "../index/coverage";
import { searchIndex, type SearchQuery, type SearchResult } from "../index/search";
import { describeError } from "../oci/errors";
import type { Config } from "./config";
import type { DocumentService } from "./documents";
import { log } from "./log";
import type { ConfiguredRegistry, RegistrySet } from "./registries";
import { detached } from "./request-context";
import { subjectVerdict, type VerificationService } from "./verification";

/**
 * The supply-chain index as the server runs it: one database, one walk per
 * registry at a time in the background (every `index.intervalMinutes`), the
 * walk of a single repository on request (an event), and what the pages read
 * from it (status, search). Off unless `index.enabled`.
 */

export interface RegistryIndexStatus {
  registry: string;
  repositoriesTotal?: number;
  repositoriesDone: number;
  tagsDone: number;
  /** A walk is running now. */
  running: boolean;
  startedAt?: string;
  /** When the last complete walk ended. */
  completedAt?: string;
  /** Repositories per minute in the current (or last) walk. */
  ratePerMinute?: number;
  /** Seconds left in the current walk at that rate. */
  etaSeconds?: number;
  lastError?: string;
  /** The registry answered 429: the walk sends nothing until then (its Retry-After). */
  rateLimitedUntil?: string;
  /** Repositories whose last walk failed, with the registry's message. */
  failing: { repository: string; error: string }[];
}

export interface IndexStatus {
  enabled: boolean;
  /** This server holds the crawler's lease (among replicas sharing the database, one walks). */
  crawler?: boolean;
  /** "sqlite" or "postgres" (never the URL: it may carry credentials). */
  database?: "sqlite" | "postgres";
  registries: RegistryIndexStatus[];
}

/** A wait still running, as an ISO time. */
function waitUntil(until: number | undefined, now: number): string | undefined {
  return until !== undefined && until > now ? new Date(until).toISOString() : undefined;
}

export class IndexService {
  private dbPromise?: Promise<IndexDb>;
  private readonly running = new Set<string>();
  /** Per registry: a 429 closed the walk's gate until then (ms since the epoch). */
  private readonly rateLimitedUntil = new Map<string, number>();
  /** Walks asked for while the same walk was running: run once more when it ends (a change may have come too late for it). */
  private readonly again = new Map<string, { registryId: string; only?: string[]; force: boolean }>();
  private leaseTimer?: NodeJS.Timeout;
  private stopped = false;
  /** Held the crawler's lease at the last renewal. */
  private crawler = false;
  private readonly holder = `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;

  constructor(
    private readonly config: Config,
    private readonly registries: RegistrySet,
    private readonly verification: VerificationService,
    private readonly documents: DocumentService,
  ) {}

  get enabled(): boolean {
    return this.config.index.enabled;
  }

  db(): Promise<IndexDb> {
    this.dbPromise ??= openIndexDatabase({ location: this.config.index.database }).catch((err) => {
      this.dbPromise = undefined;
      throw err;
    });
    return this.dbPromise;
  }

  /** This server walks (it holds the lease); the others queue what events ask for. */
  get isCrawler(): boolean {
    return this.crawler;
  }

  /**
   * Take (or renew) the crawler's lease every third of its life; while it is held, walk every registry every
   * interval and the repositories other replicas queued, every few seconds.
   */
  start(): void {
    if (!this.enabled || this.leaseTimer || this.stopped) return;
    const leaseMs = this.config.index.leaseSeconds * 1000;
    let lastFull = 0;
    const tick = async () => {
      try {
        const db = await this.db();
        const was = this.crawler;
        this.crawler = await takeLease(db, "crawler", this.holder, leaseMs);
        if (this.crawler !== was) log("info", this.crawler ? "index_lease_taken" : "index_lease_lost", { holder: this.holder });
        if (!this.crawler) return;
        for (const q of await takeQueued(db)) {
          if (!this.registries.list().some((r) => r.id === q.registry)) continue;
          if (q.repositories.includes(WHOLE_REGISTRY)) void this.walk(q.registry).catch(() => undefined);
          const some = q.repositories.filter((r) => r !== WHOLE_REGISTRY);
          if (some.length) void this.walk(q.registry, some, true).catch(() => undefined);
        }
        if (Date.now() - lastFull >= this.config.index.intervalMinutes * 60_000 && !this.running.size) {
          lastFull = Date.now();
          void this.walkAll();
        }
      } catch (err) {
        log("warn", "index_lease_failed", { error: describeError(err) });
      }
    };
    const loop = () => {
      void tick().finally(() => {
        if (!this.stopped) this.leaseTimer = setTimeout(loop, Math.min(leaseMs / 3, 2_000)).unref();
      });
    };
    this.leaseTimer = setTimeout(loop, 0).unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.leaseTimer) clearTimeout(this.leaseTimer);
    if (this.crawler && this.dbPromise) await releaseLease(await this.dbPromise, "crawler", this.holder).catch(() => undefined);
  }

  /** An event: walk the repositories now when this server crawls, else queue them for the one that does. */
  async changed(registryId: string, repositories: string[]): Promise<"walking" | "queued"> {
    if (this.crawler) {
      void this.walk(registryId, repositories, true).catch(() => undefined);
      return "walking";
    }
    const db = await this.db();
    for (const r of repositories) await queueRepository(db, registryId, r);
    return "queued";
  }

  /** "Walk now" (an administrator): every registry, or one; on the replica that crawls, queued for it otherwise. */
  async walkNow(registryId?: string): Promise<{ registries: string[]; state: "walking" | "queued" }> {
    const ids = registryId ? [this.registries.get(registryId).config.id] : this.registries.list().map((r) => r.id);
    if (this.crawler) {
      for (const id of ids) void this.walk(id).catch(() => undefined);
      return { registries: ids, state: "walking" };
    }
    const db = await this.db();
    for (const id of ids) await queueRepository(db, id, WHOLE_REGISTRY);
    return { registries: ids, state: "queued" };
  }

  private source(r: ConfiguredRegistry): IndexSource {
    return {
      id: r.config.id,
      store: r.store,
      // The catalog read now, past the page cache (a new repository must be noticed), kept for visitors too.
      repositories: async () => r.config.repositories ?? (await this.registries.catalogs.readNow(r.config.id, r.backend.kind === "registry" ? r.backend.client : r.backend.layout)).names,
      forget: (repository) => r.store.forget(repository),
      verify: async (store, graph) => {
        const verification = await this.verification.verify(store, r.config, graph);
        return { verification, verdict: subjectVerdict(graph, verification) };
      },
      documents: (store, repository, digest) => this.documents.read(store, repository, digest),
      maxNodes: this.config.limits.maxGraphNodes,
      concurrency: Math.min(4, r.config.concurrency),
      // Repositories at once: within the registry's `concurrency` (4 requests each), at most 8.
      parallelRepositories: Math.max(1, Math.min(8, Math.floor(r.config.concurrency / 4))),
    };
  }

  /** Walk every registry, one after another, then keep today's coverage snapshot. */
  async walkAll(): Promise<void> {
    for (const r of this.registries.list()) await this.walk(r.id).catch(() => undefined);
    if (!this.stopped) await this.snapshot().catch((err) => log("warn", "coverage_snapshot_failed", { error: describeError(err) }));
  }

  /** Walk one registry (or only some of its repositories); one walk per registry at a time. */
  walk(registryId: string, only?: string[], force = false): Promise<CrawlResult | undefined> {
    const key = only ? `${registryId} ${only.join(",")}` : registryId;
    if (this.running.has(key)) {
      this.again.set(key, { registryId, only, force });
      return Promise.resolve(undefined);
    }
    this.running.add(key);
    const started = Date.now();
    // A walk belongs to no visitor's call: no deadline, not billed to whoever triggered it.
    return detached(async () => {
      try {
        const db = await this.db();
        const result = await crawlRegistry(db, this.source(this.registries.get(registryId)), {
          only,
          force,
          shouldStop: () => this.stopped,
          onRateLimited: (until, message) => {
            this.rateLimitedUntil.set(registryId, until);
            log("warn", "index_rate_limited", { registry: registryId, until: new Date(until).toISOString(), error: message });
          },
        });
        log("info", "index_walk", { registry: registryId, repositories: result.repositories, changed: result.changed, images: result.images, documentsParsed: result.documentsParsed, resumed: result.resumed, rateLimited: result.rateLimited, waitedSeconds: result.waitedSeconds, errors: result.errors.length, durationMs: Date.now() - started });
        return result;
      } catch (err) {
        log("warn", "index_walk_failed", { registry: registryId, error: describeError(err) });
        throw err;
      } finally {
        this.running.delete(key);
        const next = this.again.get(key);
        if (next && !this.stopped) {
          this.again.delete(key);
          void this.walk(next.registryId, next.only, next.force).catch(() => undefined);
        }
      }
    });
  }

  async status(): Promise<IndexStatus> {
    if (!this.enabled) return { enabled: false, registries: [] };
    const db = await this.db();
    const states = await db.selectFrom("index_state").selectAll().execute();
    const failing = await db.selectFrom("index_repositories").select(["registry_id", "repository", "error"]).where("error", "is not", null).execute();
    const now = Date.now();
    return {
      enabled: true,
      crawler: this.crawler,
      database: kindOf(this.config.index.database),
      registries: this.registries.list().map((r) => {
        const s = states.find((x) => x.registry_id === r.id);
        const running = this.running.has(r.id);
        // Over the walk in progress, or over the last walk from its start to its end.
        const end = !running && s?.completed_at && s.started_at && s.completed_at >= s.started_at ? Date.parse(s.completed_at) : now;
        const elapsedMin = s?.started_at ? Math.max(end - Date.parse(s.started_at), 1000) / 60_000 : undefined;
        const rate = elapsedMin && elapsedMin > 0 && s ? s.repositories_done / elapsedMin : undefined;
        const left = s?.repositories_total != null ? s.repositories_total - s.repositories_done : undefined;
        return {
          registry: r.id,
          repositoriesTotal: s?.repositories_total ?? undefined,
          repositoriesDone: s?.repositories_done ?? 0,
          tagsDone: s?.tags_done ?? 0,
          running,
          startedAt: s?.started_at ?? undefined,
          completedAt: s?.completed_at ?? undefined,
          ratePerMinute: rate !== undefined ? Math.round(rate * 10) / 10 : undefined,
          etaSeconds: running && rate && left !== undefined ? Math.round((left / rate) * 60) : undefined,
          lastError: s?.last_error ?? undefined,
          rateLimitedUntil: waitUntil(this.rateLimitedUntil.get(r.id), now),
          failing: failing.filter((f) => f.registry_id === r.id).map((f) => ({ repository: f.repository, error: f.error! })),
        };
      }),
    };
  }

  async search(query: SearchQuery, visible: (registry: string, repository: string) => boolean): Promise<SearchResult & { asOf?: string }> {
    const result = await searchIndex(await this.db(), query, visible);
    return { ...result, asOf: await this.asOf() };
  }

  /** When the oldest registry's last complete walk ended: how old an answer from the index may be. */
  async asOf(): Promise<string | undefined> {
    const complete = await (await this.db()).selectFrom("index_state").select("completed_at").execute();
    return complete.map((c) => c.completed_at).filter((t): t is string => !!t).sort()[0];
  }

  /** Today's coverage snapshot (every repository, the policies as configured), for the coverage page's trend. */
  async snapshot(now = new Date()): Promise<void> {
    const db = await this.db();
    const result = await computeCoverage(db, { policies: this.config.policies, scanDays: 30, now, visible: () => true });
    const rows = await saveSnapshot(db, result, now.toISOString().slice(0, 10));
    log("info", "coverage_snapshot", { day: now.toISOString().slice(0, 10), rows });
  }
}
