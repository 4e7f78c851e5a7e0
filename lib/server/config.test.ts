import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildConfig, loadConfig, publicRegistry } from "./config";

describe("config", () => {
  it("resolves an entry: https by default, Docker Hub's endpoint, secrets from env and files", () => {
    const dir = mkdtempSync(join(tmpdir(), "cfg-"));
    writeFileSync(join(dir, "token"), "tok-from-file\n");
    const c = buildConfig(
      {
        registries: [
          { id: "hub", url: "docker.io", credentials: { type: "basic", username: "me", password: { env: "HUB_PW" } }, repositories: ["library/alpine"], allowHosts: ["auth.docker.io"] },
          { id: "ghcr", name: "GitHub", url: "https://ghcr.io/", credentials: { type: "bearer", token: { file: "token" } } },
        ],
      },
      { env: { HUB_PW: "pw" }, baseDir: dir },
    );
    expect(c.registries[0]).toMatchObject({ host: "registry-1.docker.io", origin: "https://registry-1.docker.io", credentials: { kind: "basic", username: "me", password: "pw" }, name: "registry-1.docker.io" });
    expect(c.registries[1]).toMatchObject({ name: "GitHub", origin: "https://ghcr.io", credentials: { kind: "bearer", token: "tok-from-file" } });
    expect(c.cache.tagTtlSeconds).toBe(15);
  });

  it("resolves an oci-layout store's path against the config file's folder", () => {
    const c = buildConfig({ registries: [{ id: "demo", kind: "oci-layout", path: "store", allowDelete: true }] }, { baseDir: "/srv/chainsight" });
    expect(c.registries[0]).toMatchObject({ kind: "oci-layout", path: "/srv/chainsight/store", allowDelete: true, name: "OCI layouts (demo)" });
    // What every browser may see names the store, never the server's folder.
    const shown = publicRegistry(c.registries[0]);
    expect(shown).toMatchObject({ kind: "oci-layout", url: "oci-layout:demo" });
    expect(JSON.stringify(shown)).not.toContain("/srv/chainsight");
  });

  it("keeps secrets out of what a browser sees", () => {
    const c = buildConfig({ registries: [{ id: "a", url: "r.example", credentials: { type: "basic", username: "u", password: { env: "P" } } }] }, { env: { P: "secret" } });
    const shown = JSON.stringify(publicRegistry(c.registries[0]));
    expect(shown).not.toContain("secret");
    expect(shown).not.toContain('"P"');
    expect(publicRegistry(c.registries[0]).authentication).toBe("basic");
  });

  it.each([
    [{ registries: [{ id: "a", url: "r.example", credentials: { type: "basic", username: "u", password: "inline" } }] }, /registries\[0\]\.credentials\.password: must reference an environment variable/],
    [{ registries: [{ id: "a", url: "http://r.example" }] }, /registries\[0\]\.url: uses http:\/\/; set plainHttp: true/],
    [{ registries: [{ id: "a", url: "ftp://r.example" }] }, /registries\[0\]\.url: only http:\/\/ and https:\/\//],
    [{ registries: [{ id: "a", url: "r.example/v2" }] }, /registries\[0\]\.url: give the registry host only/],
    [{ registries: [{ id: "A b", url: "r.example" }] }, /registries\[0\]\.id: ids are lower-case/],
    [{ registries: [{ id: "a", url: "r.example", colour: "red" }] }, /registries\[0\]: unknown key "colour"/],
    [{ registries: [{ id: "a", url: "r.example" }, { id: "a", url: "s.example" }] }, /registries\[1\]\.id: registry id "a" is used twice/],
    [{ registries: [{ id: "a", url: "r.example", credentials: { type: "basic", username: "u", password: { env: "MISSING" } } }] }, /credentials\.password: environment variable MISSING is not set/],
    [{ registries: [{ id: "a", url: "r.example", credentials: { type: "oauth" } }] }, /credentials\.type: type must be one of/],
    [{ registries: [{ id: "a", url: "r.example", repositories: ["Bad/Name"] }] }, /repositories\[0\]: not a valid repository name/],
    [{ registris: [] }, /\(top level\): unknown key "registris"/],
    [{ registries: [{ id: "a", kind: "oci-layout" }] }, /registries\[0\]\.path: an oci-layout store needs "path"/],
    [{ registries: [{ id: "a", kind: "oci-layout", path: "x", url: "r.example" }] }, /registries\[0\]\.url: an oci-layout store has a "path", not a "url"/],
    [{ registries: [{ id: "a" }] }, /registries\[0\]\.url: a registry needs "url"/],
    [{ registries: [{ id: "a", url: "r.example", allowDelete: true }] }, /registries\[0\]\.allowDelete: applies to oci-layout stores only/],
    [{ registries: [{ id: "a", kind: "zip", url: "r.example" }] }, /registries\[0\]\.kind: kind must be "registry" .* or "oci-layout"/],
    [{ registries: [{ id: "a", kind: "oci-layout", path: "x", requestsPerSecond: 5 }] }, /registries\[0\]\.requestsPerSecond: an oci-layout store .* has no request rate/],
    [{ registries: [{ id: "a", url: "r.example", requestsPerSecond: 0 }] }, /registries\[0\]\.requestsPerSecond: /],
    [{ registries: [{ id: "a", url: "r.example" }], policies: [{ name: "p", scope: { registries: ["b"] }, require: { signature: {} } }] }, /policies\[0\]\.scope\.registries\[0\]: no registry has the id "b"/],
    [{ policies: [{ name: "p", require: { signature: { trustedBy: [{ key: "missing" }] } } }] }, /policies\[0\]\.require\.signature\.trustedBy\[0\]\.key: verification\.cosign\.keys has no key named "missing"/],
    [{ policies: [{ name: "p", require: { scan: { failOn: "severe" } } }] }, /policies\[0\]\.require\.scan\.failOn: a severity is "critical"/],
    [{ policies: [{ name: "p", require: { sbom: {} } }, { name: "p", require: { sbom: {} } }] }, /policy "p" is defined twice/],
  ])("names the bad key: %j", (input, message) => {
    expect(() => buildConfig(input, { source: "test.yaml" })).toThrow(message);
  });

  it("adds registries from CHAINSIGHT_REGISTRY_<ID>_* variables", () => {
    const c = buildConfig(
      {},
      {
        env: {
          CHAINSIGHT_REGISTRY_MY_REG_URL: "http://127.0.0.1:5000",
          CHAINSIGHT_REGISTRY_MY_REG_PLAIN_HTTP: "true",
          CHAINSIGHT_REGISTRY_MY_REG_USERNAME: "bob",
          CHAINSIGHT_REGISTRY_MY_REG_PASSWORD: "pw",
          CHAINSIGHT_REGISTRY_MY_REG_REPOSITORIES: "a/b, c",
          CHAINSIGHT_REGISTRY_HUB_URL: "docker.io",
          CHAINSIGHT_REGISTRY_HUB_REFRESH_TOKEN: "rt",
        },
      },
    );
    expect(c.registries.map((r) => r.id)).toEqual(["hub", "my-reg"]);
    expect(c.registries[1]).toMatchObject({ origin: "http://127.0.0.1:5000", credentials: { kind: "basic", username: "bob", password: "pw" }, repositories: ["a/b", "c"] });
    expect(c.registries[0].credentials).toEqual({ kind: "refresh-token", refreshToken: "rt", username: undefined });
    expect(() => buildConfig({}, { env: { CHAINSIGHT_REGISTRY_X_NAME: "x" } })).toThrow(/CHAINSIGHT_REGISTRY_X_URL is not set/);
  });

  it("reads YAML or JSON from CHAINSIGHT_CONFIG and says when it cannot", () => {
    const dir = mkdtempSync(join(tmpdir(), "cfg-"));
    writeFileSync(join(dir, "c.yaml"), "registries:\n  - id: a\n    url: r.example\n");
    expect(loadConfig({ CHAINSIGHT_CONFIG: join(dir, "c.yaml") }).registries[0].id).toBe("a");
    writeFileSync(join(dir, "c.json"), '{"registries": [{"id": "b", "url": "r.example"}]}');
    expect(loadConfig({ CHAINSIGHT_CONFIG: join(dir, "c.json") }).registries[0].id).toBe("b");
    writeFileSync(join(dir, "bad.yaml"), "registries: [\n");
    expect(() => loadConfig({ CHAINSIGHT_CONFIG: join(dir, "bad.yaml") })).toThrow(/bad\.yaml is not valid YAML/);
    expect(() => loadConfig({ CHAINSIGHT_CONFIG: join(dir, "none.yaml") })).toThrow(/cannot read the config file .*none\.yaml \(from CHAINSIGHT_CONFIG\): ENOENT/);
  });
});
