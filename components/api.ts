import type { BlobResponse } from "@/lib/server/api/blob";
import type { GraphResponse, TagStatus } from "@/lib/server/api/graph";
import type { ManifestResponse } from "@/lib/server/api/manifest";
import type { RepositoriesResponse } from "@/lib/server/api/repositories";
import type { TagsResponse } from "@/lib/server/api/tags";
import type { ArtifactsResponse } from "@/lib/server/api/artifacts";
import type { SearchResponse, WalkResponse } from "@/lib/server/api/search";
import type { IndexStatus } from "@/lib/server/index-service";
import type { VerificationResponse } from "@/lib/server/api/verification";
import type { PolicyResponse } from "@/lib/server/api/policy";
import type { CoverageResponse } from "@/lib/server/api/coverage";
import type { DocumentsResponse, FindingsResponse, ProvenanceResponse, SbomResponse } from "@/lib/server/api/documents";
import type { ImageSummaries } from "@/lib/server/api/summary";
import type { ImageMetadata } from "@/lib/metadata/summary";
import type { DiffResponse } from "@/lib/server/api/diff";
import type { RegistryStatus } from "@/lib/server/registries";

/** The browser's only way to the data: the server's JSON API. Errors arrive as ApiError with the server's message. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly registry?: string,
    readonly upstreamStatus?: number,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

type Params = Record<string, string | number | undefined>;

/** A route with its query: empty values left out, in the order given. */
export function apiPath(path: string, params: Params = {}): string {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "") query.set(k, String(v));
  return query.size ? `${path}?${query}` : path;
}

export async function apiGet<T>(path: string, params: Params = {}, signal?: AbortSignal): Promise<T> {
  return request<T>(apiPath(path, params), { signal });
}

export type GraphParams = { repository: string; reference: string; artifactType?: string; orderBy?: string; order?: string; top?: number; depth?: number; checks?: "all" | "subject" };

/** POST a JSON body (the mutating routes: delete plans and deletions). */
export function apiPost<T>(path: string, body: unknown): Promise<T> {
  return request<T>(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}

/**
 * POST a JSON body to a long call that answers as it happens (NDJSON, see
 * progressResponse in lib/server/http.ts): `onEvent` gets each line before
 * the result; the last line is the result or the error.
 */
export async function apiPostProgress<T, E>(path: string, body: unknown, onEvent: (event: E) => void): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { method: "POST", headers: { "content-type": "application/json", accept: "application/x-ndjson, application/json" }, body: JSON.stringify(body) });
  } catch {
    throw new ApiError(0, "network", "the Chainsight server did not answer; check that it is running");
  }
  if (!res.ok || !res.body || !res.headers.get("content-type")?.includes("ndjson")) return answer<T>(res);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let pending = "";
  for (;;) {
    let chunk: ReadableStreamReadResult<string>;
    try {
      chunk = await reader.read();
    } catch {
      throw new ApiError(0, "network", "the connection to the Chainsight server was lost; the work may have gone on there (see the audit trail) and running it again finishes it");
    }
    if (chunk.done) break;
    pending += chunk.value;
    let nl: number;
    while ((nl = pending.indexOf("\n")) >= 0) {
      const line = JSON.parse(pending.slice(0, nl)) as { type: string; result?: T; status?: number; error?: { code?: string; message?: string; registry?: string; upstreamStatus?: number } };
      pending = pending.slice(nl + 1);
      if (line.type === "result") return line.result as T;
      if (line.type === "error") throw new ApiError(line.status ?? 500, line.error?.code ?? "error", line.error?.message ?? "the call failed", line.error?.registry, line.error?.upstreamStatus);
      onEvent(line as E);
    }
  }
  throw new ApiError(0, "network", "the server stopped answering before the result; the work may have gone on there (see the audit trail) and running it again finishes it");
}

async function request<T>(url: string, init: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, headers: { accept: "application/json", ...(init.headers as Record<string, string>) } });
  } catch (err) {
    if ((err as Error).name === "AbortError") throw err;
    throw new ApiError(0, "network", "the Chainsight server did not answer; check that it is running");
  }
  return answer<T>(res);
}

/** A JSON answer, or its error thrown as an ApiError. */
export async function answer<T>(res: Response): Promise<T> {
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    throw new ApiError(res.status, "bad_response", `the server answered HTTP ${res.status} without JSON`);
  }
  if (!res.ok) {
    const e = (body as { error?: { code?: string; message?: string; registry?: string; upstreamStatus?: number } }).error ?? {};
    throw new ApiError(res.status, e.code ?? "error", e.message ?? `HTTP ${res.status}`, e.registry, e.upstreamStatus);
  }
  return body as T;
}

const reg = (id: string) => `/api/registries/${encodeURIComponent(id)}`;

