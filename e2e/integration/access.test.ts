import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type RunningApp } from "../support/app-server";
import { pushImage, pushReferrer } from "../support/artifacts";
import { accessConfig, craftedCookie, PASSWORDS, signIn, startAuthApp } from "../support/auth-app";
import { startDistribution, type RunningDistribution } from "../support/distribution";
import type { LayoutManifest } from "../support/layout";

// Sign-in and rights through the API of a production build, against the real registry:
// every right and pattern allowed and refused, refusals audited, sessions checked, cross-site mutations refused.

let dist: RunningDistribution;
let app: RunningApp;
const cookies: Record<string, string> = {};
let sbomLayer = "";
let webLayer = "";
let appImage: LayoutManifest;

beforeAll(async () => {
  dist = await startDistribution();
  const target = { url: dist.url };
  appImage = await pushImage(target, "teama/app", "v1", { created: "2026-01-01T00:00:00Z" });
  const sbom = await pushReferrer(target, "teama/app", appImage, { artifactType: "application/spdx+json", content: { mediaType: "application/spdx+json", bytes: Buffer.from('{"spdxVersion":"SPDX-2.3"}') } });
  sbomLayer = sbom.json.layers![0].digest;
  const web = await pushImage(target, "teamb/web", "1.0", {});
  webLayer = web.json.layers![0].digest;
  await pushImage(target, "teamb/deep/tool", "1.0", {});
  app = await startAuthApp(dist.host);
  for (const user of Object.keys(PASSWORDS)) {
    const c = await signIn(app.url, user, PASSWORDS[user]);
    if (!c) throw new Error(`could not sign in as ${user}`);
    cookies[user] = c;
  }
}, 180_000);

afterAll(async () => {
  await app?.stop();
  await dist?.stop();
});

const call = async (path: string, user?: string, init: RequestInit = {}) => {
  const res = await fetch(app.url + path, { ...init, redirect: "manual", headers: { ...(user ? { cookie: cookies[user] } : {}), ...(init.headers as Record<string, string>) } });
  const text = await res.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, body, text, headers: res.headers };
};
const q = (p: Record<string, string>) => new URLSearchParams(p).toString();

describe("sessions", () => {
  it("answers 401 JSON without a session, and with a forged, foreign or expired cookie", async () => {
    for (const cookie of [undefined, "next-auth.session-token=forged.value.here", await craftedCookie({ username: "alice", secret: "another-secret-entirely-0123456789" }), await craftedCookie({ username: "alice", expired: true })]) {
      const res = await fetch(`${app.url}/api/registries`, { headers: cookie ? { cookie } : {} });
      expect(res.status).toBe(401);
      expect((await res.json()).error).toMatchObject({ code: "unauthenticated", message: expect.stringContaining("sign in first") });
    }
    const valid = await fetch(`${app.url}/api/registries`, { headers: { cookie: await craftedCookie({ username: "alice" }) } });
    expect(valid.status).toBe(200);
  });

  it("refuses a wrong password", async () => {
    expect(await signIn(app.url, "alice", "wrong-password")).toBeUndefined();
    expect(await signIn(app.url, "nobody", "whatever-password")).toBeUndefined();
  });

  it("sends pages without a session to sign-in, and back afterwards", async () => {
    const res = await call("/r/local/teama/app?x=1");
    expect(res.status).toBe(307);
    expect(res.headers.get("location")).toBe("/signin?callbackUrl=%2Fr%2Flocal%2Fteama%2Fapp%3Fx%3D1");
    const signedIn = await call("/r/local/teama/app", "bob");
    expect(signedIn.status).toBe(200);
    expect(signedIn.text).toContain("Signed in as");
  });
});

