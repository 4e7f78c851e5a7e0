import { describe, expect, it } from "vitest";
import { computeDigest, cosignTagFor, isDigest, parseDigest, parseDigestTag, referrersTagFor, verifyDigest } from "./digest";

const HEX = "dfae8f425735a5e3a72e40d6609e03079995511d48157c74d54801ff4430491e";

describe("digests", () => {
  it("accepts sha256 and sha512 in their exact form and refuses every other algorithm", () => {
    expect(parseDigest(`sha256:${HEX}`)).toEqual({ algorithm: "sha256", encoded: HEX });
    expect(() => parseDigest(`sha256:${HEX.toUpperCase()}`)).toThrow(/64 lowercase hex/);
    expect(() => parseDigest(`sha512:${HEX}`)).toThrow(/128/);
    for (const bad of ["md5:abc", "foo:bar", "v1:extra", "blake3:abc_DEF="]) expect(() => parseDigest(bad), bad).toThrow(/unsupported digest algorithm/);
    expect(() => parseDigest("sha256")).toThrow(/algorithm/);
    expect(() => parseDigest("SHA256:abc")).toThrow();
  });

  it("computes and verifies", () => {
    const bytes = new TextEncoder().encode("{}");
    expect(computeDigest(bytes)).toBe("sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
    expect(verifyDigest(bytes, computeDigest(bytes))).toBe(true);
    expect(verifyDigest(bytes, `sha256:${HEX}`)).toBe(false);
    expect(verifyDigest(bytes, computeDigest(bytes, "sha512"))).toBe(true);
    expect(verifyDigest(bytes, "blake3:abc")).toBeUndefined();
  });

  it("names referrers and cosign tags", () => {
    expect(referrersTagFor(`sha256:${HEX}`)).toBe(`sha256-${HEX}`);
    expect(referrersTagFor(`sha512:${"c".repeat(128)}`)).toBe(`sha512-${"c".repeat(64)}`);
    expect(cosignTagFor(`sha256:${HEX}`, "att")).toBe(`sha256-${HEX}.att`);
  });

  it("recognises digest tags", () => {
    expect(parseDigestTag(`sha256-${HEX}`)).toEqual({ kind: "referrers", subjectDigest: `sha256:${HEX}`, tag: `sha256-${HEX}` });
    expect(parseDigestTag(`sha256-${HEX}.sig`)).toMatchObject({ kind: "cosign", suffix: "sig" });
    expect(parseDigestTag(`sha256-${HEX}.sbom`)).toMatchObject({ kind: "cosign", suffix: "sbom" });
    expect(parseDigestTag(`sha256-${HEX}.6fe828b32b9b4572.meta`)).toMatchObject({ kind: "other", suffix: "6fe828b32b9b4572.meta" });
    expect(parseDigestTag("v1")).toBeUndefined();
    expect(parseDigestTag(`sha256-${HEX.slice(1)}`)).toBeUndefined();
  });
});

describe("isDigest", () => {
  it("accepts exactly what parseDigest accepts, without throwing", () => {
    const inputs = [`sha256:${"a".repeat(64)}`, `sha512:${"0".repeat(128)}`, `sha256:${"A".repeat(64)}`, `sha256:${"a".repeat(63)}`, `md5:${"a".repeat(32)}`, "v1", "latest", "sha256-abc.sig", `sha256:${"a".repeat(64)}\n`, ""];
    for (const input of inputs) {
      let parses = true;
      try {
        parseDigest(input);
      } catch {
        parses = false;
      }
      expect(isDigest(input), input).toBe(parses);
    }
  });
});

