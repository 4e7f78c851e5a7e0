import { CatalogSnapshots } from "./catalog";
import { describeError, RegistryError } from "../oci/errors";
import { LayoutStore } from "../oci/layout-store";
import { pacedFetch } from "../oci/pace";
import { RegistryClient, ZERO_DIGEST } from "../oci/registry-client";
import type { Capability, Store } from "../oci/store";
import type { FetchLike, RequestRecord } from "../oci/transport";
import { LruCache } from "./cache";
import { CachedStore } from "./cached-store";
import { createGuardedFetch } from "./connect-guard";
import { publicRegistry, type Config, type PublicRegistry, type RegistryConfig } from "./config";
import { UnknownRegistryError } from "./errors";
import { log, loggableUrl, repositoryOfPath } from "./log";
import type { Metrics } from "./metrics";
import { currentStats, withoutDeadline } from "./request-context";
import { createTargetGuard, type Resolver } from "./target-guard";

/**
 * The configured registries, each as a cached, guarded, instrumented Store.
 * The only place that turns configuration into clients.
 */

export interface ConfiguredRegistry {
  config: RegistryConfig;
  store: CachedStore;
  /** What the cache wraps: a registry over HTTP, or OCI layouts on disk. */
  backend: { kind: "registry"; client: RegistryClient } | { kind: "oci-layout"; layout: LayoutStore };
}

export interface RegistryStatus extends PublicRegistry {
  reachable: boolean;
  /** Why it is unreachable, or why a capability is unknown. */
  error?: { code: string; message: string };
  apiVersion?: string;
  capabilities: {
    /** Can the catalog be listed (`/v2/_catalog`)? "configured" when a repository list is configured instead. */
    catalog: "supported" | "unsupported" | "configured" | "unknown";
    catalogMessage?: string;
    referrersApi: Capability;
    /** The repository the referrers API was probed in. */
    probedRepository?: string;
  };
  checkedAt: string;
}

export interface RegistrySetOptions {
  metrics: Metrics;
  fetch?: FetchLike;
  resolver?: Resolver;
}

export class RegistrySet {
  private readonly byId = new Map<string, ConfiguredRegistry>();
  private readonly statuses: LruCache<string, Promise<RegistryStatus>>;
  /** Each registry's whole catalog, read in the background and served with its age. */
  readonly catalogs: CatalogSnapshots;
  /**
   * Whole answers built from the stores' short-lived lists (a graph of 2,000 nodes takes a tenth of a second to
   * assemble and as long to serialise), serialised, for no longer than those lists are kept; keyed by what they
   * were built from, including the store's generation, so a refresh or a deletion is never answered from here.
   */
  readonly answers: LruCache<string, string>;

  constructor(
    readonly config: Config,
    private readonly options: RegistrySetOptions,
  ) {
    this.statuses = new LruCache({ maxEntries: 1000, ttlMs: config.cache.probeTtlSeconds * 1000 });
    this.catalogs = new CatalogSnapshots(config.cache.catalogTtlSeconds * 1000);
    this.answers = new LruCache({ maxEntries: 500, maxBytes: 64 * 1024 * 1024, ttlMs: Math.min(config.cache.tagTtlSeconds, config.cache.referrersTtlSeconds) * 1000 });
    for (const r of config.registries) this.byId.set(r.id, this.build(r));
  }

  private build(r: RegistryConfig): ConfiguredRegistry {
    const metrics = this.options.metrics;
    const backend: ConfiguredRegistry["backend"] =
      r.kind === "oci-layout"
        ? { kind: "oci-layout", layout: new LayoutStore({ root: r.path!, name: r.id, allowDelete: r.allowDelete, maxManifestBytes: r.maxManifestBytes }) }
        : { kind: "registry", client: this.registryClient(r) };
    const c = this.config.cache;
    const store = new CachedStore(backend.kind === "registry" ? backend.client : backend.layout, {
      manifestCacheBytes: c.manifestCacheMiB * 1024 * 1024,
      blobCacheBytes: c.blobCacheMiB * 1024 * 1024,
      maxCachedBlobBytes: c.maxCachedBlobKiB * 1024,
      tagTtlMs: c.tagTtlSeconds * 1000,
      referrersTtlMs: c.referrersTtlSeconds * 1000,
      catalogTtlMs: c.catalogTtlSeconds * 1000,
      concurrency: r.concurrency,
      onCache: (cache, result) => {
        metrics.cacheLookups.inc({ registry: r.id, cache, result });
        const stats = currentStats();
        if (stats) {
          if (result === "miss") stats.cacheMisses++;
          else stats.cacheHits++;
        }
      },
    });
    return { config: r, store, backend };
  }

  /** Connections guarded (see connect-guard), at most `concurrency` of them, and paced when the registry has a rate limit. */
  private fetchFor(r: RegistryConfig): FetchLike {
    const fetch = this.options.fetch ?? createGuardedFetch({ registryHost: new URL(r.origin).hostname, allowHosts: r.allowHosts, connections: r.concurrency });
    return r.requestsPerSecond ? pacedFetch(fetch, r.requestsPerSecond) : fetch;
  }