describe("rights by registry and namespace", () => {
  const cases: { user: string; path: string; status: number; right?: string; where?: string }[] = [
    // list
    { user: "bob", path: `/api/registries/local/tags?${q({ repository: "teama/app" })}`, status: 200 },
    { user: "bob", path: `/api/registries/local/tags?${q({ repository: "teamb/web" })}`, status: 403, right: "list", where: "local/teamb/web" },
    { user: "dave", path: "/api/registries/local/repositories", status: 403, right: "list", where: "registry local" },
    // read
    { user: "bob", path: `/api/registries/local/manifest?${q({ repository: "teama/app", reference: "v1" })}`, status: 200 },
    { user: "bob", path: `/api/registries/local/graph?${q({ repository: "teama/app", reference: "v1" })}`, status: 200 },
    { user: "carol", path: `/api/registries/local/graph?${q({ repository: "teama/app", reference: "v1" })}`, status: 403, right: "read", where: "local/teama/app" },
    { user: "carol", path: `/api/registries/local/status?${q({ repository: "teamb/web", tags: "1.0" })}`, status: 200 },
    // pull
    { user: "carol", path: `/api/registries/local/blob?${q({ repository: "teamb/web", digest: "WEB" })}`, status: 200 },
    { user: "bob", path: `/api/registries/local/blob?${q({ repository: "teama/app", digest: "SBOM" })}`, status: 403, right: "pull", where: "local/teama/app" },
    // one namespace level: teamb/* does not reach teamb/deep/tool
    { user: "carol", path: `/api/registries/local/tags?${q({ repository: "teamb/deep/tool" })}`, status: 403, right: "list", where: "local/teamb/deep/tool" },
    // admin
    { user: "alice", path: "/api/audit?limit=5", status: 200 },
    { user: "bob", path: "/api/audit?limit=5", status: 403, right: "admin" },
    { user: "alice", path: "/api/metrics", status: 200 },
    { user: "carol", path: "/api/metrics", status: 403, right: "admin" },
    { user: "alice", path: `/api/registries/local/blob?${q({ repository: "teama/app", digest: "SBOM" })}`, status: 200 },
  ];

  it.each(cases)("$user $path → $status", async (c) => {
    const path = c.path.replace("WEB", encodeURIComponent(webLayer)).replace("SBOM", encodeURIComponent(sbomLayer));
    const res = await call(path, c.user);
    expect(res.status, res.text).toBe(c.status);
    if (c.status === 403) {
      expect(res.body.error.code).toBe("forbidden");
      expect(res.body.error.message).toContain(`${c.user} lacks the "${c.right}" right`);
      if (c.where) expect(res.body.error.message).toContain(`on ${c.where}`);
      // ... and the refusal is in the audit trail.
      const audit = await call(`/api/audit?${q({ user: c.user, outcome: "denied", limit: "1" })}`, "alice");
      expect(audit.body.rows[0]).toMatchObject({ user: c.user, outcome: "denied", status: 403 });
    }
  });

  it("filters the catalog and the registry list to what the user may list", async () => {
    expect((await call("/api/registries/local/repositories", "bob")).body.repositories).toEqual(["teama/app"]);
    expect((await call("/api/registries/local/repositories", "carol")).body.repositories).toEqual(["teamb/web"]);
    expect((await call("/api/registries/local/repositories", "alice")).body.repositories).toEqual(["teama/app", "teamb/deep/tool", "teamb/web"]);
    expect((await call("/api/registries", "dave")).body.registries).toEqual([]);
    expect((await call("/api/registries", "bob")).body.registries.map((r: any) => r.id)).toEqual(["local"]);
  });

  it("tells the UI which rights the user has where", async () => {
    const me = await call(`/api/me?${q({ registry: "local", repository: "teama/app" })}`, "bob");
    expect(me.body).toMatchObject({ authEnabled: true, user: "bob", roles: ["teama-reader"], admin: false, rights: ["list", "read"] });
  });
});

