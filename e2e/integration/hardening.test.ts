import { cpSync, mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type RunningApp } from "../support/app-server";
import { FIXTURES } from "../support/fixtures";
import { NAT64_TARGETS, startHostileRegistry, startRelativeRealmRegistry, WEIRD_TAGS, type HostileRegistry } from "../support/hostile-registry";

// What a hostile or broken registry, a hostile layout store and hostile requests can do to a
// production build: every listing is bounded, every call has a deadline, memory returns to its
// baseline, and every refusal is a clear JSON answer, never a 500.

let hostile: HostileRegistry;
let relative: Awaited<ReturnType<typeof startRelativeRealmRegistry>>;
let app: RunningApp;
let storeRoot = "";
let outside = "";

const CALL_SECONDS = 4;

beforeAll(async () => {
  hostile = await startHostileRegistry();
  relative = await startRelativeRealmRegistry();
  // A layout store with two real repositories, and links that try to reach past them.
  const work = mkdtempSync(join(tmpdir(), "chainsight-hardening-"));
  storeRoot = join(work, "store");
  outside = join(work, "outside");
  const layout = join(FIXTURES, "regclient", "testrepo");
  cpSync(layout, join(storeRoot, "teama", "app"), { recursive: true });
  cpSync(layout, join(storeRoot, "teamb", "secret"), { recursive: true });
  cpSync(layout, join(outside, "elsewhere"), { recursive: true });
  symlinkSync(join(storeRoot, "teamb", "secret"), join(storeRoot, "teama", "alias"));
  symlinkSync(join(outside, "elsewhere"), join(storeRoot, "teama", "escaped"));
  mkdirSync(join(outside, "big"), { recursive: true });
  writeFileSync(join(outside, "big", "file"), Buffer.alloc(2 * 1024 * 1024, 0x61));
  app = await startApp({
    limits: { callSeconds: CALL_SECONDS, maxListEntries: 5000, maxListMiB: 4 },
    registries: [
      { id: "hostile", url: `http://${hostile.host}`, plainHttp: true, repositories: ["endless/tags", "endless/referrers", "trickle/app", "dense/app", "weird/tags", "nat64/app"] },
      { id: "relative", url: `http://${relative.host}`, plainHttp: true, repositories: ["app"] },
      { id: "layouts", kind: "oci-layout", path: storeRoot },
    ],
  });
}, 120_000);

afterAll(async () => {
  await app?.stop();
  await hostile?.stop();
  await relative?.stop();
  if (storeRoot) rmSync(join(storeRoot, ".."), { recursive: true, force: true });
});

const q = (p: Record<string, string>) => new URLSearchParams(p).toString();