  /** A guarded, instrumented client for a registry over HTTP. */
  private registryClient(r: RegistryConfig): RegistryClient {
    const metrics = this.options.metrics;
    return new RegistryClient({
      host: r.host,
      name: r.id,
      plainHttp: r.plainHttp,
      credentials: r.credentials,
      timeoutMs: r.timeoutMs,
      maxManifestBytes: r.maxManifestBytes,
      fetch: this.fetchFor(r),
      guard: createTargetGuard({ id: r.id, origin: r.origin, allowHosts: r.allowHosts }, this.options.resolver),
      capabilityTtlMs: this.config.cache.probeTtlSeconds * 1000,
      listLimits: {
        maxEntries: this.config.limits.maxListEntries,
        maxBytes: this.config.limits.maxListMiB * 1024 * 1024,
        maxPages: this.config.limits.maxListPages,
      },
      signal: () => currentStats()?.deadline,
      onRequest: (rec: RequestRecord) => {
        const status = rec.status !== undefined ? String(rec.status) : "error";
        metrics.upstreamRequests.inc({ registry: r.id, method: rec.method, status });
        metrics.upstreamDuration.observe({ registry: r.id }, rec.durationMs / 1000);
        const stats = currentStats();
        if (stats) stats.upstreamRequests++;
        log("info", "upstream_request", {
          registry: r.id,
          method: rec.method,
          url: loggableUrl(rec.url),
          repository: repositoryOfPath(rec.url),
          status: rec.status,
          durationMs: Math.round(rec.durationMs * 10) / 10,
          error: rec.error,
        });
      },
    });
  }

  list(): RegistryConfig[] {
    return this.config.registries;
  }

  get(id: string): ConfiguredRegistry {
    const r = this.byId.get(id);
    if (!r) throw new UnknownRegistryError(id, [...this.byId.keys()]);
    return r;
  }

  store(id: string): Store {
    return this.get(id).store;
  }

  /**
   * Reachability and capabilities, probed at most once per probe TTL. A
   * registry that has not answered within `deadlineMs` is reported as not
   * (yet) reachable; the probe goes on and its result is cached for later calls.
   */
  async status(id: string, deadlineMs = 5000): Promise<RegistryStatus> {
    const r = this.get(id);
    let pending = this.statuses.get(id);
    if (!pending) {
      // The probe is cached for later calls: the deadline of the call that happened to start it does not apply.
      pending = withoutDeadline(() => probe(r, () => this.catalogs.prefetch(id, r.store)));
      this.statuses.set(id, pending);
    }
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<RegistryStatus>((resolve) => {
      timer = setTimeout(
        () =>
          resolve({
            ...publicRegistry(r.config),
            reachable: false,
            error: { code: "TIMEOUT", message: `${r.config.id}: no answer to GET /v2/ within ${deadlineMs / 1000} s; still trying` },
            capabilities: { catalog: "unknown", referrersApi: "unknown" },
            checkedAt: new Date().toISOString(),
          }),
        deadlineMs,
      );
    });
    try {
      return await Promise.race([pending, late]);
    } finally {
      clearTimeout(timer);
    }
  }
}

async function probe(r: ConfiguredRegistry, onCatalog?: () => void): Promise<RegistryStatus> {
  const status: RegistryStatus = {
    ...publicRegistry(r.config),
    reachable: false,
    capabilities: { catalog: "unknown", referrersApi: "unknown" },
    checkedAt: new Date().toISOString(),
  };
  try {
    if (r.backend.kind === "registry") status.apiVersion = (await r.backend.client.ping()).apiVersion;
    else await r.backend.layout.check();
    status.reachable = true;
  } catch (err) {
    status.error = errorSummary(err);
    return status;
  }
  let probeRepository = r.config.repositories?.[0];
  if (r.config.repositories) status.capabilities.catalog = "configured";
  else {
    try {
      const page = await r.store.catalogPage({ n: 1 });
      status.capabilities.catalog = "supported";
      probeRepository = page.items[0];
      // Someone is looking at the registries: start reading the whole catalog now, so that the namespace
      // tree and the search are ready by the time they open this one.
      onCatalog?.();
    } catch (err) {
      if (err instanceof RegistryError && [401, 403, 404, 405].includes(err.status ?? 0)) {
        status.capabilities.catalog = "unsupported";
        status.capabilities.catalogMessage = `${describeError(err)}; list the repositories to show under "repositories" in this registry's config`;
      } else {
        status.error = errorSummary(err);
      }
    }
  }
  // Ask only what the store does not know already: a layout store answers referrers from the manifests it holds,
  // and asking it would read every blob of the first repository (thousands in a large layout) just to say so.
  if (probeRepository && r.store.referrersCapability(probeRepository) !== "unknown") {
    status.capabilities.referrersApi = r.store.referrersCapability(probeRepository);
  } else if (probeRepository) {
    status.capabilities.probedRepository = probeRepository;
    try {
      await r.store.referrers(probeRepository, ZERO_DIGEST);
      status.capabilities.referrersApi = r.store.referrersCapability(probeRepository);
    } catch (err) {
      status.error ??= errorSummary(err);
    }
  }
  return status;
}

function errorSummary(err: unknown): { code: string; message: string } {
  const code = err instanceof RegistryError ? err.code : "ERROR";
  return { code, message: describeError(err) };
}