describe("audit trail", () => {
  it("records successes, failures and denials with user, target, status and duration", async () => {
    await call(`/api/registries/local/manifest?${q({ repository: "teama/app", reference: "v9" })}`, "bob");
    await call(`/api/registries/local/tags?${q({ repository: "teama/app" })}`);
    const rows = (await call(`/api/audit?limit=50`, "alice")).body.rows as any[];
    const failure = rows.find((r) => r.user === "bob" && r.reference === "v9");
    expect(failure).toMatchObject({ action: "manifest", registry: "local", repository: "teama/app", outcome: "failure", status: 404, upstreamStatus: 404 });
    expect(failure.durationMs).toBeGreaterThanOrEqual(0);
    expect(rows.find((r) => r.user === "(not signed in)" && r.action === "tags")).toMatchObject({ outcome: "denied", status: 401 });
    expect(rows.some((r) => r.user === "bob" && r.outcome === "success")).toBe(true);
  });

  it("filters by user, action, outcome, registry and time, pages, and exports CSV", async () => {
    const denied = (await call(`/api/audit?${q({ outcome: "denied", action: "blob", limit: "50" })}`, "alice")).body.rows as any[];
    expect(denied.length).toBeGreaterThan(0);
    expect(denied.every((r) => r.outcome === "denied" && r.action === "blob")).toBe(true);
    const today = new Date().toISOString().slice(0, 10);
    expect((await call(`/api/audit?${q({ from: today, to: today, registry: "local", limit: "1" })}`, "alice")).body.rows).toHaveLength(1);
    expect((await call(`/api/audit?${q({ from: "2000-01-01", to: "2000-01-02" })}`, "alice")).body.rows).toEqual([]);
    const first = (await call(`/api/audit?limit=2`, "alice")).body;
    const second = (await call(`/api/audit?limit=2&before=${first.next}`, "alice")).body;
    expect(second.rows[0].id).toBeLessThan(first.rows[1].id);
    const csv = await call(`/api/audit?${q({ user: "bob", format: "csv" })}`, "alice");
    expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(csv.text.split("\r\n")[0]).toMatch(/^id,time,user,provider,registry/);
    expect(csv.text).toContain('"bob"');
    const bad = await call(`/api/audit?${q({ from: "yesterday" })}`, "alice");
    expect(bad.body.error.message).toContain('parameter "from": must be a date or time');
  });
});

describe("deleting", () => {
  it("needs the delete right; a refusal deletes nothing and records every item of the plan", async () => {
    const post = (user: string, path: string, body: unknown) => call(path, user, { method: "POST", headers: { origin: app.url, "content-type": "application/json" }, body: JSON.stringify(body) });
    const plan = await post("bob", "/api/registries/local/delete-plan", { repository: "teama/app", digests: [appImage.digest] });
    expect(plan.status).toBe(200);
    expect(plan.body).toMatchObject({ allowed: false, deniedMessage: 'bob lacks the "delete" right on local/teama/app; ask an administrator for a role that grants it' });
    const refused = await post("bob", "/api/registries/local/delete", { repository: "teama/app", plan: plan.body, confirm: "teama/app" });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toContain('bob lacks the "delete" right');
    const rows = (await call(`/api/audit?${q({ user: "bob", action: "delete:manifest", outcome: "denied" })}`, "alice")).body.rows as any[];
    expect(rows.map((r) => r.reference).sort()).toEqual(plan.body.manifests.map((m: any) => m.digest).sort());
    expect((await call(`/api/registries/local/manifest?${q({ repository: "teama/app", reference: "v1" })}`, "alice")).status).toBe(200);
  });
});

describe("cross-site requests", () => {
  it("refuses a mutation from another origin, and allows it from this one", async () => {
    const evil = await call("/api/registries/local/refresh", "alice", { method: "POST", headers: { origin: "https://evil.example", "content-type": "application/json" }, body: "{}" });
    expect(evil.status).toBe(403);
    expect(evil.body.error).toMatchObject({ code: "cross_site_request", message: expect.stringContaining("Origin https://evil.example is not this server") });
    const site = await call("/api/registries/local/refresh", "alice", { method: "POST", headers: { "sec-fetch-site": "cross-site" } });
    expect(site.status).toBe(403);
    const ok = await call("/api/registries/local/refresh", "alice", { method: "POST", headers: { origin: app.url } });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ refreshed: "local" });
    const noSession = await call("/api/registries/local/refresh", undefined, { method: "POST", headers: { origin: app.url } });
    expect(noSession.status).toBe(401);
  });
});

