import { describe, expect, it } from "vitest";
import { Metrics } from "./metrics";

describe("Metrics", () => {
  it("renders counters, histograms and the cache hit ratio in Prometheus text format", () => {
    const m = new Metrics();
    m.upstreamRequests.inc({ registry: "r", method: "GET", status: "200" });
    m.upstreamRequests.inc({ registry: "r", method: "GET", status: "200" });
    m.upstreamDuration.observe({ registry: "r" }, 0.03);
    m.cacheLookups.inc({ registry: "r", cache: "manifest", result: "hit" }, 3);
    m.cacheLookups.inc({ registry: "r", cache: "manifest", result: "miss" });
    m.apiRequests.inc({ route: "tags", status: "200" });
    const text = m.expose();
    expect(text).toContain("# TYPE chainsight_upstream_requests_total counter");
    expect(text).toContain('chainsight_upstream_requests_total{registry="r",method="GET",status="200"} 2');
    expect(text).toContain('chainsight_upstream_request_duration_seconds_bucket{registry="r",le="0.025"} 0');
    expect(text).toContain('chainsight_upstream_request_duration_seconds_bucket{registry="r",le="0.05"} 1');
    expect(text).toContain('chainsight_upstream_request_duration_seconds_bucket{registry="r",le="+Inf"} 1');
    expect(text).toContain('chainsight_upstream_request_duration_seconds_count{registry="r"} 1');
    expect(text).toContain('chainsight_cache_hit_ratio{cache="manifest"} 0.75');
    expect(text.endsWith("\n")).toBe(true);
  });

  it("escapes label values", () => {
    const m = new Metrics();
    m.apiRequests.inc({ route: 'a"b\\c\nd', status: "200" });
    expect(m.expose()).toContain('route="a\\"b\\\\c\\nd"');
  });
});
