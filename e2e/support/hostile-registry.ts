/**
 * Test support: a registry that answers the distribution API the way a broken
 * or hostile one would, by repository name:
 *
 * - `endless/tags`: a tag list whose `Link: rel=next` never ends (1,000 new tags a page);
 * - `endless/referrers`: an image whose referrers listing never ends (1,000 descriptors a page);
 * - `trickle/app`: an image with 40 referrers whose manifests arrive at one byte a second;
 * - `dense/app`: 40 referrers, each listed as a referrer of every other (any digest's referrers are the same 40);
 * - `weird/tags`: a tag list with names that break the tag grammar (NUL, a right-to-left
 *   override, 10,000 characters) beside a valid `v1`;
 * - `nat64/app`: blob requests redirected to IPv6 forms of loopback and link-local addresses.
 *
 * Every valid manifest is served with its real digest, so only the behaviour named is hostile.
 * It counts requests per path prefix, so a test can tell what reached it.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { freePort } from "./ports";

const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
const EMPTY = { mediaType: "application/vnd.oci.empty.v1+json", digest: "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", size: 2 };

/** Blob digest → where `nat64/app` redirects a request for it. */
export const NAT64_TARGETS: Record<string, string> = {
  [`sha256:${"a".repeat(64)}`]: "[64:ff9b::127.0.0.2]",
  [`sha256:${"b".repeat(64)}`]: "[::127.0.0.2]",
  [`sha256:${"c".repeat(64)}`]: "[64:ff9b::a9fe:a9fe]",
};

export const WEIRD_TAGS = ["v1", "bad\u0000tag", "\u202eevil.exe", "x".repeat(10_000)];

const sha = (b: Buffer | string) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

function manifest(extra: Record<string, unknown> = {}): { bytes: Buffer; digest: string } {
  const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: EMPTY, layers: [EMPTY], ...extra }));
  return { bytes, digest: sha(bytes) };
}

export interface HostileRegistry {
  host: string;
  /** The image every hostile repository serves as `v1`. */
  image: { digest: string };
  /** Requests seen, by path. */
  requests: string[];
  stop(): Promise<void>;
}