describe("startup", () => {
  it("refuses to start in production with sign-in on and no session secret", async () => {
    const err = await startApp(accessConfig(dist.host, "/nonexistent/users.yaml"), { NEXTAUTH_SECRET: "" }).then(
      async (a) => {
        await a.stop();
        return undefined;
      },
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/auth\.enabled is true but NEXTAUTH_SECRET is not set; .* refuses to start/);
  });
});

/** Sign in through next-auth's credentials callback from a given client address; returns the error next-auth sends back, if any. */
async function signInFrom(username: string, password: string, address: string): Promise<{ ok: boolean; error?: string }> {
  const csrf = await fetch(`${app.url}/api/auth/csrf`, { headers: { "x-forwarded-for": address } });
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const cookie = csrf.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const res = await fetch(`${app.url}/api/auth/callback/local`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie, "x-forwarded-for": address },
    body: new URLSearchParams({ csrfToken, username, password, json: "true", callbackUrl: app.url }),
  });
  const ok = res.headers.getSetCookie().some((c) => c.startsWith("next-auth.session-token="));
  const body = (await res.json().catch(() => ({}))) as { url?: string };
  const error = body.url ? (new URL(body.url).searchParams.get("error") ?? undefined) : undefined;
  return { ok, error };
}

describe("sign-in abuse", () => {
  const audit = async (p: Record<string, string>) => (await call(`/api/audit?${q(p)}`, "alice")).body.rows as { user: string; action: string; outcome: string; message?: string }[];

  it("audits every sign-in, failed or not, and every sign-out", async () => {
    expect((await signInFrom("carol", "not-her-password", "198.51.100.20")).ok).toBe(false);
    expect((await signInFrom("carol", PASSWORDS.carol, "198.51.100.20")).ok).toBe(true);
    const rows = await audit({ user: "carol", action: "signin" });
    expect(rows.map((r) => r.outcome)).toEqual(expect.arrayContaining(["success", "failure"]));
    expect(rows.find((r) => r.outcome === "failure")?.message).toMatch(/wrong user name or password \(from 198\.51\.100\.20\)/);
    // Sign out through next-auth: the session's user is recorded.
    const cookie = await signIn(app.url, "carol", PASSWORDS.carol);
    const { csrfToken } = (await (await fetch(`${app.url}/api/auth/csrf`, { headers: { cookie: cookie! } })).json()) as { csrfToken: string };
    const out = await fetch(`${app.url}/api/auth/signout`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookie! },
      body: new URLSearchParams({ csrfToken, json: "true" }),
    });
    expect(out.status).toBeLessThan(400);
    expect((await audit({ user: "carol", action: "signout" })).length).toBeGreaterThan(0);
  });

  it("makes repeated wrong passwords wait, per user name and per address, and says when to try again", async () => {
    const from = "203.0.113.9";
    for (let i = 0; i < 4; i++) expect((await signInFrom("dave", `wrong-${i}`, from)).ok).toBe(false);
    // Now even the right password waits: the password is not checked while the user name is throttled.
    const refused = await signInFrom("dave", PASSWORDS.dave, "203.0.113.10");
    expect(refused.ok).toBe(false);
    expect(refused.error).toMatch(/^Too many failed sign-ins for this user name\. Try again in \d+ seconds?\.$/);
    // The address that made the guesses waits too, whichever user it tries.
    const sameAddress = await signInFrom("bob", PASSWORDS.bob, from);
    expect(sameAddress.ok).toBe(false);
    expect(sameAddress.error).toMatch(/Too many failed sign-ins for your address/);
    // Others are not affected.
    expect((await signInFrom("bob", PASSWORDS.bob, "203.0.113.11")).ok).toBe(true);
    const denied = await audit({ user: "dave", action: "signin", outcome: "denied" });
    expect(denied[0]?.message).toMatch(/throttled: this user name must wait \d+ s/);
    // After the wait, the right password works again.
    const wait = Number(/in (\d+) second/.exec(refused.error!)![1]);
    await new Promise((r) => setTimeout(r, (wait + 0.5) * 1000));
    expect((await signInFrom("dave", PASSWORDS.dave, "203.0.113.12")).ok).toBe(true);
  });
});
