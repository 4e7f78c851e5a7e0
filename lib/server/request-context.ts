import { AsyncLocalStorage } from "node:async_hooks";

/**
 * What one API call has cost so far: upstream requests and cache results.
 * Carried through async calls so that the store and transport can count
 * without being handed the call explicitly.
 */
export interface RequestStats {
  upstreamRequests: number;
  cacheHits: number;
  cacheMisses: number;
  /** Fires when the call's overall budget is spent; stores stop waiting on registries then. */
  deadline?: AbortSignal;
}

const storage = new AsyncLocalStorage<RequestStats>();

export function withRequestStats<T>(fn: () => Promise<T>, deadline?: AbortSignal): { stats: RequestStats; result: Promise<T> } {
  const stats: RequestStats = { upstreamRequests: 0, cacheHits: 0, cacheMisses: 0, deadline };
  return { stats, result: storage.run(stats, fn) };
}

export function currentStats(): RequestStats | undefined {
  return storage.getStore();
}

/**
 * Run work that outlives the call that started it (a registry probe whose
 * result is cached for every later call) without that call's deadline; what
 * it costs is still counted for the call.
 */
export function withoutDeadline<T>(fn: () => T): T {
  const parent = storage.getStore();
  if (!parent) return fn();
  const child: RequestStats = {
    get upstreamRequests() {
      return parent.upstreamRequests;
    },
    set upstreamRequests(v) {
      parent.upstreamRequests = v;
    },
    get cacheHits() {
      return parent.cacheHits;
    },
    set cacheHits(v) {
      parent.cacheHits = v;
    },
    get cacheMisses() {
      return parent.cacheMisses;
    },
    set cacheMisses(v) {
      parent.cacheMisses = v;
    },
  };
  return storage.run(child, fn);
}

/**
 * Run work that belongs to no call (a background refresh another visitor
 * will read): no deadline, and not counted against the call that happened
 * to start it.
 */
export function detached<T>(fn: () => T): T {
  return storage.exit(fn);
}
