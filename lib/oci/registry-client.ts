import { AuthClient } from "./auth/auth-client";
import { CATALOG_SCOPE, repositoryScope } from "./auth/challenge";
import { ANONYMOUS, type Credentials } from "./auth/credentials";
import { computeDigest, isDigest, parseDigest, verifyDigest } from "./digest";
import { DigestMismatchError, InvalidManifestError, NotFoundError, ProtocolError } from "./errors";
import { nextLink } from "./link";
import { Annotation, baseMediaType, MANIFEST_ACCEPT, MediaType } from "./media-types";
import { validateReference, validateRepository } from "./reference";
import {
  catalogSchema,
  indexSchema,
  ManifestParseError,
  orasReferrersSchema,
  parseManifest,
  tagListSchema,
  type Descriptor,
} from "./schemas";
import type { Capability, FetchedBlob, FetchedManifest, OrasDraftResult, Page, ReferrersApiResult, Store } from "./store";
import { Transport, type FetchLike, type RequestRecord, type TargetPurpose } from "./transport";

export interface RegistryClientOptions {
  /** `host[:port]` of the distribution API endpoint. */
  host: string;
  /** Name shown in messages; defaults to the host. */
  name?: string;
  /** Use http instead of https. */
  plainHttp?: boolean;
  credentials?: Credentials;
  timeoutMs?: number;
  /** Largest manifest accepted (the spec asks registries to take at least 4 MiB). */
  maxManifestBytes?: number;
  /** Default cap on blob reads. */
  maxBlobBytes?: number;
  /** Page size asked for when listing tags, catalog and referrers. */
  pageSize?: number;
  fetch?: FetchLike;
  guard?: (url: URL, purpose: TargetPurpose) => void | Promise<void>;
  onRequest?: (record: RequestRecord) => void;
  /** How long what was learnt about a repository's referrers and ORAS endpoints is trusted. Default: for the client's life. */
  capabilityTtlMs?: number;
}

export const DEFAULT_MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
export const DEFAULT_MAX_BLOB_BYTES = 4 * 1024 * 1024;
/** The digest oras-go probes the referrers API with. */
export const ZERO_DIGEST = `sha256:${"0".repeat(64)}`;

/** The distribution API over HTTP: one registry, many repositories. */
export class RegistryClient implements Store {
  readonly name: string;
  readonly baseUrl: string;
  private readonly auth: AuthClient;
  private readonly transport: Transport;
  private readonly maxManifestBytes: number;
  private readonly maxBlobBytes: number;
  private readonly pageSize: number;
  private readonly referrersSupport: SupportMemory;
  private readonly orasSupport: SupportMemory;
  private readonly probes = new Map<string, Promise<unknown>>();

  constructor(options: RegistryClientOptions) {
    this.name = options.name ?? options.host;
    this.baseUrl = `${options.plainHttp ? "http" : "https"}://${options.host}`;
    this.transport = new Transport({
      registry: this.name,
      fetch: options.fetch,
      timeoutMs: options.timeoutMs,
      guard: options.guard,
      onRequest: options.onRequest,
    });
    this.auth = new AuthClient(this.transport, options.credentials ?? ANONYMOUS);
    this.maxManifestBytes = options.maxManifestBytes ?? DEFAULT_MAX_MANIFEST_BYTES;
    this.maxBlobBytes = options.maxBlobBytes ?? DEFAULT_MAX_BLOB_BYTES;
    this.pageSize = options.pageSize ?? 1000;
    this.referrersSupport = new SupportMemory(options.capabilityTtlMs);
    this.orasSupport = new SupportMemory(options.capabilityTtlMs);
  }

