import { createServer, type IncomingMessage, type Server } from "node:http";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import bcrypt from "bcryptjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type RunningApp } from "../support/app-server";
import { pushImage, pushIndex, pushReferrer } from "../support/artifacts";
import { startDistribution, type RunningDistribution } from "../support/distribution";
import { pushFixtures } from "../support/fixtures";
import { pushLayout, readLayout, sha256, type LayoutManifest } from "../support/layout";
import { fixtureLayouts } from "../support/fixtures";
import { freePort } from "../support/ports";
import { TestRegistry } from "../support/test-registry";

// The JSON API of a production build, against the real registry (CNCF Distribution),
// the spec-faithful test registry (referrers API), a registry that fails on purpose,
// and registries that try to send the server where it must not go.

const PASSWORD = "pr1vate-Pa55word";
const SARIF = "application/sarif+json";
const SPDX = "application/spdx+json";

let dist: RunningDistribution;
let priv: RunningDistribution;
let modern: TestRegistry;
let app: RunningApp;
const servers: Server[] = [];
/** Requests that reached the trap (a host no request may reach). */
const trapRequests: string[] = [];
let trapHost = "";

const images: Record<string, LayoutManifest> = {};
const refs: Record<string, LayoutManifest> = {};

async function listen(handler: (req: IncomingMessage, res: import("node:http").ServerResponse) => void): Promise<string> {
  const port = await freePort();
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return `127.0.0.1:${port}`;
}

/** A registry that fails in every way the API must report, by repository name. */
function faultHandler(req: IncomingMessage, res: import("node:http").ServerResponse) {
  const path = new URL(req.url ?? "/", "http://x").pathname;
  const spec = (status: number, code: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify({ errors: [{ code, message: `${code.toLowerCase()} from the fault registry` }] }));
  };
  if (path === "/v2/") return spec(200, "OK");
  if (path === "/v2/_catalog") {
    res.writeHead(200, { "content-type": "application/json" });
    return res.end(JSON.stringify({ repositories: ["faults/denied"] }));
  }
  if (path.startsWith("/v2/faults/unauthorized/")) return spec(401, "UNAUTHORIZED", { "www-authenticate": 'Basic realm="faults"' });
  if (path.startsWith("/v2/faults/denied/")) return spec(403, "DENIED");
  if (path.startsWith("/v2/faults/ratelimited/")) return spec(429, "TOOMANYREQUESTS", { "retry-after": "30" });
  if (path.startsWith("/v2/faults/broken/")) {
    res.writeHead(500, { "content-type": "text/plain" });
    return res.end("internal failure");
  }
  if (path.startsWith("/v2/faults/unavailable/")) return spec(503, "UNAVAILABLE");
  if (path.startsWith("/v2/faults/slow/")) return; // never answers
  if (path.startsWith("/v2/faults/notjson/")) {
    res.writeHead(200, { "content-type": "text/html" });
    return res.end("<html><body>Sign in to continue</body></html>");
  }
  if (path.startsWith("/v2/faults/huge/")) {
    res.writeHead(200, { "content-type": "application/vnd.oci.image.manifest.v1+json", "content-length": String(64 * 1024 * 1024) });
    res.write("{");
    return;
  }
  spec(404, "NAME_UNKNOWN");
}