export const api = {
  registries: (signal?: AbortSignal) => apiGet<{ registries: RegistryStatus[] }>("/api/registries", {}, signal),
  registry: (id: string, signal?: AbortSignal) => apiGet<RegistryStatus>(reg(id), {}, signal),
  repositories: (id: string, p: { prefix?: string; q?: string; view?: "flat" | "tree"; n?: number; cursor?: string }, signal?: AbortSignal) =>
    apiGet<RepositoriesResponse>(`${reg(id)}/repositories`, p, signal),
  tags: (id: string, p: { repository: string; sort?: string; order?: string; q?: string; n?: number; cursor?: string }, signal?: AbortSignal) =>
    apiGet<TagsResponse>(`${reg(id)}/tags`, p, signal),
  artifacts: (id: string, repository: string, digests: string[], signal?: AbortSignal) =>
    apiGet<ArtifactsResponse>(`${reg(id)}/artifacts`, { repository, digests: digests.join(",") }, signal),
  manifest: (id: string, repository: string, reference: string, signal?: AbortSignal) =>
    apiGet<ManifestResponse>(`${reg(id)}/manifest`, { repository, reference }, signal),
  graph: (id: string, p: GraphParams, signal?: AbortSignal) =>
    apiGet<GraphResponse>(`${reg(id)}/graph`, p, signal),
  blob: (id: string, repository: string, digest: string, mediaType?: string, signal?: AbortSignal) =>
    apiGet<BlobResponse>(`${reg(id)}/blob`, { repository, digest, mediaType }, signal),
  documents: (id: string, repository: string, digest: string, signal?: AbortSignal) => apiGet<DocumentsResponse>(`${reg(id)}/document`, { repository, digest }, signal),
  sbom: (id: string, p: { repository: string; digest: string; q?: string; ecosystem?: string; license?: string; sort?: string; order?: string; n?: number; cursor?: string; why?: string; children?: string }, signal?: AbortSignal) =>
    apiGet<SbomResponse>(`${reg(id)}/sbom`, p, signal),
  findings: (id: string, p: { repository: string; digest: string; q?: string; severity?: string; fixable?: string; sort?: string; n?: number; cursor?: string }, signal?: AbortSignal) =>
    apiGet<FindingsResponse>(`${reg(id)}/findings`, p, signal),
  provenance: (id: string, repository: string, digest: string, signal?: AbortSignal) => apiGet<ProvenanceResponse>(`${reg(id)}/provenance`, { repository, digest }, signal),
  diff: (id: string, repository: string, from: string, to: string, signal?: AbortSignal) => apiGet<DiffResponse>(`${reg(id)}/diff`, { repository, from, to }, signal),
  summary: (id: string, repository: string, reference: string, signal?: AbortSignal) => apiGet<ImageSummaries & { digest: string; metadata?: ImageMetadata }>(`${reg(id)}/summary`, { repository, reference }, signal),
  verification: (id: string, repository: string, reference: string, signal?: AbortSignal) =>
    apiGet<VerificationResponse>(`${reg(id)}/verification`, { repository, reference }, signal),
  policy: (id: string, repository: string, reference: string, signal?: AbortSignal) => apiGet<PolicyResponse>(`${reg(id)}/policy`, { repository, reference }, signal),
  coverage: (p: { registry?: string; prefix?: string; policy?: string; scanDays?: number }, signal?: AbortSignal) => apiGet<CoverageResponse>("/api/coverage", p, signal),
  search: (q: string, signal?: AbortSignal) => apiGet<SearchResponse>("/api/search", { q }, signal),
  indexStatus: (signal?: AbortSignal) => apiGet<IndexStatus>("/api/index/status", {}, signal),
  indexWalk: (registry?: string) => apiPost<WalkResponse>("/api/index/walk", registry ? { registry } : {}),
  status: (id: string, repository: string, tags: string[], signal?: AbortSignal) =>
    apiGet<{ statuses: TagStatus[] }>(`${reg(id)}/status`, { repository, tags: tags.join(",") }, signal),
};

/** Addresses of the dashboard's pages. Repository names keep their slashes; a reference follows `/@`. */
export const href = {
  registry: (id: string, params?: Record<string, string | undefined>) => withQuery(`/r/${encodeURIComponent(id)}`, params),
  repository: (id: string, repository: string) => `/r/${encodeURIComponent(id)}/${repository}`,
  artifact: (id: string, repository: string, reference: string) => `/r/${encodeURIComponent(id)}/${repository}/@${reference}`,
  // from and to are always in the address (even empty): they are what tells the diff view from a repository named ".../diff".
  diff: (id: string, repository: string, from = "", to = "") => `/r/${encodeURIComponent(id)}/${repository}/diff?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
};

function withQuery(path: string, params?: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) if (v) q.set(k, v);
  return q.size ? `${path}?${q}` : path;
}
