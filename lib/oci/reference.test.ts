import { describe, expect, it } from "vitest";
import { InvalidReferenceError } from "./errors";
import { formatReference, parseReference, registryEndpoint, validateRepository, validateTag } from "./reference";

const D = `sha256:${"a".repeat(64)}`;

describe("parseReference", () => {
  it.each([
    ["localhost:5000/repo:v1", { registry: "localhost:5000", repository: "repo", tag: "v1" }],
    ["127.0.0.1:5000/team-a/app@" + D, { registry: "127.0.0.1:5000", repository: "team-a/app", digest: D }],
    ["registry.example.com/a/b/c:1.0@" + D, { registry: "registry.example.com", repository: "a/b/c", tag: "1.0", digest: D }],
    ["ubuntu", { registry: "docker.io", repository: "library/ubuntu" }],
    ["ubuntu:22.04", { registry: "docker.io", repository: "library/ubuntu", tag: "22.04" }],
    ["docker.io/nginx", { registry: "docker.io", repository: "library/nginx" }],
    ["index.docker.io/bitnami/redis:7", { registry: "docker.io", repository: "bitnami/redis", tag: "7" }],
    ["registry-1.docker.io/library/alpine", { registry: "docker.io", repository: "library/alpine" }],
    ["[::1]:5000/repo:t", { registry: "[::1]:5000", repository: "repo", tag: "t" }],
    ["ghcr.io/org/image_name__x:tag", { registry: "ghcr.io", repository: "org/image_name__x", tag: "tag" }],
  ])("%s", (input, expected) => {
    expect(parseReference(input)).toEqual({ tag: undefined, digest: undefined, ...expected });
  });

  it("refuses digests of algorithms it cannot verify, even when they match the grammar", () => {
    expect(() => parseReference("localhost/r@multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8")).toThrow(/unsupported digest algorithm "multihash\+base58"/);
    expect(parseReference(`localhost/r@sha512:${"b".repeat(128)}`).digest).toBe(`sha512:${"b".repeat(128)}`);
  });

  it.each([
    ["", "reference", "empty"],
    ["localhost:5000/Repo:v1", "repository", "uppercase"],
    ["localhost:5000/repo:-bad", "tag", "start with"],
    [`localhost:5000/repo:${"x".repeat(129)}`, "tag", "at most 128"],
    ["localhost:5000/repo@sha256:abc", "digest", "64 lowercase hex"],
    ["localhost:5000/repo@md5", "digest", "<algorithm>:<hex>"],
    ["localhost:99999/repo", "registry", "out of range"],
    ["localhost:5000/a//b", "repository", "empty path component"],
    ["https://localhost:5000/repo", "reference", "without a URL scheme"],
    ["localhost:5000/repo name", "reference", "no spaces"],
  ])("rejects %j naming the %s", (input, part, reason) => {
    let err: unknown;
    try {
      parseReference(input);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidReferenceError);
    expect((err as InvalidReferenceError).part).toBe(part);
    expect((err as Error).message).toContain(reason);
  });

  it("formats back to the canonical form", () => {
    expect(formatReference(parseReference("ubuntu:22.04"))).toBe("docker.io/library/ubuntu:22.04");
    expect(formatReference(parseReference(`localhost:5000/a/b:t@${D}`))).toBe(`localhost:5000/a/b:t@${D}`);
  });

  it("maps Docker Hub to its API endpoint", () => {
    expect(registryEndpoint("docker.io")).toBe("registry-1.docker.io");
    expect(registryEndpoint("localhost:5000")).toBe("localhost:5000");
  });
});

describe("repository and tag grammar", () => {
  it.each(["a", "a/b", "a.b/c-d", "a__b", "a--b/c_d", "0/1"])("accepts repository %s", (r) => {
    expect(() => validateRepository(r)).not.toThrow();
  });
  it.each(["A", "a/", "/a", "a_", "a___b", "a..b", "-a", "a/B", "x".repeat(256)])("rejects repository %s", (r) => {
    expect(() => validateRepository(r)).toThrow(InvalidReferenceError);
  });
  it.each(["v1", "_x", "1.0.0-rc.1", "A_b.C-d", "x".repeat(128)])("accepts tag %s", (t) => expect(() => validateTag(t)).not.toThrow());
  it.each([".x", "-x", "a:b", "a/b", "x".repeat(129), ""])("rejects tag %j", (t) => expect(() => validateTag(t)).toThrow(InvalidReferenceError));
});