beforeAll(async () => {
  trapHost = await listen((req, res) => {
    trapRequests.push(`${req.method} ${req.url}`);
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ token: "trap-token", access_token: "trap-token" }));
  });
  const realmLeak = await listen((req, res) => {
    res.writeHead(401, { "www-authenticate": `Bearer realm="http://${trapHost}/token",service="leak"`, "content-type": "application/json" });
    res.end(JSON.stringify({ errors: [{ code: "UNAUTHORIZED" }] }));
  });
  const realmMetadata = await listen((req, res) => {
    res.writeHead(401, { "www-authenticate": 'Bearer realm="http://169.254.169.254/latest/meta-data/iam",service="x"' });
    res.end();
  });
  const redirector = await listen((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path === "/v2/") {
      res.writeHead(200, { "content-type": "application/json" });
      return res.end("{}");
    }
    const target = path.includes("/manifests/") ? `http://${trapHost}/stolen` : path.includes("/blobs/") ? "http://169.254.169.254/latest/meta-data/" : "file:///etc/passwd";
    res.writeHead(307, { location: target });
    res.end();
  });
  const faults = await listen(faultHandler);
  const hanging = await listen(() => {}); // accepts, never answers

  dist = await startDistribution();
  const target = { url: dist.url };
  await pushFixtures(target);
  // A repository with a supply chain whose dates matter.
  images.v1 = await pushImage(target, "teama/app", "v1", { created: "2026-01-01T00:00:00Z" });
  images.v2 = await pushImage(target, "teama/app", "v2", { created: "2026-03-01T00:00:00Z" });
  images.old = await pushImage(target, "teama/app", "old", { created: "2025-06-01T00:00:00Z" });
  await pushImage(target, "teama/app", "latest", { created: "2026-03-01T00:00:00Z", content: "teama/app:v2-again" });
  refs.sbom = await pushReferrer(target, "teama/app", images.v1, {
    artifactType: SPDX,
    created: "2026-01-02T00:00:00Z",
    content: { mediaType: SPDX, bytes: Buffer.from(JSON.stringify({ spdxVersion: "SPDX-2.3", name: "teama-app", packages: [{ name: "openssl", versionInfo: "3.0.13" }] })) },
  });
  for (const [name, day] of [["scanA", "03"], ["scanB", "05"], ["scanC", "04"]] as const) {
    refs[name] = await pushReferrer(target, "teama/app", images.v1, {
      artifactType: SARIF,
      created: `2026-01-${day}T00:00:00Z`,
      content: { mediaType: SARIF, bytes: Buffer.from(JSON.stringify({ version: "2.1.0", runs: [{ tool: { driver: { name: `scanner-${name}` } }, results: [] }] })) },
    });
  }
  refs.sbomSig = await pushReferrer(target, "teama/app", refs.sbom, {
    artifactType: "application/vnd.cncf.notary.signature",
    created: "2026-01-02T01:00:00Z",
    content: { mediaType: "application/jose+json", bytes: Buffer.from('{"payload":"e30","signatures":[]}') },
  });
  refs.hostile = await pushReferrer(target, "teama/app", images.old, {
    artifactType: "application/vnd.example.note",
    annotations: { "org.opencontainers.image.description": '<img src=x onerror="alert(1)"><script>alert(2)</script>' },
    content: { mediaType: "text/html", bytes: Buffer.from("<script>document.title='owned'</script>") },
  });
  // A cosign signature tag on v2 (the legacy cosign scheme).
  const v2hex = images.v2.digest.slice("sha256:".length);
  refs.cosign = await pushImage(target, "teama/app", `sha256-${v2hex}.sig`, { content: "cosign signature", annotations: { "dev.cosignproject.cosign/signature": "MEUCIQ==" } });
  await pushImage(target, "teama/sub/api", "1.0", { created: "2026-02-01T00:00:00Z" });
  await pushImage(target, "teamb/web", "1.0", {});
  // A multi-platform index.
  const amd = await pushImage(target, "teamb/multi", undefined, { architecture: "amd64", created: "2026-02-02T00:00:00Z" });
  const arm = await pushImage(target, "teamb/multi", undefined, { architecture: "arm64", created: "2026-02-02T00:00:00Z" });
  images.multi = await pushIndex(target, "teamb/multi", "1.0", [
    { manifest: amd, architecture: "amd64" },
    { manifest: arm, architecture: "arm64" },
  ]);

  modern = await new TestRegistry({}).start();
  await pushLayout({ url: modern.url }, "oras/artifacts", readLayout(fixtureLayouts()["oras/artifacts"]));

  const dir = mkdtempSync(join(tmpdir(), "chainsight-api-"));
  const htpasswd = join(dir, "htpasswd");
  writeFileSync(htpasswd, `alice:${bcrypt.hashSync(PASSWORD, 10)}\n`);
  priv = await startDistribution({ auth: { kind: "htpasswd", htpasswdPath: htpasswd }, rootDirectory: dist.rootDirectory });

  const downPort = await freePort();
  app = await startApp(
    {
      registries: [
        { id: "local", name: "Local Distribution", url: `http://${dist.host}`, plainHttp: true },
        { id: "modern", url: `http://${modern.host}`, plainHttp: true },
        {
          id: "private",
          url: `http://${priv.host}`, plainHttp: true,
          credentials: { type: "basic", username: "alice", password: { env: "PRIVATE_REGISTRY_PASSWORD" } },
          repositories: ["teama/app", "teamb/web"],
        },
        { id: "faults", url: `http://${faults}`, plainHttp: true, timeoutSeconds: 1 },
        { id: "down", url: `http://127.0.0.1:${downPort}`, plainHttp: true, timeoutSeconds: 2 },
        { id: "hanging", url: `http://${hanging}`, plainHttp: true },
        { id: "realm-leak", url: `http://${realmLeak}`, plainHttp: true, repositories: ["any/repo"] },
        { id: "realm-metadata", url: `http://${realmMetadata}`, plainHttp: true, repositories: ["any/repo"] },
        { id: "realm-allowed", url: `http://${realmLeak}`, plainHttp: true, repositories: ["any/repo"], allowHosts: [trapHost] },
        { id: "redirector", url: `http://${redirector}`, plainHttp: true, repositories: ["any/repo"] },
      ],
      cache: { tagTtlSeconds: 60, referrersTtlSeconds: 60 },
      tags: { maxForDateSort: 5 },
    },
    { PRIVATE_REGISTRY_PASSWORD: PASSWORD },
  );
}, 180_000);

