import { z } from "zod";
import { browseRepositories, compareNames, type RepositoryListing } from "../../oci/namespaces";
import type { Page, Store } from "../../oci/store";
import { withCatalogHint } from "../catalog";
import type { HandlerContext } from "../http";
import type { ConfiguredRegistry } from "../registries";
import { cursorParam, intParam, registryParam } from "./params";

export const repositoriesInput = z.object({
  registry: registryParam,
  prefix: z.string().max(255, "the prefix is too long").optional(),
  q: z.string().max(255, "the filter is too long").optional(),
  view: z.enum(["flat", "tree"], { error: '"view" must be "flat" or "tree"' }).default("flat"),
  n: intParam("n", 1, 1000).default(100),
  cursor: cursorParam,
});

export interface RepositoriesResponse extends Omit<RepositoryListing, "total"> {
  registry: string;
  /** Where the names come from: the registry's catalog, or the config (registries without a catalog). */
  source: "catalog" | "configured";
  /** Repositories that match (all pages); absent while the whole catalog has not been read yet. */
  total?: number;
  /** True when the catalog was longer than the server reads. */
  catalogTruncated: boolean;
  /** How old the catalog shown is, in seconds (absent for a configured list and a page read live). */
  catalogAgeSeconds?: number;
}

/** Catalog pages read live for one flat first page when rights hide most names, at most. */
const MAX_LIVE_PAGES = 5;

export async function listRepositories(input: z.infer<typeof repositoriesInput>, { runtime, principal }: HandlerContext): Promise<RepositoriesResponse> {
  const registry = runtime.registries.get(input.registry);
  const { config, store } = registry;
  const visible = (names: string[]) => (runtime.policy.enforced ? names.filter((repo) => runtime.policy.can(principal, "list", config.id, repo)) : names);
  const browse = { prefix: input.prefix, query: input.q, view: input.view, n: input.n, cursor: input.cursor };
  if (config.repositories) {
    return { registry: config.id, source: "configured", catalogTruncated: false, ...browseRepositories(visible(config.repositories), browse) };
  }
  const catalogs = runtime.registries.catalogs;
  const snapshot = catalogs.peek(config.id, store);
  const plainFirstPage = input.view === "flat" && !input.prefix && !input.q && input.cursor === undefined;
  if (!snapshot && plainFirstPage) {
    // Nobody has read the whole catalog yet (it is being read now): the first page costs one catalog page.
    return { registry: config.id, source: "catalog", catalogTruncated: false, ...(await liveFirstPage(registry, input.n, visible)) };
  }
  if (!snapshot && input.prefix) {
    // A namespace is one contiguous range of the sorted catalog: read just that range, from ?last=<prefix>.
    const range = await readRange(registry, input.prefix);
    if (range) return { registry: config.id, source: "catalog", catalogTruncated: false, ...browseRepositories(visible(range), browse) };
  }
  const whole = snapshot ?? (await catalogs.get(config.id, store));
  return {
    registry: config.id,
    source: "catalog",
    catalogTruncated: whole.truncated,
    catalogAgeSeconds: Math.max(0, Math.round((Date.now() - whole.readAt) / 1000)),
    ...browseRepositories(visible(whole.names), browse),
  };
}

/**
 * The first page straight from the registry: one catalog page of n names
 * (more pages only while the user's rights hide names). The next page comes
 * from the snapshot, which is being read meanwhile.
 */
async function liveFirstPage(registry: ConfiguredRegistry, n: number, visible: (names: string[]) => string[]): Promise<Omit<RepositoryListing, "total"> & { total?: number }> {
  const shown: string[] = [];
  let cursor: string | undefined;
  let more = false;
  try {
    for (let pages = 0; pages < MAX_LIVE_PAGES; pages++) {
      const page = await registry.store.catalogPage({ n, cursor });
      shown.push(...visible(page.items));
      more = page.next !== undefined;
      if (!more || shown.length >= n) break;
      cursor = page.next;
    }
  } catch (err) {
    throw withCatalogHint(err, registry.config.id);
  }
  const names = [...new Set(shown)].sort(compareNames).slice(0, n);
  const next = more || shown.length > n ? names[names.length - 1] : undefined;
  // One page held the whole catalog: its size is known.
  return { repositories: names, next, total: more ? undefined : shown.length };
}

/** Pages read for one namespace before it is cheaper to wait for the whole catalog. */
const MAX_RANGE_PAGES = 10;

/**
 * The repositories under a prefix, read from the catalog starting after the
 * prefix (`?last=`) until a name leaves it. Undefined when the registry
 * ignores `last` (its first name is not after the prefix) or the namespace
 * is too large: the caller then waits for the whole catalog.
 */
async function readRange(registry: ConfiguredRegistry, prefix: string): Promise<string[] | undefined> {
  const names: string[] = [];
  let page: Page<string>;
  try {
    page = await registry.store.catalogPage({ n: 1000, last: prefix });
    if (page.items.length > 0 && compareNames(page.items[0], prefix) <= 0) return undefined;
    for (let pages = 1; ; pages++) {
      const inside = page.items.filter((r) => r.startsWith(prefix));
      names.push(...inside);
      if (!page.next || inside.length < page.items.length) return names;
      if (pages >= MAX_RANGE_PAGES) return undefined;
      page = await registry.store.catalogPage({ cursor: page.next });
    }
  } catch (err) {
    throw withCatalogHint(err, registry.config.id);
  }
}

/** Every repository name of a registry: its configured list, or its whole catalog (served from the snapshot). */
export async function readRepositoryNames(registry: Pick<ConfiguredRegistry, "config" | "store">, catalogs: { get(id: string, store: Store): Promise<{ names: string[] }> }): Promise<string[]> {
  return registry.config.repositories ?? (await catalogs.get(registry.config.id, registry.store)).names;
}
