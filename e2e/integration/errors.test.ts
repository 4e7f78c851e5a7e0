import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import {
  DeniedError,
  DigestMismatchError,
  InvalidManifestError,
  MethodNotAllowedError,
  NotFoundError,
  ProtocolError,
  RateLimitedError,
  TimeoutError,
  TooLargeError,
  UnreachableError,
  UpstreamError,
  ForbiddenTargetError,
} from "@/lib/oci/errors";
import { RegistryClient } from "@/lib/oci/registry-client";
import { discover } from "@/lib/supply-chain/discover";
import { freePort } from "../support/ports";
import { TestRegistry, type TestRegistryOptions } from "../support/test-registry";
import { pushBlob, pushManifest, sha256 } from "../support/layout";

// Every failure a registry can hand us is reported as what it is, naming the registry.

const running: TestRegistry[] = [];
afterEach(async () => {
  while (running.length) await running.pop()!.stop();
});

async function start(intercept?: TestRegistryOptions["intercept"], opts: Partial<ConstructorParameters<typeof RegistryClient>[0]> = {}) {
  const r = await new TestRegistry({ intercept }).start();
  running.push(r);
  const blob = Buffer.from("{}");
  await pushBlob({ url: r.url }, "app", sha256(blob), blob);
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: { mediaType: "application/vnd.oci.empty.v1+json", digest: sha256(blob), size: 2 }, layers: [] }));
  await pushManifest({ url: r.url }, "app", "v1", manifest, "application/vnd.oci.image.manifest.v1+json");
  return { r, client: new RegistryClient({ host: r.host, plainHttp: true, ...opts }), digest: sha256(manifest) };
}
const onManifests = (res: { status: number; headers?: Record<string, string>; body?: string | Buffer }) => (req: { method?: string; url?: string }) =>
  req.url?.includes("/manifests/") && req.method === "GET" ? res : undefined;