afterAll(async () => {
  await app?.stop();
  await dist?.stop();
  await priv?.stop();
  await modern?.stop();
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
});

const api = (path: string) => app.get(path);
const q = (params: Record<string, string | number>) => new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString();

describe("registries", () => {
  it("lists each configured registry with reachability and detected capabilities", async () => {
    const { status, body } = await api("/api/registries");
    expect(status).toBe(200);
    const byId = Object.fromEntries(body.registries.map((r: any) => [r.id, r]));
    expect(byId.local).toMatchObject({ name: "Local Distribution", reachable: true, capabilities: { catalog: "supported", referrersApi: "unsupported" } });
    expect(byId.modern).toMatchObject({ reachable: true, capabilities: { catalog: "supported", referrersApi: "supported" } });
    expect(byId.private).toMatchObject({ reachable: true, authentication: "basic", capabilities: { catalog: "configured" } });
    expect(byId.down.reachable).toBe(false);
    expect(byId.down.error.message).toMatch(/down: cannot reach 127\.0\.0\.1:\d+: connection refused/);
    // A registry that does not answer does not hold up the list.
    expect(byId.hanging).toMatchObject({ reachable: false, error: { code: "TIMEOUT", message: "hanging: no answer to GET /v2/ within 5 s; still trying" } });
  });

  it("never shows a credential, nor where it comes from, in responses or logs", async () => {
    const pages = [await api("/api/registries"), await api("/api/registries/private"), await api(`/api/registries/private/tags?${q({ repository: "teama/app" })}`)];
    expect(pages[2].status).toBe(200);
    for (const p of pages) {
      expect(p.text).not.toContain(PASSWORD);
      expect(p.text).not.toContain("PRIVATE_REGISTRY_PASSWORD");
    }
    const home = await fetch(app.url + "/");
    expect(await home.text()).not.toContain(PASSWORD);
    expect(JSON.stringify(app.logs)).not.toContain(PASSWORD);
    expect(JSON.stringify(app.logs)).not.toContain(Buffer.from(`alice:${PASSWORD}`).toString("base64"));
  });

  it("answers 404 naming the configured ids for an unknown registry", async () => {
    const { status, body } = await api("/api/registries/nope/repositories");
    expect(status).toBe(404);
    expect(body.error.code).toBe("unknown_registry");
    expect(body.error.message).toContain('no registry with id "nope" is configured; configured: local, modern, private');
  });
});

describe("repositories", () => {
  it("pages the catalog and filters by namespace prefix", async () => {
    const first = await api(`/api/registries/local/repositories?${q({ prefix: "teama/", n: 1 })}`);
    expect(first.body).toMatchObject({ source: "catalog", repositories: ["teama/app"], total: 2, next: "teama/app" });
    const second = await api(`/api/registries/local/repositories?${q({ prefix: "teama/", n: 1, cursor: first.body.next })}`);
    expect(second.body.repositories).toEqual(["teama/sub/api"]);
    expect(second.body.next).toBeUndefined();
  });

  it("shows the namespace tree one level at a time", async () => {
    const root = await api(`/api/registries/local/repositories?${q({ view: "tree" })}`);
    expect(root.body.repositories).toEqual([]);
    expect(root.body.namespaces.map((n: any) => n.path)).toEqual(expect.arrayContaining(["teama/", "teamb/", "regclient/", "oras/", "notation/"]));
    expect(root.body.namespaces.find((n: any) => n.path === "teama/").repositories).toBe(2);
    const teama = await api(`/api/registries/local/repositories?${q({ view: "tree", prefix: "teama/" })}`);
    expect(teama.body.repositories).toEqual(["teama/app"]);
    expect(teama.body.namespaces).toEqual([{ path: "teama/sub/", repositories: 1 }]);
    const filtered = await api(`/api/registries/local/repositories?${q({ q: "MULTI" })}`);
    expect(filtered.body.repositories).toEqual(["notation/e2e-valid-multiple-signatures", "teamb/multi"]);
  });

  it("uses the configured repository list where there is no catalog", async () => {
    const { body } = await api("/api/registries/private/repositories");
    expect(body).toMatchObject({ source: "configured", repositories: ["teama/app", "teamb/web"] });
  });
});

