import { TooLargeError } from "./errors";

/**
 * How much of one listing (tags, referrers, catalog) a store will hold.
 * Registries page their listings with `Link: rel=next`; a broken or hostile
 * one can answer forever, so every listing stops at a number of entries, of
 * bytes and of pages, and says which limit it hit.
 */
export interface ListLimits {
  /** Entries in one listing, all pages together. */
  maxEntries: number;
  /** Bytes of one listing, all pages together. */
  maxBytes: number;
  /** Pages of one listing. */
  maxPages: number;
}

export const DEFAULT_LIST_LIMITS: ListLimits = { maxEntries: 100_000, maxBytes: 32 * 1024 * 1024, maxPages: 1_000 };

export class ListBudget {
  private entries = 0;
  private bytes = 0;
  private pages = 0;

  constructor(
    private readonly registry: string,
    private readonly what: string,
    private readonly limits: ListLimits,
  ) {}

  /** Count one page; throws TooLargeError naming the registry and the limit once a limit is passed. */
  take(entries: number, bytes: number): void {
    this.entries += entries;
    this.bytes += bytes;
    this.pages += 1;
    const over = (limit: string, value: string) => {
      throw new TooLargeError(
        this.registry,
        `${this.registry}: ${this.what} goes past ${value} (${limit}); Chainsight stopped reading it. The registry may be broken, or raise the limit in the configuration if it is really this large`,
      );
    };
    if (this.entries > this.limits.maxEntries) over("limits.maxListEntries", `${this.limits.maxEntries} entries`);
    if (this.bytes > this.limits.maxBytes) over("limits.maxListMiB", `${Math.round(this.limits.maxBytes / 1024 / 1024)} MiB`);
    if (this.pages > this.limits.maxPages) over("limits.maxListPages", `${this.limits.maxPages} pages`);
  }
}
