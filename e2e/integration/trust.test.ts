import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TagStatus } from "@/lib/server/api/graph";
import type { TrustView } from "@/lib/server/api/trust";
import { startApp, type RunningApp } from "../support/app-server";
import { PASSWORDS, signIn, startAuthApp } from "../support/auth-app";
import { startDistribution, type RunningDistribution } from "../support/distribution";
import { FIXTURES } from "../support/fixtures";
import { pushLayout, readLayout } from "../support/layout";

// Trust edited from the dashboard's API by an administrator: audited, refused to others, refused where the
// configuration file sets the part, refused with open access, and visible at once in the verdicts.

let dist: RunningDistribution;
let app: RunningApp;
let managed: string;
const cookies: Record<string, string> = {};
const E2E_CRT = readFileSync(join(FIXTURES, "notation/trust/e2e.crt"), "utf8");
const POLICY = readFileSync(join(FIXTURES, "notation/trust/trustpolicy.json"), "utf8");

beforeAll(async () => {
  dist = await startDistribution();
  await pushLayout({ url: dist.url }, "teama/signed", readLayout(join(FIXTURES, "notation/e2e-valid-signature")));
  managed = mkdtempSync(join(tmpdir(), "chainsight-managed-trust-"));
  app = await startAuthApp(dist.host, {}, { verification: { managedDir: managed, sigstore: { trustedRoot: join(FIXTURES, "verification/sigstore-js/trusted_root.public-good.json") } } });
  for (const user of ["alice", "bob"]) cookies[user] = (await signIn(app.url, user, PASSWORDS[user]))!;
}, 180_000);

afterAll(async () => {
  await app?.stop();
  await dist?.stop();
  if (managed) rmSync(managed, { recursive: true, force: true });
});

const post = (user: string, body: unknown) =>
  fetch(`${app.url}/api/trust`, { method: "POST", headers: { cookie: cookies[user], origin: app.url, "content-type": "application/json" }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: await r.json() }));
const verdict = async () => {
  const r = await fetch(`${app.url}/api/registries/local/status?repository=teama/signed&tags=v1`, { headers: { cookie: cookies.alice } });
  return ((await r.json()) as { statuses: TagStatus[] }).statuses[0].verification?.verdict;
};
const audit = async (action: string) => {
  const r = await fetch(`${app.url}/api/audit?action=${encodeURIComponent(action)}`, { headers: { cookie: cookies.alice } });
  return (await r.json()).rows as { user: string; outcome: string; message: string }[];
};

describe("trust edited by an administrator", () => {
  it("shows where each part comes from: the trusted root from the file, the rest not set", async () => {
    const r = await fetch(`${app.url}/api/trust`, { headers: { cookie: cookies.alice } });
    const view = (await r.json()) as TrustView;
    expect(view.editable).toBe(true);
    expect(view.sources).toEqual({ notation: "none", sigstore: "config", cosign: "none" });
    expect(view.sigstore.trustedRoot?.tlogs).toBeGreaterThan(0);
  });

  it("a notation signature with no trust is unverified; trusting e2e.crt under notation's policy verifies it", async () => {
    expect(await verdict()).toBe("no-policy");
    const added = await post("alice", { action: "add-certificate", storeType: "ca", storeName: "e2e", pem: E2E_CRT });
    expect(added.status).toBe(200);
    expect(added.body.message).toContain("CN=e2e, O=Notary, L=Seattle, ST=WA, C=US");
    const policy = await post("alice", { action: "set-trust-policy", policy: POLICY });
    expect(policy.status).toBe(200);
    expect(policy.body.view.sources.notation).toBe("managed");
    expect(await verdict()).toBe("verified");
    // Kept in notation's own layout, so the folder can serve as a configuration's trust store as it is.
    const files = readdirSync(join(managed, "truststore/x509/ca/e2e"));
    expect(files).toHaveLength(1);
    expect(readFileSync(join(managed, "truststore/x509/ca/e2e", files[0]), "utf8")).toContain("BEGIN CERTIFICATE");
    expect(JSON.parse(readFileSync(join(managed, "trustpolicy.json"), "utf8"))).toEqual(JSON.parse(POLICY));
  });

  it("every change is in the audit trail with what changed", async () => {
    const rows = await audit("trust:add-certificate");
    expect(rows[0]).toMatchObject({ user: "alice", outcome: "success" });
    expect(rows[0].message).toContain("ca:e2e");
  });

  it("a policy notation would refuse is refused with notation's reason; a non-certificate likewise", async () => {
    const bad = await post("alice", { action: "set-trust-policy", policy: readFileSync(join(FIXTURES, "verification/notation/config/trustpolicies/wildcard_plus_other_registry_scope_trustpolicy.json"), "utf8") });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain("a wildcard scope cannot be used in conjunction with other scope values");
    const garbage = await post("alice", { action: "add-certificate", storeType: "ca", storeName: "e2e", pem: "not a certificate" });
    expect(garbage.status).toBe(400);
    expect(garbage.body.error.message).toMatch(/no certificate could be read/);
    expect(await verdict()).toBe("verified");
  });

  it("a part the configuration file sets is changed there, not here", async () => {
    const r = await post("alice", { action: "set-trusted-root", trustedRoot: "{}" });
    expect(r.status).toBe(422);
    expect(r.body.error.message).toMatch(/set in .*chainsight\.yaml \(verification\.sigstore\); change them there/);
  });

  it("someone without the admin right cannot change trust, and the refusal is audited", async () => {
    const r = await post("bob", { action: "remove-certificate", storeType: "ca", storeName: "e2e", sha256: "0".repeat(64) });
    expect(r.status).toBe(403);
    const rows = await audit("trust");
    expect(rows.some((row) => row.user === "bob" && row.outcome === "denied")).toBe(true);
    expect(await verdict()).toBe("verified");
  });

  it("removing the certificate makes the signature untrusted again", async () => {
    const view = (await (await fetch(`${app.url}/api/trust`, { headers: { cookie: cookies.alice } })).json()) as TrustView;
    const cert = view.notation.stores.find((s) => s.name === "e2e")!.certificates[0];
    const r = await post("alice", { action: "remove-certificate", storeType: "ca", storeName: "e2e", sha256: cert.sha256 });
    expect(r.status).toBe(200);
    expect(await verdict()).toBe("error"); // the policy names store ca:e2e, which no longer exists
  });
});

describe("trust with open access", () => {
  it("is shown but not changed: anyone could otherwise decide whom the server trusts", async () => {
    const open = await startApp({ registries: [{ id: "local", url: `http://${dist.host}`, plainHttp: true }], verification: { managedDir: join(managed, "open") } });
    try {
      const view = (await (await fetch(`${open.url}/api/trust`)).json()) as TrustView;
      expect(view.editable).toBe(false);
      expect(view.managedDir).toBeUndefined();
      const r = await fetch(`${open.url}/api/trust`, { method: "POST", headers: { origin: open.url, "content-type": "application/json" }, body: JSON.stringify({ action: "add-certificate", storeType: "ca", storeName: "x", pem: E2E_CRT }) });
      expect(r.status).toBe(422);
      expect((await r.json()).error.message).toMatch(/sign-in is off/);
    } finally {
      await open.stop();
    }
  });
});