describe("tags", () => {
  it("lists image tags by name with their artifact, and groups digest and cosign tags under their subject", async () => {
    const { status, body } = await api(`/api/registries/local/tags?${q({ repository: "teama/app" })}`);
    expect(status).toBe(200);
    expect(body.tags.map((t: any) => t.name)).toEqual(["latest", "old", "v1", "v2"]);
    // Referrers tags of v1, old and the SBOM, and the cosign tag of v2.
    expect(body.digestTags).toEqual({ tags: 4, subjects: 4 });
    const v1 = body.tags.find((t: any) => t.name === "v1");
    // First paint from the manifest alone: the image config (its created date) is read afterwards, by digest.
    expect(v1.artifact).toMatchObject({ digest: images.v1.digest, manifestKind: "image", classification: { kind: "image" } });
    expect(v1.artifact.created).toBeUndefined();
    expect(v1.detailsPending).toBe(true);
    expect(v1.attached).toEqual([{ tag: `sha256-${images.v1.digest.slice(7)}`, kind: "referrers-index" }]);
    const v2 = body.tags.find((t: any) => t.name === "v2");
    expect(v2.attached).toEqual([{ tag: `sha256-${images.v2.digest.slice(7)}.sig`, kind: "cosign-signature" }]);
  });

  it("pages, filters and sorts by created date", async () => {
    const page1 = await api(`/api/registries/local/tags?${q({ repository: "teama/app", n: 2 })}`);
    expect(page1.body.tags.map((t: any) => t.name)).toEqual(["latest", "old"]);
    const page2 = await api(`/api/registries/local/tags?${q({ repository: "teama/app", n: 2, cursor: page1.body.next })}`);
    expect(page2.body.tags.map((t: any) => t.name)).toEqual(["v1", "v2"]);
    expect(page2.body.next).toBeUndefined();
    const byDate = await api(`/api/registries/local/tags?${q({ repository: "teama/app", sort: "created" })}`);
    expect(byDate.body.order).toBe("desc");
    expect(byDate.body.tags.map((t: any) => t.name)).toEqual(["latest", "v2", "v1", "old"]);
    const oldest = await api(`/api/registries/local/tags?${q({ repository: "teama/app", sort: "created", order: "asc", n: 1 })}`);
    expect(oldest.body.tags.map((t: any) => t.name)).toEqual(["old"]);
    const filtered = await api(`/api/registries/local/tags?${q({ repository: "teama/app", q: "v" })}`);
    expect(filtered.body.tags.map((t: any) => t.name)).toEqual(["v1", "v2"]);
  });

  it("fills in created dates and index sizes by digest after the first page", async () => {
    const page = await api(`/api/registries/local/tags?${q({ repository: "teama/app" })}`);
    const digests = page.body.tags.filter((t: any) => t.detailsPending).map((t: any) => t.artifact.digest);
    expect(digests).toContain(images.v1.digest);
    const { status, body } = await api(`/api/registries/local/artifacts?${q({ repository: "teama/app", digests: digests.join(",") })}`);
    expect(status).toBe(200);
    expect(body.artifacts[images.v1.digest].artifact).toMatchObject({ digest: images.v1.digest, created: "2026-01-01T00:00:00.000Z" });
    expect(body.artifacts[images.old.digest].artifact.created).toBe("2025-06-01T00:00:00.000Z");

    const multi = await api(`/api/registries/local/tags?${q({ repository: "teamb/multi" })}`);
    const index = multi.body.tags.find((t: any) => t.name === "1.0");
    expect(index.detailsPending).toBe(true);
    expect(index.artifact.contentSize).toBeUndefined();
    const sized = await api(`/api/registries/local/artifacts?${q({ repository: "teamb/multi", digests: index.artifact.digest })}`);
    const full = sized.body.artifacts[index.artifact.digest].artifact;
    expect(full.created).toBe("2026-02-02T00:00:00.000Z");
    expect(full.platforms.map((p: any) => p.platform.architecture).sort()).toEqual(["amd64", "arm64"]);
    expect(full.contentSize).toBeGreaterThan(0);

    const bad = await api(`/api/registries/local/artifacts?${q({ repository: "teama/app", digests: "v1" })}`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/every entry of "digests" must be a digest/);
    const missing = `sha256:${"0".repeat(64)}`;
    const unknown = await api(`/api/registries/local/artifacts?${q({ repository: "teama/app", digests: missing })}`);
    expect(unknown.status).toBe(200);
    expect(unknown.body.artifacts[missing].error.code).toMatch(/NOT_FOUND|MANIFEST_UNKNOWN/);
  });

  it("refuses a date sort over more tags than configured, saying how to narrow it", async () => {
    const { status, body } = await api(`/api/registries/local/tags?${q({ repository: "regclient/testrepo", sort: "created" })}`);
    expect(status).toBe(422);
    expect(body.error.code).toBe("too_many_tags_to_sort");
    expect(body.error.message).toMatch(/sorting \d+ tags of regclient\/testrepo by created date .* narrow the list with q= to at most 5 tags/);
    const narrowed = await api(`/api/registries/local/tags?${q({ repository: "regclient/testrepo", sort: "created", q: "b" })}`);
    expect(narrowed.status).toBe(200);
  });
});

