import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import bcrypt from "bcryptjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RegistryClient } from "@/lib/oci/registry-client";
import { UnauthorizedError } from "@/lib/oci/errors";
import { discover } from "@/lib/supply-chain/discover";
import { startDistribution, type RunningDistribution } from "../support/distribution";
import { pushLayout, readLayout } from "../support/layout";
import { fixtureLayouts } from "../support/fixtures";
import { TokenIssuer } from "../support/token-issuer";

// The same storage served three ways by the real registry: anonymous (to load it),
// htpasswd Basic auth, and token auth validated by the registry against our issuer.

let open: RunningDistribution;
let basic: RunningDistribution;
let tokenReg: RunningDistribution;
let issuer: TokenIssuer;
let dir: string;

beforeAll(async () => {
  open = await startDistribution();
  await pushLayout({ url: open.url }, "oras/artifacts", readLayout(fixtureLayouts()["oras/artifacts"]));
  dir = mkdtempSync(join(tmpdir(), "chainsight-auth-"));
  const htpasswd = join(dir, "htpasswd");
  writeFileSync(htpasswd, `alice:${bcrypt.hashSync("s3cret", 10)}\n`);
  basic = await startDistribution({ auth: { kind: "htpasswd", htpasswdPath: htpasswd }, rootDirectory: open.rootDirectory });
  issuer = new TokenIssuer({
    users: {
      bob: { password: "hunter2" },
      reader: { password: "r", grant: (type, _name, req) => (type === "repository" ? req.filter((a) => a === "pull") : []) },
    },
    refreshTokens: { "refresh-abc": "bob" },
  });
  await issuer.start();
  tokenReg = await startDistribution({
    auth: { kind: "token", realm: issuer.realm, service: issuer.service, issuer: issuer.issuer, rootCertBundle: issuer.certPath },
    rootDirectory: open.rootDirectory,
  });
});

afterAll(async () => {
  await tokenReg?.stop();
  await basic?.stop();
  await open?.stop();
  await issuer?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("htpasswd Basic auth", () => {
  it("reads with the right password", async () => {
    const c = new RegistryClient({ host: basic.host, plainHttp: true, credentials: { kind: "basic", username: "alice", password: "s3cret" } });
    await c.ping();
    const graph = await discover(c, "oras/artifacts", "foobar");
    expect(graph.nodes.filter((n) => n.role === "referrer")).toHaveLength(2);
  });

  it("says the password is wrong", async () => {
    const c = new RegistryClient({ host: basic.host, plainHttp: true, credentials: { kind: "basic", username: "alice", password: "nope" } });
    const err = await c.getManifest("oras/artifacts", "foobar").catch((e) => e);
    expect(err).toBeInstanceOf(UnauthorizedError);
    expect(err.message).toMatch(/rejected the username or password of user "alice"/);
  });

  it("says credentials are needed when none are configured", async () => {
    const c = new RegistryClient({ host: basic.host, plainHttp: true });
    await expect(c.listTags("oras/artifacts")).rejects.toThrow(/requires a username and password/);
  });
});

describe("token auth (registry validates our issuer's JWTs)", () => {
  it("fetches a token with Basic credentials, caches it per scope, and reads", async () => {
    const before = issuer.requests.length;
    const c = new RegistryClient({ host: tokenReg.host, plainHttp: true, credentials: { kind: "basic", username: "bob", password: "hunter2" } });
    const graph = await discover(c, "oras/artifacts", "foobar");
    expect(graph.nodes.filter((n) => n.role === "referrer").map((n) => n.artifactType).sort()).toEqual(["test/sbom.file", "test/signature.file"]);
    const issued = issuer.requests.slice(before);
    // One token for the repository's pull scope serves every request of the walk.
    expect(issued.map((r) => r.scopes.join(" "))).toEqual(["repository:oras/artifacts:pull"]);
    expect(issued[0].user).toBe("bob");
  });

  it("asks for the catalog scope when listing repositories", async () => {
    const c = new RegistryClient({ host: tokenReg.host, plainHttp: true, credentials: { kind: "basic", username: "bob", password: "hunter2" } });
    const page = await c.catalogPage();
    expect(page.items).toContain("oras/artifacts");
    expect(issuer.requests.at(-1)?.scopes).toEqual(["registry:catalog:*"]);
  });

  it("exchanges a refresh token with the OAuth2 POST", async () => {
    const c = new RegistryClient({ host: tokenReg.host, plainHttp: true, credentials: { kind: "refresh-token", refreshToken: "refresh-abc" } });
    const m = await c.getManifest("oras/artifacts", "foobar");
    expect(m.manifest.kind).toBe("image");
    expect(issuer.requests.at(-1)).toMatchObject({ method: "POST", grantType: "refresh_token", user: "bob" });
  });

  it("reports a wrong password at the token service", async () => {
    const c = new RegistryClient({ host: tokenReg.host, plainHttp: true, credentials: { kind: "basic", username: "bob", password: "wrong" } });
    const err = await c.getManifest("oras/artifacts", "foobar").catch((e) => e);
    expect(err).toBeInstanceOf(UnauthorizedError);
    expect(err.message).toMatch(/token service at 127\.0\.0\.1:\d+ rejected user "bob"/);
  });

  it("fetches a new token when the registry says the cached one expired", async () => {
    const c = new RegistryClient({ host: tokenReg.host, plainHttp: true, credentials: { kind: "basic", username: "bob", password: "hunter2" } });
    // Distribution accepts tokens up to 60 s past `exp` (its leeway): issue one
    // that leaves that window about 2 s from now…
    issuer.tokenLifetime = -58;
    issuer.reportedExpiresIn = 3600; // …but the client is told it lasts an hour
    try {
      await c.getManifest("oras/artifacts", "foobar");
      const count = issuer.requests.length;
      await new Promise((r) => setTimeout(r, 3000));
      issuer.tokenLifetime = 300;
      const again = await c.getManifest("oras/artifacts", "foobar");
      expect(again.manifest.kind).toBe("image");
      expect(issuer.requests.length).toBe(count + 1);
    } finally {
      issuer.tokenLifetime = 300;
      issuer.reportedExpiresIn = undefined;
    }
  });

  it("explains a token the registry keeps refusing", async () => {
    const c = new RegistryClient({ host: tokenReg.host, plainHttp: true, credentials: { kind: "basic", username: "bob", password: "hunter2" } });
    issuer.tokenLifetime = -300; // expired (beyond the registry's leeway) when issued
    try {
      await expect(c.getManifest("oras/artifacts", "foobar")).rejects.toThrow(/registry refused the token issued for user "bob"/);
    } finally {
      issuer.tokenLifetime = 300;
    }
  });

  it("reports a token without the needed access", async () => {
    const c = new RegistryClient({ host: tokenReg.host, plainHttp: true, credentials: { kind: "basic", username: "reader", password: "r" } });
    expect((await c.getManifest("oras/artifacts", "foobar")).manifest.kind).toBe("image");
    const err = await c.deleteManifest("oras/artifacts", `sha256:${"0".repeat(64)}`).catch((e) => e);
    expect(err).toBeInstanceOf(UnauthorizedError);
    expect(err.message).toMatch(/repository:oras\/artifacts:delete/);
  });
});