export async function startHostileRegistry(): Promise<HostileRegistry> {
  const image = manifest({ annotations: { "org.opencontainers.image.created": "2026-01-01T00:00:00Z" } });
  const referrers = Array.from({ length: 40 }, (_, i) => manifest({ artifactType: "application/vnd.example.slow", subject: { mediaType: OCI_MANIFEST, digest: image.digest, size: image.bytes.length }, annotations: { n: String(i) } }));
  const requests: string[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const port = await freePort();

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", `http://127.0.0.1:${port}`);
    const path = url.pathname;
    requests.push(`${req.method} ${path}`);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      const text = typeof body === "string" || Buffer.isBuffer(body) ? body : JSON.stringify(body);
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(text);
    };
    const serveManifest = (m: { bytes: Buffer; digest: string }, type = OCI_MANIFEST) => {
      res.writeHead(200, { "content-type": type, "docker-content-digest": m.digest, "content-length": String(m.bytes.length) });
      res.end(req.method === "HEAD" ? undefined : m.bytes);
    };
    if (path === "/v2/") return send(200, {});
    const m = /^\/v2\/(.+?)\/(tags\/list|manifests\/[^/]+|referrers\/[^/]+|blobs\/[^/]+|_oras\/.*)$/.exec(path);
    if (!m) return send(404, { errors: [{ code: "NAME_UNKNOWN" }] });
    const [, repo, rest] = m;
    const ref = rest.split("/")[1];
    if (rest.startsWith("_oras")) return send(404, "404 page not found");

    if (rest === "tags/list") {
      if (repo === "endless/tags") {
        const page = Number(url.searchParams.get("page") ?? "0");
        const tags = Array.from({ length: 1000 }, (_, i) => `t${page}-${i}`);
        return send(200, { name: repo, tags }, { link: `</v2/${repo}/tags/list?page=${page + 1}&n=1000>; rel="next"` });
      }
      if (repo === "weird/tags") return send(200, { name: repo, tags: WEIRD_TAGS });
      return send(200, { name: repo, tags: ["v1"] });
    }
    if (rest.startsWith("manifests/")) {
      if (ref === "v1" || ref === image.digest) return serveManifest(image);
      const slow = referrers.find((r) => r.digest === ref);
      if (slow && repo === "dense/app") return serveManifest(slow);
      if (slow && repo === "trickle/app") {
        // One byte a second: each request would wait out its own timeout.
        res.writeHead(200, { "content-type": OCI_MANIFEST, "docker-content-digest": slow.digest, "content-length": String(slow.bytes.length) });
        let i = 0;
        const tick = () => {
          if (res.destroyed || i >= slow.bytes.length) return void res.end();
          res.write(slow.bytes.subarray(i, i + 1));
          i++;
          const t = setTimeout(tick, 1000);
          timers.add(t);
        };
        tick();
        return;
      }
      return send(404, { errors: [{ code: "MANIFEST_UNKNOWN" }] });
    }
    if (rest.startsWith("referrers/")) {
      if (repo === "endless/referrers") {
        const page = Number(url.searchParams.get("page") ?? "0");
        const manifests = Array.from({ length: 1000 }, (_, i) => ({ mediaType: OCI_MANIFEST, digest: sha(`${page}-${i}`), size: 500, artifactType: "application/vnd.example.endless", annotations: { note: "x".repeat(200) } }));
        return send(200, { schemaVersion: 2, mediaType: OCI_INDEX, manifests }, { "content-type": OCI_INDEX, link: `</v2/${repo}/referrers/${ref}?page=${page + 1}>; rel="next"` });
      }
      if (repo === "trickle/app" && ref === image.digest) {
        // No artifactType: the client must read each manifest to know what it is.
        const manifests = referrers.map((r) => ({ mediaType: OCI_MANIFEST, digest: r.digest, size: r.bytes.length }));
        return send(200, { schemaVersion: 2, mediaType: OCI_INDEX, manifests }, { "content-type": OCI_INDEX });
      }
      if (repo === "dense/app") {
        // Every manifest "refers" to every other: the same 40 for any digest asked about.
        const manifests = referrers.map((r) => ({ mediaType: OCI_MANIFEST, digest: r.digest, size: r.bytes.length, artifactType: "application/vnd.example.slow" }));
        return send(200, { schemaVersion: 2, mediaType: OCI_INDEX, manifests }, { "content-type": OCI_INDEX });
      }
      return send(200, { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] }, { "content-type": OCI_INDEX });
    }
    if (rest.startsWith("blobs/")) {
      if (repo === "nat64/app") {
        const target = NAT64_TARGETS[ref] ?? "[64:ff9b::127.0.0.2]";
        res.writeHead(307, { location: `http://${target}:${port}/stolen` });
        return res.end();
      }
      return send(404, { errors: [{ code: "BLOB_UNKNOWN" }] });
    }
    send(404, { errors: [{ code: "NAME_UNKNOWN" }] });
  };

  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    host: `127.0.0.1:${port}`,
    image,
    requests,
    async stop() {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A registry whose token realm is a relative path (`realm="/token"`), as some registries send it. */
export async function startRelativeRealmRegistry(): Promise<{ host: string; tokenRequests: number; stop(): Promise<void> }> {
  const image = manifest();
  const port = await freePort();
  const state = { tokenRequests: 0 };
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path === "/token") {
      state.tokenRequests++;
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify({ token: "relative-realm-token" }));
    }
    if (req.headers.authorization !== "Bearer relative-realm-token") {
      res.writeHead(401, { "www-authenticate": 'Bearer realm="/token",service="relative"', "content-type": "application/json" });
      return res.end(JSON.stringify({ errors: [{ code: "UNAUTHORIZED" }] }));
    }
    if (path === "/v2/") {
      res.writeHead(200, { "content-type": "application/json" });
      return res.end("{}");
    }
    if (path.endsWith("/tags/list")) {
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify({ name: "app", tags: ["v1"] }));
    }
    if (path.includes("/manifests/")) {
      res.writeHead(200, { "content-type": OCI_MANIFEST, "docker-content-digest": image.digest });
      return res.end(req.method === "HEAD" ? undefined : image.bytes);
    }
    res.writeHead(404, { "content-type": "application/json" });
    res.end(JSON.stringify({ errors: [{ code: "NAME_UNKNOWN" }] }));
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    host: `127.0.0.1:${port}`,
    get tokenRequests() {
      return state.tokenRequests;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