describe("manifests", () => {
  it("returns an index by tag with its platforms, parsed content and the raw bytes", async () => {
    const { status, body } = await api(`/api/registries/local/manifest?${q({ repository: "teamb/multi", reference: "1.0" })}`);
    expect(status).toBe(200);
    expect(body.descriptor).toEqual({ mediaType: "application/vnd.oci.image.index.v1+json", digest: images.multi.digest, size: images.multi.bytes.byteLength });
    expect(sha256(Buffer.from(body.raw))).toBe(images.multi.digest);
    expect(body.manifest.kind).toBe("index");
    expect(body.summary.platforms.map((p: any) => p.platform.architecture)).toEqual(["amd64", "arm64"]);
    expect(body.summary.created).toBe("2026-02-02T00:00:00.000Z");
  });

  it("returns a referrer by digest with its subject", async () => {
    const { body } = await api(`/api/registries/local/manifest?${q({ repository: "teama/app", reference: refs.sbom.digest })}`);
    expect(body.summary).toMatchObject({ artifactType: SPDX, subject: images.v1.digest, classification: { kind: "sbom", format: "spdx" } });
  });

  it("costs no upstream request the second time (cached by digest)", async () => {
    const path = `/api/registries/local/manifest?${q({ repository: "teama/app", reference: refs.scanA.digest })}`;
    await api(path);
    const before = await app.upstreamRequests("local");
    const again = await api(path);
    expect(again.status).toBe(200);
    expect(await app.upstreamRequests("local")).toBe(before);
  });
});

describe("supply-chain graph", () => {
  const graph = (params: Record<string, string | number>) => api(`/api/registries/local/graph?${q({ repository: "teama/app", reference: "v1", ...params })}`);
  const referrers = (body: any) => body.graph.nodes.filter((n: any) => n.role === "referrer");

  it("serves a repeated graph call from its cached answer, and a refresh shows what was attached since", async () => {
    const image = await pushImage({ url: dist.url }, "teama/cached", "v1", { created: "2026-04-01T00:00:00Z" });
    const call = () => api(`/api/registries/local/graph?${q({ repository: "teama/cached", reference: "v1" })}`);
    const first = await call();
    expect(referrers(first.body)).toHaveLength(0);
    const before = await app.upstreamRequests("local");
    const again = await call();
    expect(again.text).toBe(first.text);
    expect(await app.upstreamRequests("local")).toBe(before);
    // Attached behind Chainsight's back: the cached answer stands until the lists expire or someone refreshes.
    const sbom = await pushReferrer({ url: dist.url }, "teama/cached", image, { artifactType: "application/spdx+json" });
    expect(referrers((await call()).body)).toHaveLength(0);
    const refresh = await fetch(`${app.url}/api/registries/local/refresh`, { method: "POST", headers: { origin: app.url } });
    expect(refresh.status).toBe(200);
    expect(referrers((await call()).body).map((n: any) => n.digest)).toEqual([sbom.digest]);
  });

  it("walks every level and says how each edge was found", async () => {
    const { status, body } = await graph({});
    expect(status).toBe(200);
    expect(new Set(referrers(body).map((n: any) => n.digest))).toEqual(new Set([refs.sbom, refs.scanA, refs.scanB, refs.scanC, refs.sbomSig].map((m) => m.digest)));
    expect(body.graph.edges.find((e: any) => e.to === refs.sbomSig.digest)).toMatchObject({ from: refs.sbom.digest, methods: ["tag-schema"] });
    expect(body.status).toMatchObject({ signed: false, sbom: true, scanned: true });
    expect(body.tree).toContain(`${app ? "" : ""}teama/app:v1`);
    expect(body.graph.capabilities.referrersApi).toBe("unsupported");
  });

  it("filters by artifact type and orders by created date", async () => {
    const desc = await graph({ artifactType: SARIF, orderBy: "created", order: "desc" });
    expect(referrers(desc.body).map((n: any) => n.digest)).toEqual([refs.scanB, refs.scanC, refs.scanA].map((m) => m.digest));
    const asc = await graph({ artifactType: SARIF, orderBy: "created", order: "asc" });
    expect(referrers(asc.body).map((n: any) => n.digest)).toEqual([refs.scanA, refs.scanC, refs.scanB].map((m) => m.digest));
  });

  it("keeps only the newest N of each type with top", async () => {
    const newest = await graph({ artifactType: SARIF, orderBy: "created", order: "desc", top: 1 });
    expect(referrers(newest.body).map((n: any) => n.digest)).toEqual([refs.scanB.digest]);
    const perType = await graph({ top: 1 });
    expect(new Set(referrers(perType.body).map((n: any) => n.digest))).toEqual(new Set([refs.scanB, refs.sbom, refs.sbomSig].map((m) => m.digest)));
  });

  it("stops at the requested depth and says more lies below", async () => {
    const { body } = await graph({ depth: 1 });
    expect(referrers(body).map((n: any) => n.digest)).not.toContain(refs.sbomSig.digest);
    expect(body.graph.truncated.depth).toBe(true);
  });

  it("uses the referrers API where the registry has one", async () => {
    const { body } = await api(`/api/registries/modern/graph?${q({ repository: "oras/artifacts", reference: "foobar" })}`);
    expect(body.graph.capabilities.referrersApi).toBe("supported");
    const edges = body.graph.edges.filter((e: any) => e.relation === "referrer");
    expect(edges.length).toBeGreaterThan(0);
    expect(edges.every((e: any) => e.methods.includes("referrers-api"))).toBe(true);
  });

  it("rejects unknown parameters values with the parameter named", async () => {
    for (const [params, parameter] of [
      [{ top: 0 }, "top"],
      [{ depth: "deep" }, "depth"],
      [{ order: "sideways" }, "order"],
      [{ orderBy: "size" }, "orderBy"],
    ] as const) {
      const { status, body } = await graph(params);
      expect(status).toBe(400);
      expect(body.error).toMatchObject({ code: "bad_request", parameter });
      expect(body.error.message).toContain(`parameter "${parameter}"`);
    }
    const methods = await graph({ methods: "telepathy" });
    expect(methods.body.error.message).toContain('unknown discovery method "telepathy"');
  });
});

