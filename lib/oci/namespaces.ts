/**
 * Repository names as a namespace hierarchy (`TeamA/app/api` lives under
 * `TeamA/` and `TeamA/app/`), paged and filtered. Pure: the caller brings
 * the full list (from the catalog or the config).
 */

export interface NamespaceEntry {
  /** `TeamA/app/`: always ends with '/'. */
  path: string;
  /** Repositories anywhere below it. */
  repositories: number;
}

export interface RepositoryListing {
  /** Repositories on this page, sorted by name. */
  repositories: string[];
  /** In tree view: namespaces directly under the prefix. */
  namespaces?: NamespaceEntry[];
  /** Repositories that match (all pages). */
  total: number;
  /** Cursor for the next page (the last name of this page). */
  next?: string;
}

export interface BrowseOptions {
  /** Only names that start with this (a namespace is `TeamA/`). */
  prefix?: string;
  /** Only names that contain this, case-insensitive. */
  query?: string;
  /** `tree`: only repositories directly under the prefix, plus the namespaces below it. */
  view?: "flat" | "tree";
  /** Page size. */
  n: number;
  /** Names after this one (exclusive). */
  cursor?: string;
}

export function browseRepositories(all: readonly string[], options: BrowseOptions): RepositoryListing {
  const prefix = options.prefix ?? "";
  const query = options.query?.toLowerCase();
  const sorted = [...new Set(all)].sort(compareNames);
  const under = sorted.filter((r) => r.startsWith(prefix) && r.length > prefix.length);
  const matching = query ? under.filter((r) => r.toLowerCase().includes(query)) : under;
  let listed = matching;
  let namespaces: NamespaceEntry[] | undefined;
  if (options.view === "tree") {
    listed = matching.filter((r) => !r.slice(prefix.length).includes("/"));
    const counts = new Map<string, number>();
    for (const r of matching) {
      const rest = r.slice(prefix.length);
      const slash = rest.indexOf("/");
      if (slash < 0) continue;
      const path = prefix + rest.slice(0, slash + 1);
      counts.set(path, (counts.get(path) ?? 0) + 1);
    }
    namespaces = [...counts.entries()].sort(([a], [b]) => compareNames(a, b)).map(([path, repositories]) => ({ path, repositories }));
  }
  const start = options.cursor === undefined ? 0 : firstAfter(listed, options.cursor);
  const page = listed.slice(start, start + options.n);
  const more = start + options.n < listed.length;
  return { repositories: page, namespaces, total: listed.length, next: more ? page[page.length - 1] : undefined };
}

/** Byte order, as registries sort their catalogs. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function firstAfter(sorted: readonly string[], cursor: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareNames(sorted[mid], cursor) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