describe("registry failures", () => {
  it("403 is access denied, with the registry's message", async () => {
    const { client, r } = await start(onManifests({ status: 403, headers: { "content-type": "application/json" }, body: JSON.stringify({ errors: [{ code: "DENIED", message: "requested access to the resource is denied" }] }) }));
    const err = await client.getManifest("app", "v1").catch((e) => e);
    expect(err).toBeInstanceOf(DeniedError);
    expect(err.message).toContain(r.host);
    expect(err.message).toContain("requested access to the resource is denied");
  });

  it("429 is rate limiting, with Retry-After in seconds or as a date", async () => {
    const { client } = await start(onManifests({ status: 429, headers: { "retry-after": "42", "content-type": "application/json" }, body: JSON.stringify({ errors: [{ code: "TOOMANYREQUESTS", message: "slow down" }] }) }));
    const err = await client.getManifest("app", "v1").catch((e) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(err.retryAfterSeconds).toBe(42);
    expect(err.message).toMatch(/retry after 42 s/);
    const date = new Date(Date.now() + 120_000).toUTCString();
    const second = await start(onManifests({ status: 429, headers: { "retry-after": date } }));
    const err2 = await second.client.getManifest("app", "v1").catch((e) => e);
    expect(err2.retryAfterSeconds).toBeGreaterThan(100);
  });

  it("404 from an unknown route is told apart from a missing manifest", async () => {
    const { client } = await start();
    const missing = await client.getManifest("app", "nope").catch((e) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing.specCode).toBe("MANIFEST_UNKNOWN");
    const route = await start(onManifests({ status: 404, headers: { "content-type": "text/plain" }, body: "404 page not found\n" }));
    const err = await route.client.getManifest("app", "v1").catch((e) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.specCode).toBeUndefined();
    expect(err.message).toContain("404 page not found");
  });

  it("5xx is an upstream error, even with an HTML body", async () => {
    const { client } = await start(onManifests({ status: 502, headers: { "content-type": "text/html" }, body: "<html><body><h1>502 Bad Gateway</h1></body></html>" }));
    const err = await client.getManifest("app", "v1").catch((e) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err.message).toMatch(/HTTP 502/);
  });

  it("a non-JSON tag list is a protocol error", async () => {
    const { client } = await start((req) => (req.url?.includes("/tags/list") ? { status: 200, headers: { "content-type": "text/html" }, body: "<html>login page</html>" } : undefined));
    await expect(client.listTags("app")).rejects.toBeInstanceOf(ProtocolError);
  });

  it("a manifest over the size cap is refused before it is read whole", async () => {
    const { client, r } = await start(undefined, { maxManifestBytes: 100 });
    const err = await client.getManifest("app", "v1").catch((e) => e);
    expect(err).toBeInstanceOf(TooLargeError);
    expect(err.message).toMatch(/over the 100-byte limit/);
    // Also when the registry sends no Content-Length (chunked).
    const big = JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: [], annotations: { pad: "x".repeat(5000) } });
    r.options.intercept = (req) => (req.url?.includes("/manifests/") ? { status: 200, headers: { "content-type": "application/vnd.oci.image.index.v1+json", "transfer-encoding": "chunked" }, body: big } : undefined);
    await expect(client.getManifest("app", "v1")).rejects.toBeInstanceOf(TooLargeError);
  });

  it("a malformed manifest names the bad field", async () => {
    const bad = JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: { mediaType: "x", digest: "not-a-digest", size: 1 }, layers: [] });
    const { client } = await start(onManifests({ status: 200, headers: { "content-type": "application/vnd.oci.image.manifest.v1+json" }, body: bad }));
    const err = await client.getManifest("app", "v1").catch((e) => e);
    expect(err).toBeInstanceOf(InvalidManifestError);
    expect(err.message).toMatch(/config\.digest/);
  });

  it("content that does not match its digest is rejected", async () => {
    const { client, digest, r } = await start();
    const other = JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: [] });
    r.options.intercept = onManifests({ status: 200, headers: { "content-type": "application/vnd.oci.image.index.v1+json" }, body: other });
    const err = await client.getManifest("app", digest).catch((e) => e);
    expect(err).toBeInstanceOf(DigestMismatchError);
    expect(err.message).toContain(digest);
    // By tag, a wrong Docker-Content-Digest header is caught too.
    r.options.intercept = onManifests({ status: 200, headers: { "content-type": "application/vnd.oci.image.index.v1+json", "docker-content-digest": digest }, body: other });
    await expect(client.getManifest("app", "v1")).rejects.toBeInstanceOf(DigestMismatchError);
  });

  it("405 on delete says the registry does not allow it", async () => {
    const { client, digest } = await start((req) => (req.method === "DELETE" ? { status: 405, headers: { "content-type": "application/json" }, body: JSON.stringify({ errors: [{ code: "UNSUPPORTED", message: "The operation is unsupported." }] }) } : undefined));
    const err = await client.deleteManifest("app", digest).catch((e) => e);
    expect(err).toBeInstanceOf(MethodNotAllowedError);
    expect(err.message).toMatch(/not allowed by this registry/);
  });

  it("a referrers 404 for a missing subject (Quay) does not mark the API unsupported", async () => {
    const { client, digest } = await start((req) =>
      req.url?.includes("/referrers/") ? { status: 404, headers: { "content-type": "application/json" }, body: JSON.stringify({ errors: [{ code: "MANIFEST_UNKNOWN", message: "manifest unknown" }] }) } : undefined,
    );
    expect(await client.referrers("app", digest)).toEqual({ supported: true, descriptors: [], filtersApplied: [] });
    expect(client.referrersCapability("app")).not.toBe("unsupported");
  });

  it("a registry that is down is unreachable", async () => {
    const port = await freePort();
    const client = new RegistryClient({ host: `127.0.0.1:${port}`, plainHttp: true });
    const err = await client.ping().catch((e) => e);
    expect(err).toBeInstanceOf(UnreachableError);
    expect(err.message).toMatch(/connection refused/);
  });

  it("a registry that never answers times out", async () => {
    const server = createServer(() => {}); // accepts, never replies
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const client = new RegistryClient({ host: `127.0.0.1:${port}`, plainHttp: true, timeoutMs: 300 });
      const err = await client.getManifest("app", "v1").catch((e) => e);
      expect(err).toBeInstanceOf(TimeoutError);
      expect(err.message).toMatch(/no answer within 300 ms/);
    } finally {
      server.close();
    }
  });

  it("redirects drop Authorization on a host change and refuse other schemes", async () => {
    const { client, r } = await start(undefined, { credentials: { kind: "bearer", token: "secret-token" } });
    const seen: (string | undefined)[] = [];
    const other = await new TestRegistry({ intercept: (req) => (seen.push(req.headers.authorization), undefined) }).start();
    running.push(other);
    await pushBlob({ url: other.url }, "app", sha256(Buffer.from("hello")), Buffer.from("hello"));
    r.options.intercept = (req) =>
      req.url?.includes("/blobs/") ? { status: 307, headers: { location: `http://localhost:${other.host.split(":")[1]}/v2/app/blobs/${sha256(Buffer.from("hello"))}` } } : undefined;
    const blob = await client.getBlob("app", sha256(Buffer.from("hello")));
    expect(Buffer.from(blob.bytes).toString()).toBe("hello");
    expect(seen.filter((h) => h !== undefined)).toEqual([]);
    r.options.intercept = (req) => (req.url?.includes("/blobs/") ? { status: 302, headers: { location: "file:///etc/passwd" } } : undefined);
    await expect(client.getBlob("app", sha256(Buffer.from("hello")))).rejects.toBeInstanceOf(ForbiddenTargetError);
  });

  it("discovery fails with the registry's error when the subject cannot be read", async () => {
    const { client } = await start(onManifests({ status: 403, body: "" }));
    await expect(discover(client, "app", "v1")).rejects.toBeInstanceOf(DeniedError);
  });
});