describe("status of many tags", () => {
  it("reports signed / SBOM / scanned / attested per tag, and costs nothing upstream when warm", async () => {
    const path = `/api/registries/local/status?${q({ repository: "teama/app", tags: "v1,v2,old,missing" })}`;
    const { status, body } = await api(path);
    expect(status).toBe(200);
    const by = Object.fromEntries(body.statuses.map((s: any) => [s.reference, s]));
    expect(by.v1.status).toMatchObject({ signed: false, sbom: true, scanned: true, attested: false, counts: { sbom: 1, "vulnerability-scan": 3 } });
    expect(by.v2.status).toMatchObject({ signed: true, sbom: false, scanned: false });
    expect(by.old.status).toMatchObject({ signed: false, sbom: false, scanned: false, counts: { other: 1 } });
    expect(by.missing.error.code).toBe("NOT_FOUND");
    const before = await app.upstreamRequests("local");
    await api(path.replace("%2Cmissing", ""));
    expect(await app.upstreamRequests("local")).toBe(before);
  });

  it("limits a call to 100 tags", async () => {
    const tags = Array.from({ length: 101 }, (_, i) => `t${i}`).join(",");
    const { status, body } = await api(`/api/registries/local/status?${q({ repository: "teama/app", tags })}`);
    expect(status).toBe(400);
    expect(body.error.message).toContain("at most 100 tags per call");
  });
});

