import { getMetrics } from "../runtime";

/** Prometheus text exposition of the server's metrics. */
export function metricsResponse(): Response {
  return new Response(getMetrics().expose(), {
    headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8", "cache-control": "no-store" },
  });
}
