/**
 * A small Prometheus registry: counters and histograms with labels, rendered
 * in the text exposition format (version 0.0.4).
 */

type Labels = Record<string, string>;

/** One string per label set, whatever the key order. Counted on every cache lookup, so cheap: no JSON, no locale. */
const key = (labels: Labels) => {
  const names = Object.keys(labels);
  if (names.length > 1) names.sort();
  let out = "";
  for (const n of names) out += `${n}\u0001${labels[n]}\u0002`;
  return out;
};
const escape = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
const render = (labels: Labels, extra: Labels = {}) => {
  const all = { ...labels, ...extra };
  const parts = Object.keys(all).map((k) => `${k}="${escape(all[k])}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
};
const num = (n: number) => (Number.isInteger(n) ? String(n) : n.toPrecision(6).replace(/\.?0+$/, ""));

export class Counter {
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(labels: Labels = {}, by = 1): void {
    const k = key(labels);
    const v = this.values.get(k) ?? { labels, value: 0 };
    v.value += by;
    this.values.set(k, v);
  }
  get(labels: Labels = {}): number {
    return this.values.get(key(labels))?.value ?? 0;
  }
  /** Sum over every label set that matches the given labels. */
  sum(match: Labels = {}): number {
    let total = 0;
    for (const { labels, value } of this.values.values()) {
      if (Object.entries(match).every(([k, v]) => labels[k] === v)) total += value;
    }
    return total;
  }
  entries(): { labels: Labels; value: number }[] {
    return [...this.values.values()];
  }
  expose(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const { labels, value } of this.values.values()) lines.push(`${this.name}${render(labels)} ${num(value)}`);
    return lines.join("\n");
  }
}

export class Histogram {
  private readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  ) {}
  observe(labels: Labels, value: number): void {
    const k = key(labels);
    const s = this.series.get(k) ?? { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
    this.buckets.forEach((b, i) => {
      if (value <= b) s.counts[i]++;
    });
    s.sum += value;
    s.count++;
    this.series.set(k, s);
  }
  expose(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const s of this.series.values()) {
      this.buckets.forEach((b, i) => lines.push(`${this.name}_bucket${render(s.labels, { le: num(b) })} ${s.counts[i]}`));
      lines.push(`${this.name}_bucket${render(s.labels, { le: "+Inf" })} ${s.count}`);
      lines.push(`${this.name}_sum${render(s.labels)} ${num(s.sum)}`);
      lines.push(`${this.name}_count${render(s.labels)} ${s.count}`);
    }
    return lines.join("\n");
  }
}

/** The metrics Chainsight exposes at /api/metrics. */
export class Metrics {
  readonly upstreamRequests = new Counter("chainsight_upstream_requests_total", "Requests sent to registries, by registry, method and HTTP status (error = no answer).");
  readonly upstreamDuration = new Histogram("chainsight_upstream_request_duration_seconds", "Latency of requests sent to registries.");
  readonly cacheLookups = new Counter("chainsight_cache_lookups_total", "Cache lookups by cache and result (hit, miss, shared = joined a request in flight).");
  readonly apiRequests = new Counter("chainsight_api_requests_total", "API calls by route and HTTP status.");
  readonly apiDuration = new Histogram("chainsight_api_request_duration_seconds", "Latency of API calls.");
  readonly signatureVerifications = new Counter("chainsight_signature_verifications_total", "Signatures verified (computed, not answered from the results cache), by format and verdict.");

  expose(): string {
    const ratio = ["# HELP chainsight_cache_hit_ratio Share of cache lookups answered without a new upstream request (hit or shared).", "# TYPE chainsight_cache_hit_ratio gauge"];
    const caches = new Set(this.cacheLookups.entries().map((e) => e.labels.cache));
    for (const cache of [...caches].sort()) {
      const total = this.cacheLookups.sum({ cache });
      const served = this.cacheLookups.sum({ cache, result: "hit" }) + this.cacheLookups.sum({ cache, result: "shared" });
      ratio.push(`chainsight_cache_hit_ratio${render({ cache })} ${num(total ? served / total : 0)}`);
    }
    const mem = process.memoryUsage();
    const memory = [
      "# HELP process_resident_memory_bytes Resident memory of the server process.",
      "# TYPE process_resident_memory_bytes gauge",
      `process_resident_memory_bytes ${mem.rss}`,
      "# HELP nodejs_heap_used_bytes JavaScript heap in use.",
      "# TYPE nodejs_heap_used_bytes gauge",
      `nodejs_heap_used_bytes ${mem.heapUsed}`,
    ];
    return [this.upstreamRequests, this.upstreamDuration, this.cacheLookups, this.apiRequests, this.apiDuration, this.signatureVerifications]
      .map((m) => m.expose())
      .concat(ratio.join("\n"), memory.join("\n"))
      .join("\n\n") + "\n";
  }
}