function rawRequest(url: string, method: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

async function rss(): Promise<number> {
  const text = await (await fetch(`${app.url}/api/metrics`)).text();
  return Number(/^process_resident_memory_bytes (\d+)$/m.exec(text)?.[1]);
}

describe("a hostile registry", () => {
  it("cannot make a tag list endless: the listing stops at its limit, naming the registry and the limit", async () => {
    const started = Date.now();
    const res = await app.get(`/api/registries/hostile/tags?${q({ repository: "endless/tags" })}`);
    expect(res.status).toBe(502);
    expect(res.body.error).toMatchObject({ code: "registry_response_too_large", registry: "hostile" });
    expect(res.body.error.message).toMatch(/tag list of endless\/tags goes past 5000 entries \(limits\.maxListEntries\)/);
    expect(Date.now() - started).toBeLessThan(CALL_SECONDS * 1000);
  });

  it("cannot make a referrers listing endless: that method stops at its limit and says so, the graph shows the rest", async () => {
    const res = await app.get(`/api/registries/hostile/graph?${q({ repository: "endless/referrers", reference: "v1" })}`);
    expect(res.status).toBe(200);
    const warning = res.body.graph.warnings.find((w: string) => /referrers API/.test(w));
    expect(warning).toMatch(/hostile: the referrers listing of sha256:[0-9a-f]{64} in endless\/referrers goes past \d+ (entries|MiB|pages) \(limits\.maxList/);
    expect(res.body.graph.nodes).toHaveLength(1); // the subject; nothing half-read is shown
  });

  it("gives its memory back: repeated endless listings leave the server near its baseline", async () => {
    const before = await rss();
    for (let i = 0; i < 3; i++) {
      await app.get(`/api/registries/hostile/tags?${q({ repository: "endless/tags" })}`);
      await app.get(`/api/registries/hostile/graph?${q({ repository: "endless/referrers", reference: "v1", depth: "1" })}`);
      await app.get(`/api/registries/hostile/retention?${q({ repository: "endless/referrers" })}`);
    }
    const after = await rss();
    expect(after - before, `resident memory grew from ${before} to ${after} bytes`).toBeLessThan(256 * 1024 * 1024);
  });

  it("cannot hold a call past its budget: 40 referrers trickling a byte a second answer 504 by the deadline", async () => {
    const started = Date.now();
    const res = await app.get(`/api/registries/hostile/graph?${q({ repository: "trickle/app", reference: "v1" })}`);
    const took = Date.now() - started;
    expect(res.status).toBe(504);
    expect(res.body.error.code).toBe("deadline_exceeded");
    expect(res.body.error.message).toMatch(/budget \(limits\.callSeconds/);
    expect(took).toBeGreaterThanOrEqual(CALL_SECONDS * 1000 - 100);
    expect(took).toBeLessThan(CALL_SECONDS * 1000 + 3000);
  });

  it("cannot make the graph explode with referrers that refer to each other: each is shown once", async () => {
    const started = Date.now();
    const res = await app.get(`/api/registries/hostile/graph?${q({ repository: "dense/app", reference: "v1" })}`);
    expect(res.status).toBe(200);
    expect(res.body.graph.nodes).toHaveLength(41);
    const lines = res.body.tree.split("\n");
    expect(lines.length).toBeLessThan(41 * 41 + 10);
    expect(res.body.tree).toContain("(shown above)");
    expect(Date.now() - started).toBeLessThan(CALL_SECONDS * 1000);
  });

  it("lists tags that break the grammar as invalid, escaped, and never asks for them", async () => {
    const before = hostile.requests.length;
    const res = await app.get(`/api/registries/hostile/tags?${q({ repository: "weird/tags" })}`);
    expect(res.status).toBe(200);
    const byName = new Map(res.body.tags.map((t: { name: string }) => [t.name, t]));
    expect((byName.get("v1") as { artifact?: unknown }).artifact).toBeDefined();
    for (const bad of WEIRD_TAGS.slice(1)) {
      const entry = byName.get(bad) as { invalid?: { display: string }; artifact?: unknown };
      expect(entry.invalid, JSON.stringify(bad.slice(0, 20))).toBeDefined();
      expect(entry.artifact).toBeUndefined();
      expect(entry.invalid!.display.length).toBeLessThan(200);
    }
    expect((byName.get("bad\u0000tag") as { invalid: { display: string } }).invalid.display).toBe("bad\\u{0000}tag");
    expect((byName.get("\u202eevil.exe") as { invalid: { display: string } }).invalid.display).toBe("\\u{202e}evil.exe");
    expect((byName.get("x".repeat(10_000)) as { invalid: { display: string } }).invalid.display).toMatch(/… \(10000 characters\)$/);
    const asked = hostile.requests.slice(before).filter((r) => r.includes("/manifests/"));
    expect(asked.every((r) => r.endsWith("/manifests/v1"))).toBe(true);
  });

  it("cannot redirect to IPv6 forms of loopback or link-local addresses", async () => {
    const kinds: Record<string, RegExp> = { "[64:ff9b::127.0.0.2]": /loopback/, "[::127.0.0.2]": /loopback/, "[64:ff9b::a9fe:a9fe]": /link-local.*169\.254\.169\.254/ };
    for (const [digest, target] of Object.entries(NAT64_TARGETS)) {
      const res = await app.get(`/api/registries/hostile/blob?${q({ repository: "nat64/app", digest })}`);
      expect(res.status, target).toBe(502);
      expect(res.body.error.code).toBe("forbidden_target");
      expect(res.body.error.message).toMatch(kinds[target]);
    }
  });

  it("resolves a relative token realm against the registry and gets its token there", async () => {
    const res = await app.get(`/api/registries/relative/tags?${q({ repository: "app" })}`);
    expect(res.status).toBe(200);
    expect(res.body.tags.map((t: { name: string }) => t.name)).toEqual(["v1"]);
    expect(relative.tokenRequests).toBeGreaterThan(0);
  });
});

describe("hostile requests", () => {
  it("answers TRACE with 405, on pages and API routes alike", async () => {
    for (const path of ["/", "/signin", "/r/layouts", "/api/registries", "/api/registries/layouts/tags?repository=teama/app", "/api/auth/session", "/favicon.svg"]) {
      // fetch refuses to send TRACE, so the request goes out through node:http.
      const { status, body } = await rawRequest(app.url + path, "TRACE");
      expect(status, `TRACE ${path}`).toBe(405);
      expect(JSON.parse(body).error.code).toBe("method_not_allowed");
      // TRACK is refused by Node's HTTP parser itself: never a 500.
      expect((await rawRequest(app.url + path, "TRACK")).status).toBeLessThan(500);
    }
  });

  it("refuses digests it cannot verify before asking any registry", async () => {
    const before = await app.upstreamRequests("hostile");
    for (const reference of ["md5:abc", "foo:bar", "v1:extra", `sha256:${"A".repeat(64)}`]) {
      const res = await app.get(`/api/registries/hostile/manifest?${q({ repository: "trickle/app", reference })}`);
      expect(res.status, reference).toBe(400);
      expect(res.body.error.code).toBe("invalid_digest");
    }
    expect(await app.upstreamRequests("hostile")).toBe(before);
  });

  it("says a malformed JSON body is not JSON", async () => {
    const res = await fetch(`${app.url}/api/registries/layouts/delete-plan`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"repository": "teama/app", ' });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.message).toMatch(/the request body is not valid JSON/);
  });

  it("does not trust X-Forwarded-Host for the same-origin check, and audits the refusal", async () => {
    const res = await fetch(`${app.url}/api/registries/layouts/delete-plan`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: "https://evil.example", "x-forwarded-host": "evil.example" },
      body: JSON.stringify({ repository: "teama/app", digests: [`sha256:${"b".repeat(64)}`] }),
    });
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe("cross_site_request");
    const audit = await app.get(`/api/audit?${q({ action: "delete-plan", outcome: "denied" })}`);
    expect(audit.status).toBe(200);
    expect(audit.body.rows.some((e: { message?: string; status: number }) => e.status === 403 && /cross_site_request/.test(e.message ?? ""))).toBe(true);
  });

  it("puts security headers on every response: pages, the 404 page, API, next-auth and static files", async () => {
    const paths = ["/", "/signin", "/r/layouts", "/r/layouts/teama/app", "/nowhere", "/api/registries", "/api/auth/session", "/favicon.svg"];
    for (const path of paths) {
      const res = await fetch(app.url + path);
      const h = res.headers;
      expect(h.get("x-frame-options"), path).toBe("DENY");
      expect(h.get("x-content-type-options"), path).toBe("nosniff");
      expect(h.get("referrer-policy"), path).toBe("same-origin");
      const csp = h.get("content-security-policy") ?? "";
      expect(csp, path).toContain("frame-ancestors 'none'");
      if (!path.startsWith("/api") && path !== "/favicon.svg") expect(csp, path).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
    }
    // A fresh nonce on every page.
    const [a, b] = await Promise.all([fetch(app.url + "/"), fetch(app.url + "/")]);
    expect(a.headers.get("content-security-policy")).not.toBe(b.headers.get("content-security-policy"));
  });
});

describe("pages answer with the status of what they show", () => {
  it.each([
    ["/r/nope", 404, /no registry with id \S{0,8}nope/],
    ["/r/layouts/teama/missing", 404, /repository teama\/missing not found/],
    ["/r/layouts/teama/app/@no-such-tag", 404, /not found/],
    [`/r/layouts/teama/app/@sha256:${"0".repeat(64)}`, 404, /not found/],
    ["/r/layouts/TeamA/App", 400, /uppercase/],
    ["/r/layouts/teama/app/@md5:abc", 400, /unsupported digest algorithm/],
    ["/r/layouts/teama/app", 200, /teama\/app/],
  ])("%s answers %i", async (path, status, text) => {
    const res = await fetch(app.url + path);
    expect(res.status).toBe(status);
    const html = await res.text();
    expect(html).toMatch(text);
  });
});

describe("a layout store that links out of itself", () => {
  it("does not serve a repository that is a link to another one or out of the store", async () => {
    for (const repository of ["teama/alias", "teama/escaped"]) {
      const res = await app.get(`/api/registries/layouts/tags?${q({ repository })}`);
      expect(res.status, repository).toBe(404);
      expect(res.body.error.message).toMatch(/symbolic link/);
      expect(res.body.error.message).not.toContain(storeRoot);
    }
    const catalog = await app.get(`/api/registries/layouts/repositories?view=flat`);
    expect(catalog.body.repositories.map((r: { name: string } | string) => (typeof r === "string" ? r : r.name)).sort()).toEqual(["teama/app", "teamb/secret"]);
  });

  it("never shows the server's folder to a user who is not an administrator of a signed-in server", async () => {
    const res = await app.get("/api/registries/layouts");
    expect(res.body.url).toBe("oci-layout:layouts");
    expect(JSON.stringify(res.body)).not.toContain(storeRoot);
    const missing = await app.get(`/api/registries/layouts/tags?${q({ repository: "teama/missing" })}`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).not.toContain(storeRoot);
  });
});
