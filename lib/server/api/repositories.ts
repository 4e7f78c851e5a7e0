import { z } from "zod";
import { DeniedError, MethodNotAllowedError, NotFoundError, RegistryError, UnauthorizedError } from "../../oci/errors";
import { browseRepositories, type RepositoryListing } from "../../oci/namespaces";
import type { Store } from "../../oci/store";
import type { HandlerContext } from "../http";
import { cursorParam, intParam, registryParam } from "./params";

export const repositoriesInput = z.object({
  registry: registryParam,
  prefix: z.string().max(255, "the prefix is too long").optional(),
  q: z.string().max(255, "the filter is too long").optional(),
  view: z.enum(["flat", "tree"], { error: '"view" must be "flat" or "tree"' }).default("flat"),
  n: intParam("n", 1, 1000).default(100),
  cursor: cursorParam,
});

export interface RepositoriesResponse extends RepositoryListing {
  registry: string;
  /** Where the names come from: the registry's catalog, or the config (registries without a catalog). */
  source: "catalog" | "configured";
  /** True when the catalog was longer than the server reads. */
  catalogTruncated: boolean;
}

/** Most repositories read from a catalog. */
const MAX_CATALOG_PAGES = 1_000;
export const MAX_CATALOG = 100_000;

export async function listRepositories(input: z.infer<typeof repositoriesInput>, { runtime, principal }: HandlerContext): Promise<RepositoriesResponse> {
  const { config, store } = runtime.registries.get(input.registry);
  let all: string[];
  let truncated = false;
  const source: RepositoriesResponse["source"] = config.repositories ? "configured" : "catalog";
  if (config.repositories) all = config.repositories;
  else ({ all, truncated } = await readCatalog(store, config.id));
  // The catalog as this user may see it: only repositories they may list.
  if (runtime.policy.enforced) all = all.filter((repo) => runtime.policy.can(principal, "list", config.id, repo));
  const listing = browseRepositories(all, { prefix: input.prefix, query: input.q, view: input.view, n: input.n, cursor: input.cursor });
  return { registry: config.id, source, catalogTruncated: truncated, ...listing };
}

/** Every repository name of a registry: its configured list, or its whole catalog. */
export async function readRepositoryNames(config: { id: string; repositories?: string[] }, store: Store): Promise<string[]> {
  return config.repositories ?? (await readCatalog(store, config.id)).all;
}

async function readCatalog(store: Store, registryId: string): Promise<{ all: string[]; truncated: boolean }> {
  const all: string[] = [];
  let cursor: string | undefined;
  try {
    // Pages are counted too: a registry that answers empty pages with a next link forever must not hold the call.
    for (let pages = 1; ; pages++) {
      const page = await store.catalogPage({ cursor });
      all.push(...page.items);
      if (!page.next) return { all, truncated: false };
      if (all.length >= MAX_CATALOG || pages >= MAX_CATALOG_PAGES) return { all, truncated: true };
      cursor = page.next;
    }
  } catch (err) {
    throw withCatalogHint(err, registryId);
  }
}

/** A registry that refuses its catalog: say how to browse it anyway. */
function withCatalogHint(err: unknown, registryId: string): unknown {
  if (!(err instanceof RegistryError)) return err;
  const hint = `; this registry does not list its catalog to us, so add the repositories to show under "repositories" in the config entry "${registryId}"`;
  const opts = { status: err.status, errors: err.errors, cause: err };
  if (err instanceof UnauthorizedError) return new UnauthorizedError(err.registry, err.message + hint, opts);
  if (err instanceof DeniedError) return new DeniedError(err.registry, err.message + hint, opts);
  if (err instanceof NotFoundError) return new NotFoundError(err.registry, err.message + hint, opts);
  if (err instanceof MethodNotAllowedError) return new MethodNotAllowedError(err.registry, err.message + hint, opts);
  return err;
}
