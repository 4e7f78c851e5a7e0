/**
 * Bounded caches for the server: an LRU bounded by entry count and by bytes,
 * with an optional time to live per entry, and a map of requests in flight
 * so that identical concurrent calls share one upstream request.
 */

export interface LruOptions {
  /** Most entries kept. */
  maxEntries: number;
  /** Most bytes kept (sum of the sizes given to `set`). Default: unbounded. */
  maxBytes?: number;
  /** Default time to live in ms; undefined = until evicted. */
  ttlMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

interface Entry<V> {
  value: V;
  size: number;
  expires: number;
}

export class LruCache<K, V> {
  private readonly map = new Map<K, Entry<V>>();
  private bytes = 0;
  private readonly now: () => number;
  constructor(private readonly options: LruOptions) {
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.map.size;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  get(key: K): V | undefined {
    const e = this.map.get(key);
    if (!e) return undefined;
    if (e.expires <= this.now()) {
      this.delete(key);
      return undefined;
    }
    // Most recently used goes to the end.
    this.map.delete(key);
    this.map.set(key, e);
    return e.value;
  }

  has(key: K): boolean {
    return this.get(key) !== undefined;
  }

  set(key: K, value: V, opts: { size?: number; ttlMs?: number } = {}): void {
    const size = opts.size ?? 0;
    if (this.options.maxBytes !== undefined && size > this.options.maxBytes) return; // never fits
    this.delete(key);
    const ttl = opts.ttlMs ?? this.options.ttlMs;
    this.map.set(key, { value, size, expires: ttl === undefined ? Infinity : this.now() + ttl });
    this.bytes += size;
    while (this.map.size > this.options.maxEntries || (this.options.maxBytes !== undefined && this.bytes > this.options.maxBytes)) {
      const oldest = this.map.keys().next();
      if (oldest.done) break;
      this.delete(oldest.value);
    }
  }

  delete(key: K): void {
    const e = this.map.get(key);
    if (!e) return;
    this.bytes -= e.size;
    this.map.delete(key);
  }

  /** Remove every entry whose key matches. */
  deleteWhere(pred: (key: K) => boolean): void {
    for (const key of [...this.map.keys()]) if (pred(key)) this.delete(key);
  }

  clear(): void {
    this.map.clear();
    this.bytes = 0;
  }
}

/** Identical calls made while one is running share its promise. */
export class InFlight {
  private readonly pending = new Map<string, Promise<unknown>>();

  get count(): number {
    return this.pending.size;
  }

  run<T>(key: string, fn: () => Promise<T>): { promise: Promise<T>; shared: boolean } {
    const existing = this.pending.get(key) as Promise<T> | undefined;
    if (existing) return { promise: existing, shared: true };
    const promise = fn().finally(() => this.pending.delete(key));
    this.pending.set(key, promise);
    return { promise, shared: false };
  }
}

/** At most `limit` calls run at once; the rest wait in order. */
export class Semaphore {
  private active = 0;
  private readonly queue: (() => void)[] = [];
  constructor(readonly limit: number) {}

  get waiting(): number {
    return this.queue.length;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.queue.push(resolve));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.queue.shift()?.();
    }
  }
}
