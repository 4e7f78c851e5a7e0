import { DeniedError, MethodNotAllowedError, NotFoundError, RegistryError, UnauthorizedError } from "../oci/errors";
import type { Store } from "../oci/store";
import { log } from "./log";
import { detached } from "./request-context";

/**
 * A registry's whole catalog, read in the background and served with its age.
 *
 * A catalog of 20,000 repositories takes 20 pages; nobody should wait for
 * them to see the first page or a namespace. So the whole list is a snapshot:
 * read once (pages one after another, as registries require), then served to
 * every visitor as it is, however old, while a refresh runs in the background
 * once it is older than its time to live. Only a visitor who arrives before
 * the very first snapshot exists waits for it; the flat first page does not
 * wait even then (it reads one page live, see api/repositories).
 */

export interface CatalogSnapshot {
  names: string[];
  /** True when the catalog was longer than the server reads. */
  truncated: boolean;
  /** When the read finished (ms since the epoch). */
  readAt: number;
}

/** Most repositories read from a catalog. */
export const MAX_CATALOG = 100_000;
/** Pages are counted too: a registry that answers empty pages with a next link forever must not hold the read. */
const MAX_CATALOG_PAGES = 1_000;

interface Entry {
  snapshot?: CatalogSnapshot;
  /** The read in progress, if any. */
  reading?: Promise<CatalogSnapshot>;
  /** When the last read failed: background refreshes pause for a time to live after it. */
  failedAt?: number;
}

export class CatalogSnapshots {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  private entry(registryId: string): Entry {
    let e = this.entries.get(registryId);
    if (!e) this.entries.set(registryId, (e = {}));
    return e;
  }

  /** The snapshot if one exists (of any age), starting a refresh when it is stale or missing. */
  peek(registryId: string, store: Store): CatalogSnapshot | undefined {
    const e = this.entry(registryId);
    const stale = !e.snapshot || this.now() - e.snapshot.readAt >= this.ttlMs;
    const pausing = e.failedAt !== undefined && this.now() - e.failedAt < this.ttlMs;
    if (stale && !pausing) this.refresh(registryId, store, e).catch(() => undefined);
    return e.snapshot;
  }

  /** Start the first read if none exists yet (no refresh of one that does). */
  prefetch(registryId: string, store: Store): void {
    const e = this.entry(registryId);
    if (!e.snapshot && !e.reading && e.failedAt === undefined) this.refresh(registryId, store, e).catch(() => undefined);
  }

  /** The snapshot, waiting for the first read when there is none yet. */
  async get(registryId: string, store: Store): Promise<CatalogSnapshot> {
    const e = this.entry(registryId);
    const current = this.peek(registryId, store);
    if (current) return current;
    // A visitor who waits gets a fresh try even right after a failure, and sees its error.
    return this.refresh(registryId, store, e);
  }

  /**
   * Read the catalog now (the index's walk polls it), from `store` as given (pass one without a page cache), and
   * keep it as the snapshot every visitor sees. A read already in progress is as fresh and is joined.
   */
  readNow(registryId: string, store: Store): Promise<CatalogSnapshot> {
    return this.refresh(registryId, store, this.entry(registryId));
  }

  /** Drop what is known (the user asked for a refresh, or a repository was deleted). */
  invalidate(registryId: string): void {
    const e = this.entries.get(registryId);
    if (e) e.snapshot = undefined;
  }

  private refresh(registryId: string, store: Store, e: Entry): Promise<CatalogSnapshot> {
    if (e.reading) return e.reading;
    // Detached: the read belongs to no visitor (no call's deadline cuts it short, no call is billed for it).
    const reading = detached(() => readCatalog(store, registryId, this.now));
    e.reading = reading;
    reading.then(
      (snapshot) => {
        e.snapshot = snapshot;
        e.failedAt = undefined;
        e.reading = undefined;
      },
      (err: unknown) => {
        e.failedAt = this.now();
        e.reading = undefined;
        log("warn", "catalog_read_failed", { registry: registryId, error: err instanceof Error ? err.message : String(err) });
      },
    );
    return reading;
  }
}

async function readCatalog(store: Store, registryId: string, now: () => number): Promise<CatalogSnapshot> {
  const names: string[] = [];
  let cursor: string | undefined;
  try {
    for (let pages = 1; ; pages++) {
      const page = await store.catalogPage({ cursor, n: 1000 });
      names.push(...page.items);
      if (!page.next) return { names, truncated: false, readAt: now() };
      if (names.length >= MAX_CATALOG || pages >= MAX_CATALOG_PAGES) return { names, truncated: true, readAt: now() };
      cursor = page.next;
    }
  } catch (err) {
    throw withCatalogHint(err, registryId);
  }
}

/** A registry that refuses its catalog: say how to browse it anyway. */
export function withCatalogHint(err: unknown, registryId: string): unknown {
  if (!(err instanceof RegistryError)) return err;
  const hint = `; this registry does not list its catalog to us, so add the repositories to show under "repositories" in the config entry "${registryId}"`;
  if (err.message.endsWith(hint)) return err;
  const opts = { status: err.status, errors: err.errors, cause: err };
  if (err instanceof UnauthorizedError) return new UnauthorizedError(err.registry, err.message + hint, opts);
  if (err instanceof DeniedError) return new DeniedError(err.registry, err.message + hint, opts);
  if (err instanceof NotFoundError) return new NotFoundError(err.registry, err.message + hint, opts);
  if (err instanceof MethodNotAllowedError) return new MethodNotAllowedError(err.registry, err.message + hint, opts);
  return err;
}
