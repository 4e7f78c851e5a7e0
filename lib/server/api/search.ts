import { z } from "zod";
import { parseSearch, SearchSyntaxError, type SearchHit, type SearchQuery } from "../../index/search";
import { csvResponse, csvText } from "../csv";
import { BadRequestError, NotAvailableError } from "../errors";
import type { HandlerContext } from "../http";
import type { IndexStatus } from "../index-service";

export const searchInput = z.object({
  q: z.string({ error: 'the "q" query parameter is required: a package (log4j-core<2.17.0), a vulnerability (CVE-…), signer:…, type:… or key=value' }).max(512, "the search is longer than 512 characters"),
  format: z.enum(["json", "csv"], { error: '"format" must be "json" or "csv"' }).default("json"),
});

export interface SearchResponse {
  query: SearchQuery;
  hits: SearchHit[];
  truncated: boolean;
  /** When the oldest registry's last complete walk ended: how old the answer may be. */
  asOf?: string;
}

export function indexOff(): NotAvailableError {
  return new NotAvailableError("the index is off on this server: set index.enabled: true in the config (README, Configuration) and it walks every registry in the background", "index_disabled");
}

/** Search the index; only repositories the user may read are in the answer. */
export async function search(input: z.infer<typeof searchInput>, { runtime, principal }: HandlerContext): Promise<SearchResponse | Response> {
  if (!runtime.index.enabled) throw indexOff();
  let query: SearchQuery;
  try {
    query = parseSearch(input.q);
  } catch (err) {
    if (err instanceof SearchSyntaxError) throw new BadRequestError(err.message, "q");
    throw err;
  }
  const result = await runtime.index.search(query, (registry, repository) => runtime.policy.can(principal, "read", registry, repository));
  if (input.format === "csv") {
    const text = csvText(
      ["registry", "repository", "tags", "digest", "matched", "severity", "fixed_version", "not_affected", "evidence"],
      result.hits.map((h) => [h.registry, h.repository, h.tags.join(" "), h.digest, h.matched, h.severity, h.fixedVersion, h.notAffected ? "yes" : "", h.evidence]),
    );
    return csvResponse(text, "chainsight-search.csv");
  }
  return { query: result.query, hits: result.hits, truncated: result.truncated, asOf: result.asOf };
}

export const indexStatusInput = z.object({});

export async function indexStatus(_input: unknown, { runtime }: HandlerContext): Promise<IndexStatus> {
  return runtime.index.status();
}

export const walkInput = z.object({
  registry: z.string().max(63).optional(),
});

export interface WalkResponse {
  registries: string[];
  /** Walking on this server, or queued for the replica that crawls. */
  state: "walking" | "queued";
}

/** Walk now, instead of at the next interval. */
export async function walkIndex(input: z.infer<typeof walkInput>, { runtime }: HandlerContext): Promise<WalkResponse> {
  if (!runtime.index.enabled) throw indexOff();
  return runtime.index.walkNow(input.registry || undefined);
}
