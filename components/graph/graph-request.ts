import { apiPath, type GraphParams } from "../api";

/**
 * The graph call for the controls in a page address, in one place: the
 * supply-chain view makes it, and the artifact page's server side asks the
 * browser to start it (a preload) before any JavaScript has run, so the
 * slowest call of the page overlaps the page's own loading. Both must build
 * the same URL for the browser to reuse the preloaded answer.
 */

export function toInt(value: string | null | undefined, min: number, max: number): number | undefined {
  if (!value || !/^\d+$/.test(value)) return undefined;
  const n = Number(value);
  return n >= min && n <= max ? n : undefined;
}

export function graphRequest(registry: string, repository: string, reference: string, params: { get(name: string): string | null }) {
  const artifactType = params.get("artifactType") ?? undefined;
  const order = params.get("order") === "asc" ? "asc" : params.get("order") === "desc" ? "desc" : undefined;
  const top = toInt(params.get("top"), 1, 1000);
  const depth = toInt(params.get("depth"), 1, 16);
  const query: GraphParams = { repository, reference, artifactType, orderBy: order ? "created" : undefined, order, top, depth, checks: "subject" };
  return { controls: { artifactType, order, top, depth }, query, path: apiPath(`/api/registries/${encodeURIComponent(registry)}/graph`, query as Record<string, string | number | undefined>) };
}
