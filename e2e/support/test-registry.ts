/**
 * TEST SUPPORT CODE, not part of Chainsight.
 *
 * A small in-memory registry that follows the OCI distribution spec v1.1
 * (https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md)
 * for the parts CNCF Distribution 2.8 lacks: the referrers API (with
 * `artifactType` filtering, `OCI-Filters-Applied`, `Link` pagination) and the
 * ORAS artifacts draft endpoint (`/v2/<name>/_oras/artifacts/referrers?digest=`,
 * artifacts-spec manifest-referrers-api.md rc.2). It also pages tag lists
 * honouring `n` and `last`. Behaviour follows the specs, not Chainsight's client:
 * switches turn features off the way real registries lack them (unknown routes
 * answer `404 page not found` as text, like distribution).
 */
import { createHash, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { freePort } from "./ports";

export interface TestRegistryOptions {
  /** Serve GET /v2/<name>/referrers/<digest>. Default true. */
  referrersApi?: boolean;
  /** Apply the artifactType filter on the server and say so in OCI-Filters-Applied. Default true. */
  applyFilters?: boolean;
  /** Referrers per page (Link pagination). Default: all in one page. */
  referrersPageSize?: number;
  /** Serve the ORAS draft endpoint. Default false. */
  orasDraft?: boolean;
  /** Largest page the tag list and catalog return, whatever `n` asks. Default 1000. */
  maxPageSize?: number;
  /** Test hook: answer a request before the registry does (faults: 403, 429, corrupt bodies). */
  intercept?: (req: IncomingMessage) => { status: number; headers?: Record<string, string>; body?: string | Buffer } | undefined;
}

interface StoredManifest {
  bytes: Buffer;
  mediaType: string;
}

interface Repo {
  manifests: Map<string, StoredManifest>;
  tags: Map<string, string>;
  blobs: Map<string, Buffer>;
}

const INDEX = "application/vnd.oci.image.index.v1+json";
const NAME = "[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*)*";
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;

export class TestRegistry {
  readonly repos = new Map<string, Repo>();
  /** Every request seen, as "METHOD path?query". */
  readonly log: string[] = [];
  url = "";
  host = "";
  private server?: Server;

  constructor(readonly options: TestRegistryOptions = {}) {}

  async start(): Promise<this> {
    const port = await freePort();
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err) => {
        res.writeHead(500, { "content-type": "text/plain" });
        res.end(String(err));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, "127.0.0.1", resolve));
    this.host = `127.0.0.1:${port}`;
    this.url = `http://${this.host}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private repo(name: string, create = false): Repo | undefined {
    let r = this.repos.get(name);
    if (!r && create) {
      r = { manifests: new Map(), tags: new Map(), blobs: new Map() };
      this.repos.set(name, r);
    }
    return r;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://registry");
    this.log.push(`${req.method} ${url.pathname}${url.search}`);
    const fault = this.options.intercept?.(req);
    if (fault) {
      res.writeHead(fault.status, fault.headers ?? {});
      res.end(fault.body ?? "");
      return;
    }
    const path = url.pathname;
    const method = req.method ?? "GET";
    const body = method === "PUT" || method === "POST" || method === "PATCH" ? await readAll(req) : Buffer.alloc(0);
    if (path === "/v2/" || path === "/v2") return json(res, 200, {});
    if (path === "/v2/_catalog" && method === "GET") {
      const all = [...this.repos.keys()].sort();
      return this.page(res, url, all, (items) => ({ repositories: items }), "/v2/_catalog");
    }
    let m: RegExpExecArray | null;
    if ((m = new RegExp(`^/v2/(${NAME})/tags/list$`).exec(path)) && method === "GET") {
      const repo = this.repo(m[1]);
      if (!repo) return specError(res, 404, "NAME_UNKNOWN", "repository name not known to registry");
      const tags = [...repo.tags.keys()].sort();
      return this.page(res, url, tags, (items) => ({ name: m![1], tags: items }), `/v2/${m[1]}/tags/list`);
    }
    if ((m = new RegExp(`^/v2/(${NAME})/manifests/([^/]+)$`).exec(path))) {
      return this.manifests(req.method ?? "GET", m[1], decodeURIComponent(m[2]), body, req, res);
    }
    if ((m = new RegExp(`^/v2/(${NAME})/blobs/uploads/?$`).exec(path)) && method === "POST") {
      const repo = this.repo(m[1], true)!;
      const digest = url.searchParams.get("digest");
      if (digest) {
        if (sha256(body) !== digest) return specError(res, 400, "DIGEST_INVALID", "provided digest did not match uploaded content");
        repo.blobs.set(digest, body);
        res.writeHead(201, { location: `/v2/${m[1]}/blobs/${digest}`, "docker-content-digest": digest });
        return void res.end();
      }
      res.writeHead(202, { location: `/v2/${m[1]}/blobs/uploads/${randomUUID()}`, range: "0-0" });
      return void res.end();
    }
    if ((m = new RegExp(`^/v2/(${NAME})/blobs/uploads/([^/]+)$`).exec(path)) && method === "PUT") {
      const repo = this.repo(m[1], true)!;
      const digest = url.searchParams.get("digest") ?? "";
      if (sha256(body) !== digest) return specError(res, 400, "DIGEST_INVALID", "provided digest did not match uploaded content");
      repo.blobs.set(digest, body);
      res.writeHead(201, { location: `/v2/${m[1]}/blobs/${digest}`, "docker-content-digest": digest });
      return void res.end();
    }
    if ((m = new RegExp(`^/v2/(${NAME})/blobs/([^/]+)$`).exec(path)) && (method === "GET" || method === "HEAD")) {
      const repo = this.repo(m[1]);
      if (!repo) return specError(res, 404, "NAME_UNKNOWN", "repository name not known to registry");
      const blob = repo.blobs.get(m[2]);
      if (!blob) return specError(res, 404, "BLOB_UNKNOWN", "blob unknown to registry");
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": blob.byteLength, "docker-content-digest": m[2] });
      return void res.end(method === "HEAD" ? undefined : blob);
    }
    if ((m = new RegExp(`^/v2/(${NAME})/referrers/([^/]+)$`).exec(path)) && method === "GET" && this.options.referrersApi !== false) {
      return this.referrers(m[1], decodeURIComponent(m[2]), url, res);
    }
    if ((m = new RegExp(`^/v2/(${NAME})/_oras/artifacts/referrers$`).exec(path)) && method === "GET" && this.options.orasDraft) {
      return this.orasReferrers(m[1], url, res);
    }
    res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
    res.end("404 page not found\n");
  }

  private page(res: ServerResponse, url: URL, all: string[], wrap: (items: string[]) => unknown, path: string): void {
    const max = this.options.maxPageSize ?? 1000;
    const nParam = url.searchParams.get("n");
    const last = url.searchParams.get("last");
    let items = last ? all.filter((t) => t > last) : all;
    if (nParam !== null) {
      const n = Number(nParam);
      if (n === 0) return json(res, 200, wrap([]));
      items = items.slice(0, Math.min(n, max));
    } else items = items.slice(0, max);
    const headers: Record<string, string> = {};
    const lastItem = items[items.length - 1];
    if (lastItem !== undefined && all.indexOf(lastItem) < all.length - 1) {
      headers.link = `<${path}?n=${nParam ?? max}&last=${encodeURIComponent(lastItem)}>; rel="next"`;
    }
    json(res, 200, wrap(items), headers);
  }

  private manifests(method: string, name: string, reference: string, body: Buffer, req: IncomingMessage, res: ServerResponse): void {
    const isDigest = reference.includes(":");
    if (isDigest ? !DIGEST.test(reference) : !TAG.test(reference)) return specError(res, 400, isDigest ? "DIGEST_INVALID" : "TAG_INVALID", "invalid reference");
    if (method === "PUT") {
      const repo = this.repo(name, true)!;
      const mediaType = (req.headers["content-type"] ?? "").split(";")[0].trim();
      let parsed: { mediaType?: string; subject?: { digest: string } };
      try {
        parsed = JSON.parse(body.toString("utf8"));
      } catch {
        return specError(res, 400, "MANIFEST_INVALID", "manifest invalid");
      }
      if (parsed.mediaType && parsed.mediaType !== mediaType) return specError(res, 400, "MANIFEST_INVALID", "mediaType does not match Content-Type");
      const digest = sha256(body);
      if (isDigest && digest !== reference) return specError(res, 400, "DIGEST_INVALID", "digest does not match content");
      repo.manifests.set(digest, { bytes: body, mediaType });
      if (!isDigest) repo.tags.set(reference, digest);
      const headers: Record<string, string> = { location: `/v2/${name}/manifests/${digest}`, "docker-content-digest": digest };
      if (parsed.subject?.digest && this.options.referrersApi !== false) headers["oci-subject"] = parsed.subject.digest;
      res.writeHead(201, headers);
      return void res.end();
    }
    const repo = this.repo(name);
    if (!repo) return specError(res, 404, "NAME_UNKNOWN", "repository name not known to registry");
    const digest = isDigest ? reference : repo.tags.get(reference);
    const stored = digest ? repo.manifests.get(digest) : undefined;
    if (method === "DELETE") {
      if (!digest || !stored) return specError(res, 404, "MANIFEST_UNKNOWN", "manifest unknown");
      if (isDigest) {
        repo.manifests.delete(digest);
        for (const [t, d] of repo.tags) if (d === digest) repo.tags.delete(t);
      } else repo.tags.delete(reference);
      res.writeHead(202);
      return void res.end();
    }
    if (!digest || !stored) return specError(res, 404, "MANIFEST_UNKNOWN", "manifest unknown to registry");
    res.writeHead(200, { "content-type": stored.mediaType, "content-length": stored.bytes.byteLength, "docker-content-digest": digest });
    res.end(method === "HEAD" ? undefined : stored.bytes);
  }

  /** Descriptors of every manifest whose subject is `digest`, with artifactType derived as the spec says. */
  referrerDescriptors(name: string, digest: string): { mediaType: string; digest: string; size: number; artifactType?: string; annotations?: Record<string, string> }[] {
    const repo = this.repo(name);
    if (!repo) return [];
    const out = [];
    for (const [d, m] of repo.manifests) {
      const parsed = JSON.parse(m.bytes.toString("utf8"));
      if (parsed.subject?.digest !== digest) continue;
      const artifactType: string | undefined = parsed.artifactType ?? (m.mediaType === INDEX ? undefined : parsed.config?.mediaType);
      out.push({
        mediaType: m.mediaType,
        digest: d,
        size: m.bytes.byteLength,
        ...(artifactType ? { artifactType } : {}),
        ...(parsed.annotations ? { annotations: parsed.annotations } : {}),
      });
    }
    return out.sort((a, b) => a.digest.localeCompare(b.digest));
  }

  private referrers(name: string, digest: string, url: URL, res: ServerResponse): void {
    if (!DIGEST.test(digest)) return specError(res, 400, "DIGEST_INVALID", "invalid digest");
    if (!this.repo(name)) return specError(res, 404, "NAME_UNKNOWN", "repository name not known to registry");
    const filters = url.searchParams.getAll("artifactType");
    let all = this.referrerDescriptors(name, digest);
    const headers: Record<string, string> = {};
    if (filters.length && this.options.applyFilters !== false) {
      all = all.filter((d) => d.artifactType && filters.includes(d.artifactType));
      headers["oci-filters-applied"] = "artifactType";
    }
    const size = this.options.referrersPageSize ?? all.length;
    const start = Number(url.searchParams.get("page") ?? 0);
    const page = all.slice(start, start + Math.max(size, 1));
    if (start + size < all.length) {
      const next = new URL(url.toString());
      next.searchParams.set("page", String(start + size));
      headers.link = `<${next.pathname}${next.search}>; rel="next"`;
    }
    res.writeHead(200, { "content-type": INDEX, ...headers });
    res.end(JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: page }));
  }

  private orasReferrers(name: string, url: URL, res: ServerResponse): void {
    const digest = url.searchParams.get("digest") ?? "";
    if (!DIGEST.test(digest)) return specError(res, 400, "DIGEST_INVALID", "invalid digest");
    if (!this.repo(name)) return specError(res, 404, "NAME_UNKNOWN", "repository name not known to registry");
    const filter = url.searchParams.get("artifactType");
    let all = this.referrerDescriptors(name, digest);
    if (filter) all = all.filter((d) => d.artifactType === filter);
    const n = Number(url.searchParams.get("n") ?? all.length) || all.length;
    const start = Number(url.searchParams.get("nextToken") ?? 0);
    const page = all.slice(start, start + n);
    const headers: Record<string, string> = { "content-type": "application/json", "oras-api-version": "oras/1.0" };
    if (start + n < all.length) {
      headers.link = `</v2/${name}/_oras/artifacts/referrers?digest=${digest}&n=${n}&nextToken=${start + n}>; rel="next"`;
    }
    res.writeHead(200, headers);
    res.end(JSON.stringify({ referrers: page }));
  }
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function sha256(b: Buffer): string {
  return `sha256:${createHash("sha256").update(b).digest("hex")}`;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

function specError(res: ServerResponse, status: number, code: string, message: string): void {
  json(res, status, { errors: [{ code, message, detail: null }] });
}
