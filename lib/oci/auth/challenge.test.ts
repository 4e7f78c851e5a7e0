import { describe, expect, it } from "vitest";
import { challengeScopes, cleanScopes, parseChallenges } from "./challenge";

describe("WWW-Authenticate parsing", () => {
  it("reads a Docker Hub style bearer challenge with several scopes", () => {
    const [c] = parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push repository:other:pull"');
    expect(c.scheme).toBe("bearer");
    expect(c.params).toEqual({ realm: "https://auth.docker.io/token", service: "registry.docker.io", scope: "repository:samalba/my-app:pull,push repository:other:pull" });
    expect(challengeScopes(c)).toEqual(["repository:samalba/my-app:pull,push", "repository:other:pull"]);
  });

  it("reads several challenges, quoted commas, escapes and token values", () => {
    const cs = parseChallenges('Basic realm="a, b \\"quoted\\"", Bearer realm=https://x/token , error="insufficient_scope",scope="registry:catalog:*"');
    expect(cs.map((c) => c.scheme)).toEqual(["basic", "bearer"]);
    expect(cs[0].params.realm).toBe('a, b "quoted"');
    expect(cs[1].params).toEqual({ realm: "https://x/token", error: "insufficient_scope", scope: "registry:catalog:*" });
  });

  it("is case-insensitive for schemes and parameter names, and survives garbage", () => {
    expect(parseChallenges('BEARER Realm="r"')[0]).toEqual({ scheme: "bearer", params: { realm: "r" } });
    expect(parseChallenges("")).toEqual([]);
    expect(parseChallenges(null)).toEqual([]);
    expect(() => parseChallenges('=,,"" Bearer realm="x')).not.toThrow();
  });

  it("merges scopes so equal sets give equal keys", () => {
    expect(cleanScopes(["repository:a:push", "repository:a:pull", "registry:catalog:*", "repository:b:pull"])).toEqual([
      "registry:catalog:*",
      "repository:a:pull,push",
      "repository:b:pull",
    ]);
    expect(cleanScopes(["repository:a:pull", "repository:a:*"])).toEqual(["repository:a:*"]);
    expect(cleanScopes(["repository:host:5000/a:pull"])).toEqual(["repository:host:5000/a:pull"]);
  });
});