describe("blob previews", () => {
  const blob = (digest: string, extra: Record<string, string> = {}) => api(`/api/registries/local/blob?${q({ repository: "teama/app", digest, ...extra })}`);
  const layerOf = (m: LayoutManifest) => m.json.layers![0].digest;

  it("pretty-prints JSON", async () => {
    const { status, body, headers } = await blob(layerOf(refs.sbom));
    expect(status).toBe(200);
    expect(headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(body.preview.kind).toBe("json");
    expect(body.preview.text).toContain('"spdxVersion": "SPDX-2.3"');
  });

  it("serves hostile content only as a JSON string, never as HTML", async () => {
    const { body, headers, text } = await blob(layerOf(refs.hostile), { mediaType: "text/html" });
    expect(headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(headers.get("x-content-type-options")).toBe("nosniff");
    expect(headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(body.preview).toEqual({ kind: "text", text: "<script>document.title='owned'</script>", truncated: false });
    expect(text).not.toContain("<script>document"); // escaped inside the JSON
  });

  it("summarises binary content", async () => {
    const gz = await api(`/api/registries/local/manifest?${q({ repository: "regclient/testrepo", reference: "v1" })}`);
    const child = gz.body.summary.platforms[0].digest;
    const image = await api(`/api/registries/local/manifest?${q({ repository: "regclient/testrepo", reference: child })}`);
    const layer = image.body.manifest.layers[0];
    const { body } = await api(`/api/registries/local/blob?${q({ repository: "regclient/testrepo", digest: layer.digest })}`);
    expect(body.preview.kind).toBe("binary");
    expect(body.preview.format).toBe("gzip");
  });
});

describe("errors", () => {
  const expectError = async (path: string, status: number, code: string, message: RegExp) => {
    const res = await api(path);
    expect(res.status, res.text).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.message).toMatch(message);
    expect(res.text).not.toMatch(/at .*\.(js|ts):\d+/); // no stack trace
    return res;
  };

  it("names what is wrong with the input", async () => {
    await expectError(`/api/registries/local/tags?${q({ repository: "TeamA/App" })}`, 400, "invalid_repository", /invalid repository "TeamA\/App"/);
    await expectError(`/api/registries/local/manifest?${q({ repository: "teama/app", reference: "v1$" })}`, 400, "invalid_tag", /invalid tag "v1\$"/);
    await expectError(`/api/registries/local/manifest?${q({ repository: "teama/app", reference: "sha256:abc" })}`, 400, "invalid_digest", /invalid digest "sha256:abc"/);
    await expectError(`/api/registries/local/blob?${q({ repository: "teama/app", digest: "nope" })}`, 400, "bad_request", /parameter "digest": not a digest/);
    await expectError("/api/registries/local/tags", 400, "bad_request", /"repository" query parameter is required/);
    await expectError("/api/registries/local/nothing-here", 404, "no_such_endpoint", /no API endpoint GET \/api\/registries\/local\/nothing-here/);
  });

  it("passes a missing tag or repository on as 404, naming the registry", async () => {
    await expectError(`/api/registries/local/manifest?${q({ repository: "teama/app", reference: "v9" })}`, 404, "not_found", /^local: fetching manifest teama\/app:v9: not found \(MANIFEST_UNKNOWN/);
    await expectError(`/api/registries/local/tags?${q({ repository: "teama/nothing" })}`, 404, "not_found", /^local: listing tags of teama\/nothing: not found \(NAME_UNKNOWN/);
  });

  it("passes upstream 401, 403, 429 and 5xx on as such", async () => {
    const tags = (repo: string) => `/api/registries/faults/tags?${q({ repository: `faults/${repo}` })}`;
    const u = await expectError(tags("unauthorized"), 401, "registry_unauthorized", /^faults: the registry requires a username and password \(Basic auth\); configure credentials for it/);
    expect(u.body.error).toMatchObject({ registry: "faults", upstreamStatus: 401 });
    await expectError(tags("denied"), 403, "registry_denied", /access denied \(DENIED: denied from the fault registry\)/);
    const r = await expectError(tags("ratelimited"), 429, "registry_rate_limited", /rate limited .*retry after 30 s/);
    expect(r.headers.get("retry-after")).toBe("30");
    expect(r.body.error.retryAfterSeconds).toBe(30);
    const b = await expectError(tags("broken"), 502, "registry_error", /registry answered HTTP 500 \(internal failure\)/);
    expect(b.body.error.upstreamStatus).toBe(500);
    await expectError(tags("unavailable"), 503, "registry_error", /HTTP 503/);
  });

  it("reports timeouts, non-JSON bodies, oversized manifests and unreachable registries", async () => {
    await expectError(`/api/registries/faults/tags?${q({ repository: "faults/slow" })}`, 504, "registry_timeout", /^faults: no answer within 1000 ms/);
    await expectError(`/api/registries/faults/tags?${q({ repository: "faults/notjson" })}`, 502, "registry_protocol_error", /not JSON/);
    await expectError(`/api/registries/faults/manifest?${q({ repository: "faults/huge", reference: "v1" })}`, 502, "registry_response_too_large", /over the 4194304-byte limit/);
    await expectError(`/api/registries/down/tags?${q({ repository: "a/b" })}`, 502, "registry_unreachable", /connection refused/);
  });
});

describe("SSRF protection", () => {
  it("refuses a token realm on another host: no request reaches it", async () => {
    const before = trapRequests.length;
    const res = await api(`/api/registries/realm-leak/tags?${q({ repository: "any/repo" })}`);
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe("forbidden_target");
    expect(res.body.error.message).toMatch(/refused to ask 127\.0\.0\.1:\d+ for a token: the token realm is not the registry's host .* add "127\.0\.0\.1:\d+" to allowHosts of registry "realm-leak"/);
    expect(trapRequests.length).toBe(before);
  });

  it("refuses a realm at the cloud metadata address", async () => {
    const res = await api(`/api/registries/realm-metadata/tags?${q({ repository: "any/repo" })}`);
    expect(res.body.error.code).toBe("forbidden_target");
    expect(res.body.error.message).toContain("169.254.169.254");
  });

  it("follows a realm the config explicitly allows", async () => {
    const before = trapRequests.length;
    await api(`/api/registries/realm-allowed/tags?${q({ repository: "any/repo" })}`);
    expect(trapRequests.slice(before).some((r) => r.startsWith("GET /token"))).toBe(true);
  });

  it("refuses redirects to loopback, link-local and non-http addresses", async () => {
    const before = trapRequests.length;
    const m = await api(`/api/registries/redirector/manifest?${q({ repository: "any/repo", reference: "v1" })}`);
    expect(m.body.error.code).toBe("forbidden_target");
    expect(m.body.error.message).toMatch(/refused a redirect to 127\.0\.0\.1:\d+ \(127\.0\.0\.1, a loopback address\)/);
    const b = await api(`/api/registries/redirector/blob?${q({ repository: "any/repo", digest: `sha256:${"a".repeat(64)}` })}`);
    expect(b.body.error.message).toMatch(/refused a redirect to 169\.254\.169\.254 \(169\.254\.169\.254, a link-local address\)/);
    const t = await api(`/api/registries/redirector/tags?${q({ repository: "any/repo" })}`);
    expect(t.body.error.code).toBe("forbidden_target");
    expect(t.body.error.message).toContain("file: URL");
    expect(trapRequests.length).toBe(before);
  });
});

describe("observability", () => {
  it("exposes Prometheus metrics: upstream requests by status, latency histograms, cache hit ratio", async () => {
    const res = await fetch(`${app.url}/api/metrics`);
    expect(res.headers.get("content-type")).toContain("text/plain; version=0.0.4");
    const text = await res.text();
    expect(text).toMatch(/^chainsight_upstream_requests_total\{.*registry="local".*status="200".*\} \d+$/m);
    expect(text).toMatch(/^chainsight_upstream_requests_total\{.*registry="faults".*status="429".*\} \d+$/m);
    expect(text).toMatch(/^chainsight_upstream_request_duration_seconds_bucket\{registry="local",le="0.05"\} \d+$/m);
    expect(text).toMatch(/^chainsight_cache_hit_ratio\{cache="manifest"\} 0\.\d+$/m);
    expect(text).toMatch(/^chainsight_api_requests_total\{route="graph",status="200"\} \d+$/m);
  });

  it("logs one JSON line per API call and per upstream request", async () => {
    await api(`/api/registries/local/manifest?${q({ repository: "teama/sub/api", reference: "1.0" })}`);
    await new Promise((r) => setTimeout(r, 200));
    const call = app.logs.filter((l) => l.event === "api_call" && l.repository === "teama/sub/api").pop();
    expect(call).toMatchObject({ route: "manifest", registry: "local", reference: "1.0", status: 200 });
    expect(call!.upstreamRequests).toBeGreaterThan(0);
    expect(typeof call!.durationMs).toBe("number");
    const upstream = app.logs.filter((l) => l.event === "upstream_request" && l.repository === "teama/sub/api");
    expect(upstream[0]).toMatchObject({ registry: "local", method: "GET", status: 200 });
    expect(String(upstream[0].url)).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v2\/teama\/sub\/api\/manifests\/1\.0$/);
  });
});

describe("configuration errors", () => {
  it("answers every API call with the bad key named", async () => {
    const bad = await startApp({ registries: [{ id: "x", url: "http://127.0.0.1:1", credentials: { type: "basic", username: "u", password: "inline-secret" } }] });
    try {
      const res = await bad.get("/api/registries");
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe("config_invalid");
      expect(res.body.error.message).toMatch(/registries\[0\]\.credentials\.password: must reference an environment variable/);
      expect(res.text).not.toContain("inline-secret");
      const plain = await startApp({ registries: [{ id: "y", url: "http://127.0.0.1:1" }] }).catch((e) => e);
      const r2 = await plain.get("/api/registries");
      expect(r2.body.error.message).toMatch(/registries\[0\]\.url: uses http:\/\/; set plainHttp: true/);
      await plain.stop();
    } finally {
      await bad.stop();
    }
  });
});
