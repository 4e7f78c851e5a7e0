import { createHash } from "node:crypto";
import { AuthClient } from "./auth/auth-client";
import { checkPush, mountBlob, pushBlob, readBlobStream, type BlobEndpoint, type PushBlobOptions } from "./blob-transfer";
import { CATALOG_SCOPE, repositoryScope } from "./auth/challenge";
import { ANONYMOUS, type Credentials } from "./auth/credentials";
import { computeDigest, isDigest, parseDigest, verifyDigest } from "./digest";
import { describeError, DigestMismatchError, InvalidManifestError, NotFoundError, ProtocolError } from "./errors";
import { nextLink } from "./link";
import { DEFAULT_LIST_LIMITS, ListBudget, type ListLimits } from "./list-budget";
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
  /** Blobs larger than this are not read at all (a truncated read is shown only once the whole blob is checked). Default 256 MiB. */
  maxVerifiedBlobBytes?: number;
  /** Page size asked for when listing tags, catalog and referrers. */
  pageSize?: number;
  fetch?: FetchLike;
  guard?: (url: URL, purpose: TargetPurpose) => void | Promise<void>;
  onRequest?: (record: RequestRecord) => void;
  /** How long what was learnt about a repository's referrers and ORAS endpoints is trusted. Default: for the client's life. */
  capabilityTtlMs?: number;
  /** Bounds on every listing (tags, referrers, ORAS referrers), all pages together. */
  listLimits?: Partial<ListLimits>;
  /** The caller's deadline (for example the API call's overall budget); requests fail once it fires. */
  signal?: () => AbortSignal | undefined;
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
  private readonly listLimits: ListLimits;
  private readonly maxVerifiedBlobBytes: number;

  constructor(options: RegistryClientOptions) {
    this.name = options.name ?? options.host;
    this.baseUrl = `${options.plainHttp ? "http" : "https"}://${options.host}`;
    this.transport = new Transport({
      registry: this.name,
      fetch: options.fetch,
      timeoutMs: options.timeoutMs,
      guard: options.guard,
      onRequest: options.onRequest,
      signal: options.signal,
    });
    this.listLimits = { ...DEFAULT_LIST_LIMITS, ...options.listLimits };
    this.maxVerifiedBlobBytes = options.maxVerifiedBlobBytes ?? 256 * 1024 * 1024;
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

  private async getJson(url: string, scopes: string[], context: string, extra?: Record<string, string>): Promise<{ json: unknown; res: Response; size: number }> {
    const res = await this.auth.send({ method: "GET", url, scopes, headers: { accept: "application/json", ...extra } });
    if (!res.ok) throw await this.transport.errorFrom(res, context);
    const { bytes } = await this.transport.readBody(res, this.maxManifestBytes, context);
    try {
      return { json: JSON.parse(new TextDecoder().decode(bytes)), res, size: bytes.byteLength };
    } catch {
      throw new ProtocolError(this.name, `${this.name}: ${context}: the registry answered with a body that is not JSON`);
    }
  }

  async catalogPage(opts: { n?: number; cursor?: string; last?: string } = {}): Promise<Page<string>> {
    const url = opts.cursor ? this.cursorUrl(opts.cursor) : this.url("/v2/_catalog", opts.last !== undefined ? { n: opts.n ?? this.pageSize, last: opts.last } : { n: opts.n ?? this.pageSize });
    const { json, res } = await this.getJson(url, [CATALOG_SCOPE], "listing repositories (GET /v2/_catalog)");
    const parsed = catalogSchema.safeParse(json);
    if (!parsed.success) throw new ProtocolError(this.name, `${this.name}: catalog answer has no "repositories" list`);
    return { items: parsed.data.repositories ?? [], next: nextLink(res.headers.get("link"), url) };
  }

  async tagsPage(repository: string, opts: { n?: number; cursor?: string } = {}): Promise<Page<string>> {
    return (await this.readTagsPage(repository, opts)).page;
  }

  private async readTagsPage(repository: string, opts: { n?: number; cursor?: string }): Promise<{ page: Page<string>; size: number }> {
    validateRepository(repository);
    const url = opts.cursor ? this.cursorUrl(opts.cursor) : this.url(`/v2/${repository}/tags/list`, { n: opts.n ?? this.pageSize });
    const { json, res, size } = await this.getJson(url, [repositoryScope(repository, "pull")], `listing tags of ${repository}`);
    const parsed = tagListSchema.safeParse(json);
    if (!parsed.success) throw new ProtocolError(this.name, `${this.name}: tag list of ${repository} has no "tags" list`);
    return { page: { items: parsed.data.tags ?? [], next: nextLink(res.headers.get("link"), url) }, size };
  }

  async listTags(repository: string): Promise<string[]> {
    const seen = new Set<string>();
    const budget = new ListBudget(this.name, `the tag list of ${repository}`, this.listLimits);
    let cursor: string | undefined;
    for (;;) {
      const { page, size } = await this.readTagsPage(repository, { cursor });
      budget.take(page.items.length, size);
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

  private endpoint(): BlobEndpoint {
    return { name: this.name, auth: this.auth, transport: this.transport, url: (p) => this.url(p) };
  }

  /** A blob as a stream of chunks, its digest checked at the end (see blob-transfer.ts). */
  readBlob(repository: string, digest: string): AsyncGenerator<Uint8Array> {
    return readBlobStream(this.endpoint(), repository, digest);
  }

  /** Upload a blob from a stream, in one PUT or in chunks; returns the bytes sent. */
  pushBlob(repository: string, digest: string, size: number, chunks: AsyncIterable<Uint8Array>, opts?: PushBlobOptions): Promise<number> {
    return pushBlob(this.endpoint(), repository, digest, size, chunks, opts);
  }

  /** Mount a blob from another repository of this registry (201), or the upload it opened instead (202). */
  mountBlob(repository: string, digest: string, from: string): ReturnType<typeof mountBlob> {
    return mountBlob(this.endpoint(), repository, digest, from);
  }

  /** Refused (401, 403, 405…) when this repository cannot be pushed to: an upload opened and cancelled, nothing written. */
  checkPush(repository: string): Promise<void> {
    return checkPush(this.endpoint(), repository);
  }

  /** Whether the repository holds the blob (HEAD; a promotion skips what the target has). */
  async hasBlob(repository: string, digest: string): Promise<boolean> {
    validateRepository(repository);
    parseDigest(digest);
    const res = await this.auth.send({ method: "HEAD", url: this.url(`/v2/${repository}/blobs/${digest}`), scopes: [repositoryScope(repository, "pull")] });
    await res.body?.cancel().catch(() => {});
    if (res.ok) return true;
    // NAME_UNKNOWN (no such repository yet) and BLOB_UNKNOWN alike: HEAD has no body to tell them apart.
    if (res.status === 404) return false;
    throw await this.transport.errorFrom(res, `checking blob ${digest} in ${repository}`);
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
    // A blob larger than the cap is still read to its end through the hash (up to maxVerifiedBlobBytes):
    // the start of it is shown only when the whole matches the digest.
    const { algorithm } = parseDigest(digest);
    const hash = createHash(algorithm);
    const { bytes, truncated, total } = await this.transport.readBody(res, max, what, true, { update: (c) => hash.update(c), maxBytes: this.maxVerifiedBlobBytes });
    const got = `${algorithm}:${hash.digest("hex")}`;
    if (got !== digest) {
      throw new DigestMismatchError(
        this.name,
        `${this.name}: ${what}: content does not match digest ${digest} (got ${got}); the registry returned corrupted or substituted data`,
      );
    }
    return {
      digest,
      bytes,
      truncated,
      size: Number.isFinite(declared) ? declared : total,
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
    if (this.referrersSupport.get(repository) === "unsupported") {
      const why = this.referrersSupport.reason(repository);
      return why ? { supported: false, warnings: [why] } : { supported: false };
    }
    const descriptors: Descriptor[] = [];
    const warnings: string[] = [];
    let filters: string[] | undefined;
    const budget = new ListBudget(this.name, `the referrers listing of ${digest} in ${repository}`, this.listLimits);
    let url = this.url(`/v2/${repository}/referrers/${digest}`, { artifactType: opts.artifactType });
    for (let pages = 0; ; pages++) {
      const res = await this.auth.send({
        method: "GET",
        url,
        scopes: [repositoryScope(repository, "pull")],
        headers: { accept: MediaType.OciIndex },
      });
      const type = baseMediaType(res.headers.get("content-type"));
      const context = `listing referrers of ${digest} in ${repository}`;
      if (pages === 0 && (res.status === 404 || res.status === 400 || res.status === 405 || res.status === 501)) {
        const err = await this.transport.errorFrom(res, context);
        if (res.status === 404 && err.specCode === "NAME_UNKNOWN") throw err; // the repository is missing
        if ((res.status === 404 || res.status === 400) && err.specCode === "MANIFEST_UNKNOWN") {
          // The API exists but the subject does not (Quay answers 400 or 404 so): nothing refers to it that the
          // API knows of. Remembered, so that later calls do not probe again.
          this.referrersSupport.set(repository, "supported");
          return { supported: true, descriptors: [], filtersApplied: [] };
        }
        if (res.status === 400) throw err;
        this.referrersSupport.set(repository, "unsupported");
        return { supported: false };
      }
      if (pages === 0 && res.ok && type !== MediaType.OciIndex) {
        // The spec's rule: only an image index is the referrers API. Say why it was not used.
        await res.body?.cancel().catch(() => {});
        const why = `${this.name}: the referrers endpoint of ${repository} answered with Content-Type ${JSON.stringify(type || "(none)")}, not ${MediaType.OciIndex}, so it is not taken as the referrers API; referrers tags are used instead`;
        this.referrersSupport.set(repository, "unsupported", why);
        return { supported: false, warnings: [why] };
      }
      if (!res.ok) throw await this.transport.errorFrom(res, context);
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
      budget.take(parsed.data.manifests.length, bytes.byteLength);
      descriptors.push(...parsed.data.manifests);
      if (filters === undefined) {
        const header = res.headers.get("oci-filters-applied");
        const legacy = parsed.data.annotations?.[Annotation.FiltersApplied];
        filters = (header ?? legacy ?? "").split(",").map((s) => s.trim()).filter(Boolean);
      }
      const next = nextLink(res.headers.get("link"), url);
      if (!next) break;
      try {
        url = this.cursorUrl(next);
      } catch (err) {
        // Keep what the pages so far listed; say the rest was not read.
        warnings.push(`${describeError(err)}; the referrers of ${digest} after page ${pages + 1} were not read`);
        break;
      }
    }
    return { supported: true, descriptors, filtersApplied: filters ?? [], ...(warnings.length ? { warnings } : {}) };
  }

  async orasDraftReferrers(repository: string, digest: string, opts: { artifactType?: string } = {}): Promise<OrasDraftResult> {
    validateRepository(repository);
    parseDigest(digest);
    return this.probeOnce(`oras ${repository}`, () => this.orasSupport.has(repository), () => this.listOrasReferrers(repository, digest, opts));
  }

  private async listOrasReferrers(repository: string, digest: string, opts: { artifactType?: string }): Promise<OrasDraftResult> {
    if (this.orasSupport.get(repository) === "unsupported") return { supported: false };
    const descriptors: Descriptor[] = [];
    const budget = new ListBudget(this.name, `the ORAS referrers listing of ${digest} in ${repository}`, this.listLimits);
    let url = this.url(`/v2/${repository}/_oras/artifacts/referrers`, { digest, artifactType: opts.artifactType });
    for (;;) {
      const res = await this.auth.send({ method: "GET", url, scopes: [repositoryScope(repository, "pull")], headers: { accept: "application/json" } });
      if (res.status === 404 || res.status === 405 || res.status === 400 || res.status === 501) {
        const err = await this.transport.errorFrom(res, `listing ORAS referrers of ${digest} in ${repository}`);
        if (res.status === 404 && err.specCode === "MANIFEST_UNKNOWN") return { supported: true, descriptors: [] };
        // Anything else, NAME_UNKNOWN included (registries answer routes they do not have so), means no ORAS
        // endpoint: whether the repository exists is for the manifest and referrers requests to say.
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
      budget.take(parsed.data.referrers?.length ?? 0, bytes.byteLength);
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
  private readonly map = new Map<string, { value: "supported" | "unsupported"; expires: number; reason?: string }>();
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
  set(repository: string, value: "supported" | "unsupported", reason?: string): void {
    this.map.set(repository, { value, expires: Date.now() + this.ttlMs, reason });
  }
  /** Why an endpoint was found unsupported, when it answered something that had to be refused. */
  reason(repository: string): string | undefined {
    return this.get(repository) === "unknown" ? undefined : this.map.get(repository)?.reason;
  }
}