  private url(path: string, query?: Record<string, string | number | undefined>): string {
    const u = new URL(path, this.baseUrl);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) u.searchParams.set(k, String(v));
    return u.toString();
  }

  /** A cursor is a `Link` target; accept it only on this registry. */
  private cursorUrl(cursor: string): string {
    const u = new URL(cursor, this.baseUrl);
    if (u.origin !== new URL(this.baseUrl).origin) {
      throw new ProtocolError(this.name, `${this.name}: pagination link points at another host (${u.host}); refusing to follow it`);
    }
    return u.toString();
  }

  /** `GET /v2/`: is this a distribution registry, and can we authenticate? */
  async ping(): Promise<{ apiVersion?: string }> {
    const res = await this.auth.send({ method: "GET", url: this.url("/v2/"), scopes: [] });
    if (!res.ok) {
      const err = await this.transport.errorFrom(res, "API version check GET /v2/");
      if (res.status === 404) {
        throw new NotFoundError(this.name, `${this.name}: GET /v2/ answered 404; this host does not serve the OCI distribution API`, { status: 404 });
      }
      throw err;
    }
    await res.body?.cancel().catch(() => {});
    return { apiVersion: res.headers.get("docker-distribution-api-version") ?? undefined };
  }

  private async getJson(url: string, scopes: string[], context: string, extra?: Record<string, string>): Promise<{ json: unknown; res: Response }> {
    const res = await this.auth.send({ method: "GET", url, scopes, headers: { accept: "application/json", ...extra } });
    if (!res.ok) throw await this.transport.errorFrom(res, context);
    const { bytes } = await this.transport.readBody(res, this.maxManifestBytes, context);
    try {
      return { json: JSON.parse(new TextDecoder().decode(bytes)), res };
    } catch {
      throw new ProtocolError(this.name, `${this.name}: ${context}: the registry answered with a body that is not JSON`);
    }
  }

  async catalogPage(opts: { n?: number; cursor?: string } = {}): Promise<Page<string>> {
    const url = opts.cursor ? this.cursorUrl(opts.cursor) : this.url("/v2/_catalog", { n: opts.n ?? this.pageSize });
    const { json, res } = await this.getJson(url, [CATALOG_SCOPE], "listing repositories (GET /v2/_catalog)");
    const parsed = catalogSchema.safeParse(json);
    if (!parsed.success) throw new ProtocolError(this.name, `${this.name}: catalog answer has no "repositories" list`);
    return { items: parsed.data.repositories ?? [], next: nextLink(res.headers.get("link"), url) };
  }

  async tagsPage(repository: string, opts: { n?: number; cursor?: string } = {}): Promise<Page<string>> {
    validateRepository(repository);
    const url = opts.cursor ? this.cursorUrl(opts.cursor) : this.url(`/v2/${repository}/tags/list`, { n: opts.n ?? this.pageSize });
    const { json, res } = await this.getJson(url, [repositoryScope(repository, "pull")], `listing tags of ${repository}`);
    const parsed = tagListSchema.safeParse(json);
    if (!parsed.success) throw new ProtocolError(this.name, `${this.name}: tag list of ${repository} has no "tags" list`);
    return { items: parsed.data.tags ?? [], next: nextLink(res.headers.get("link"), url) };
  }

  async listTags(repository: string): Promise<string[]> {
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (let pages = 0; pages < 10_000; pages++) {
      const page = await this.tagsPage(repository, { cursor });
      for (const t of page.items) seen.add(t);
      if (!page.next) break;
      cursor = page.next;
    }
    return [...seen];
  }

  async getManifest(repository: string, reference: string): Promise<FetchedManifest> {
    validateRepository(repository);
    validateReference(reference);
    const what = `manifest ${repository}${isDigest(reference) ? "@" : ":"}${reference}`;
    const res = await this.auth.send({
      method: "GET",
      url: this.url(`/v2/${repository}/manifests/${reference}`),
      scopes: [repositoryScope(repository, "pull")],
      headers: { accept: MANIFEST_ACCEPT.join(", ") },
    });
    if (!res.ok) throw await this.transport.errorFrom(res, `fetching ${what}`);
    const { bytes } = await this.transport.readBody(res, this.maxManifestBytes, what);
    const headerDigest = res.headers.get("docker-content-digest") ?? undefined;
    const digest = this.verifiedDigest(bytes, isDigest(reference) ? reference : undefined, headerDigest, what);
    const contentType = res.headers.get("content-type");
    let manifest;
    try {
      manifest = parseManifest(bytes, contentType);
    } catch (err) {
      if (err instanceof ManifestParseError) {
        throw new InvalidManifestError(this.name, `${this.name}: ${what} is malformed: ${err.message}`);
      }
      throw err;
    }
    return { descriptor: { mediaType: manifest.mediaType, digest, size: bytes.byteLength }, bytes, manifest };
  }

  /**
   * The digest of fetched content: checked against the digest asked for and
   * against Docker-Content-Digest when the algorithm is one we can compute.
   */
  private verifiedDigest(bytes: Uint8Array, requested: string | undefined, header: string | undefined, what: string): string {
    for (const expected of [requested, header]) {
      if (!expected) continue;
      const ok = verifyDigest(bytes, expected);
      if (ok === false) {
        throw new DigestMismatchError(
          this.name,
          `${this.name}: ${what}: content does not match digest ${expected} (got ${computeDigest(bytes)}); the registry returned corrupted or substituted data`,
        );
      }
    }
    return requested ?? header ?? computeDigest(bytes);
  }

  async headManifest(repository: string, reference: string): Promise<Descriptor> {
    validateRepository(repository);
    validateReference(reference);
    const res = await this.auth.send({
      method: "HEAD",
      url: this.url(`/v2/${repository}/manifests/${reference}`),
      scopes: [repositoryScope(repository, "pull")],
      headers: { accept: MANIFEST_ACCEPT.join(", ") },
    });
    if (!res.ok) throw await this.transport.errorFrom(res, `checking manifest ${repository}:${reference}`);
    const digest = res.headers.get("docker-content-digest") ?? (isDigest(reference) ? reference : undefined);
    const size = Number(res.headers.get("content-length") ?? NaN);
    if (!digest || !Number.isFinite(size)) {
      // The registry did not say; fall back to fetching the manifest.
      return (await this.getManifest(repository, reference)).descriptor;
    }
    return { mediaType: baseMediaType(res.headers.get("content-type")), digest, size };
  }

  async getBlob(repository: string, digest: string, opts: { maxBytes?: number } = {}): Promise<FetchedBlob> {
    validateRepository(repository);
    parseDigest(digest);
    const max = opts.maxBytes ?? this.maxBlobBytes;
    const res = await this.auth.send({
      method: "GET",
      url: this.url(`/v2/${repository}/blobs/${digest}`),
      scopes: [repositoryScope(repository, "pull")],
    });
    const what = `blob ${digest} in ${repository}`;
    if (!res.ok) throw await this.transport.errorFrom(res, `fetching ${what}`);
    const declared = Number(res.headers.get("content-length") ?? NaN);
    const { bytes, truncated } = await this.transport.readBody(res, max, what, true);
    if (!truncated) this.verifiedDigest(bytes, digest, undefined, what);
    return {
      digest,
      bytes,
      truncated,
      size: Number.isFinite(declared) ? declared : truncated ? undefined : bytes.byteLength,
      mediaType: baseMediaType(res.headers.get("content-type")) || undefined,
    };
  }

  async deleteManifest(repository: string, digest: string): Promise<void> {
    validateRepository(repository);
    parseDigest(digest);
    const res = await this.auth.send({
      method: "DELETE",
      url: this.url(`/v2/${repository}/manifests/${digest}`),
      scopes: [repositoryScope(repository, "delete")],
    });
    if (res.status !== 202 && res.status !== 200 && res.status !== 204) {
      throw await this.transport.errorFrom(res, `deleting manifest ${repository}@${digest}`);
    }
    await res.body?.cancel().catch(() => {});
  }

  async putManifest(repository: string, reference: string, bytes: Uint8Array, mediaType: string): Promise<string> {
    validateRepository(repository);
    validateReference(reference);
    const res = await this.auth.send({
      method: "PUT",
      url: this.url(`/v2/${repository}/manifests/${reference}`),
      scopes: [repositoryScope(repository, "pull", "push")],
      headers: { "content-type": mediaType },
      body: bytes,
    });
    if (res.status !== 201 && res.status !== 200 && res.status !== 202) {
      throw await this.transport.errorFrom(res, `writing manifest ${repository}:${reference}`);
    }
    await res.body?.cancel().catch(() => {});
    return res.headers.get("docker-content-digest") ?? computeDigest(bytes);
  }

  referrersCapability(repository: string): Capability {
    return this.referrersSupport.get(repository);
  }

  /**
   * While a repository's support for an endpoint is unknown, one call at a
   * time asks (and so probes); concurrent callers wait for its answer instead
   * of each paying for a probe.
   */
  private async probeOnce<T>(key: string, known: () => boolean, call: () => Promise<T>): Promise<T> {
    while (!known()) {
      const pending = this.probes.get(key);
      if (!pending) {
        const p = call();
        this.probes.set(key, p.catch(() => undefined));
        try {
          return await p;
        } finally {
          this.probes.delete(key);
        }
      }
      await pending;
    }
    return call();
  }

  async referrers(repository: string, digest: string, opts: { artifactType?: string } = {}): Promise<ReferrersApiResult> {
    validateRepository(repository);
    parseDigest(digest);
    return this.probeOnce(`referrers ${repository}`, () => this.referrersSupport.has(repository), () => this.listReferrers(repository, digest, opts));
  }

  private async listReferrers(repository: string, digest: string, opts: { artifactType?: string }): Promise<ReferrersApiResult> {
    if (this.referrersSupport.get(repository) === "unsupported") return { supported: false };
    const descriptors: Descriptor[] = [];
    let filters: string[] | undefined;
    let url = this.url(`/v2/${repository}/referrers/${digest}`, { artifactType: opts.artifactType });
    for (let pages = 0; pages < 1000; pages++) {
      const res = await this.auth.send({
        method: "GET",
        url,
        scopes: [repositoryScope(repository, "pull")],
        headers: { accept: MediaType.OciIndex },
      });
      const type = baseMediaType(res.headers.get("content-type"));
      if (res.status === 404 || res.status === 405 || res.status === 501 || (res.ok && type !== MediaType.OciIndex && pages === 0)) {
        const err = await this.transport.errorFrom(res, `listing referrers of ${digest} in ${repository}`);
        if (res.status === 404 && err.specCode === "NAME_UNKNOWN") throw err; // the repository is missing
        if (res.status === 404 && err.specCode === "MANIFEST_UNKNOWN") {
          // Quay: the API exists but the subject does not. Not "unsupported".
          return { supported: true, descriptors: [], filtersApplied: [] };
        }
        this.referrersSupport.set(repository, "unsupported");
        return { supported: false };
      }
      if (!res.ok) throw await this.transport.errorFrom(res, `listing referrers of ${digest} in ${repository}`);
      const { bytes } = await this.transport.readBody(res, this.maxManifestBytes, `referrers of ${digest}`);
      let json: unknown;
      try {
        json = JSON.parse(new TextDecoder().decode(bytes));
      } catch {
        throw new ProtocolError(this.name, `${this.name}: the referrers answer for ${digest} is not JSON`);
      }
      const parsed = indexSchema.safeParse(json);
      if (!parsed.success) throw new ProtocolError(this.name, `${this.name}: the referrers answer for ${digest} is not an image index`);
      this.referrersSupport.set(repository, "supported");
      descriptors.push(...parsed.data.manifests);
      if (filters === undefined) {
        const header = res.headers.get("oci-filters-applied");
        const legacy = parsed.data.annotations?.[Annotation.FiltersApplied];
        filters = (header ?? legacy ?? "").split(",").map((s) => s.trim()).filter(Boolean);
      }
      const next = nextLink(res.headers.get("link"), url);
      if (!next) break;
      url = this.cursorUrl(next);
    }
    return { supported: true, descriptors, filtersApplied: filters ?? [] };
  }

  async orasDraftReferrers(repository: string, digest: string, opts: { artifactType?: string } = {}): Promise<OrasDraftResult> {
    validateRepository(repository);
    parseDigest(digest);
    return this.probeOnce(`oras ${repository}`, () => this.orasSupport.has(repository), () => this.listOrasReferrers(repository, digest, opts));
  }

  private async listOrasReferrers(repository: string, digest: string, opts: { artifactType?: string }): Promise<OrasDraftResult> {
    if (this.orasSupport.get(repository) === "unsupported") return { supported: false };
    const descriptors: Descriptor[] = [];
    let url = this.url(`/v2/${repository}/_oras/artifacts/referrers`, { digest, artifactType: opts.artifactType });
    for (let pages = 0; pages < 1000; pages++) {
      const res = await this.auth.send({ method: "GET", url, scopes: [repositoryScope(repository, "pull")], headers: { accept: "application/json" } });
      if (res.status === 404 || res.status === 405 || res.status === 400 || res.status === 501) {
        const err = await this.transport.errorFrom(res, `listing ORAS referrers of ${digest} in ${repository}`);
        if (res.status === 404 && err.specCode === "NAME_UNKNOWN") throw err;
        if (res.status === 404 && err.specCode === "MANIFEST_UNKNOWN") return { supported: true, descriptors: [] };
        this.orasSupport.set(repository, "unsupported");
        return { supported: false };
      }
      if (!res.ok) throw await this.transport.errorFrom(res, `listing ORAS referrers of ${digest} in ${repository}`);
      const { bytes } = await this.transport.readBody(res, this.maxManifestBytes, `ORAS referrers of ${digest}`);
      let json: unknown;
      try {
        json = JSON.parse(new TextDecoder().decode(bytes));
      } catch {
        this.orasSupport.set(repository, "unsupported");
        return { supported: false };
      }
      const parsed = orasReferrersSchema.safeParse(json);
      if (!parsed.success) {
        this.orasSupport.set(repository, "unsupported");
        return { supported: false };
      }
      this.orasSupport.set(repository, "supported");
      descriptors.push(...(parsed.data.referrers ?? []));
      const next = nextLink(res.headers.get("link"), url);
      if (!next) break;
      url = this.cursorUrl(next);
    }
    return { supported: true, descriptors };
  }
}


/** Per repository: does an endpoint exist? Remembered for a while. */
class SupportMemory {
  private readonly map = new Map<string, { value: "supported" | "unsupported"; expires: number }>();
  constructor(private readonly ttlMs = Infinity) {}
  get(repository: string): Capability {
    const e = this.map.get(repository);
    if (!e) return "unknown";
    if (e.expires <= Date.now()) {
      this.map.delete(repository);
      return "unknown";
    }
    return e.value;
  }
  has(repository: string): boolean {
    return this.get(repository) !== "unknown";
  }
  set(repository: string, value: "supported" | "unsupported"): void {
    this.map.set(repository, { value, expires: Date.now() + this.ttlMs });
  }
}
