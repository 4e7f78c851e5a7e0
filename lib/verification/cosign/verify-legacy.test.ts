import { createHash, createPublicKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parsePublicKey, parseTrustedRoot, type SigstoreTrust } from "../sigstore/trust";
import { verifyCosignLayer, type CosignLayer } from "./verify-legacy";

const CI = join(__dirname, "../../../e2e/fixtures/verification/containers-image");
const PUBLIC_GOOD = join(__dirname, "../../../e2e/fixtures/verification/sigstore-js/trusted_root.public-good.json");

/** containers/image "dir:" signature files: "\0sigstore-json\n" + {mimeType, payload, annotations}, i.e. one layer of a cosign .sig manifest. */
function layerOf(file: string): CosignLayer {
  const bytes = readFileSync(join(CI, file));
  const json = JSON.parse(bytes.subarray(bytes.indexOf(0x0a) + 1).toString("utf8"));
  return { mediaType: json.mimeType, payload: new Uint8Array(Buffer.from(json.payload, "base64")), annotations: json.annotations ?? {} };
}
const digestOf = (file: string) => `sha256:${createHash("sha256").update(readFileSync(join(CI, file))).digest("hex")}`;
const key = (file: string, name = file) => ({ name, publicKey: parsePublicKey(readFileSync(join(CI, file), "utf8"), name), scopes: ["*"] });

/** A trusted root holding only one Rekor key: what `cosign verify --rekor-public-key` trusts. */
function rootWithRekorKey(file: string) {
  const spki = createPublicKey(readFileSync(join(CI, file), "utf8")).export({ type: "spki", format: "der" });
  return parseTrustedRoot(
    JSON.stringify({
      mediaType: "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
      tlogs: [{ baseUrl: "https://rekor.sigstore.dev", hashAlgorithm: "SHA2_256", publicKey: { rawBytes: spki.toString("base64"), keyDetails: "PKIX_ECDSA_P256_SHA_256", validFor: { start: "2021-01-01T00:00:00Z" } }, logId: { keyId: createHash("sha256").update(spki).digest("base64") } }],
      certificateAuthorities: [],
      ctlogs: [],
      timestampAuthorities: [],
    }),
  );
}

const verify = (signature: string, manifest: string, trust: SigstoreTrust) => verifyCosignLayer({ layer: layerOf(signature), subjectDigest: digestOf(manifest), scope: "192.168.64.2:5000/cosign-signed-single-sample", trust });
const keys = (...files: string[]): SigstoreTrust => ({ keys: files.map((f) => key(f)), identities: [] });

describe("legacy cosign signatures from containers/image (simple signing + annotations)", () => {
  it("dir-img-cosign-valid: verified with cosign.pub, signer named by the key", () => {
    const r = verify("dir-img-cosign-valid/signature-1", "dir-img-cosign-valid/manifest.json", keys("cosign.pub"));
    expect(r.verdict, r.summary).toBe("verified");
    expect(r.signer).toEqual({ kind: "key", keyName: "cosign.pub" });
    expect(r.checks.find((c) => c.name === "timestamps")?.result).toBe("skipped");
  });

  it("dir-img-cosign-valid with cosign2.pub: untrusted", () => {
    expect(verify("dir-img-cosign-valid/signature-1", "dir-img-cosign-valid/manifest.json", keys("cosign2.pub")).verdict).toBe("untrusted");
  });

  it("no key configured: no-policy", () => {
    expect(verify("dir-img-cosign-valid/signature-1", "dir-img-cosign-valid/manifest.json", keys()).verdict).toBe("no-policy");
  });

  it("dir-img-cosign-valid-2: both signatures verify", () => {
    for (const s of ["signature-1", "signature-2"]) expect(verify(`dir-img-cosign-valid-2/${s}`, "dir-img-cosign-valid-2/manifest.json", keys("cosign.pub")).verdict).toBe("verified");
  });

  it("dir-img-cosign-mixed: signature-1 (unknown key) untrusted, signature-2 verified", () => {
    expect(verify("dir-img-cosign-mixed/signature-1", "dir-img-cosign-mixed/manifest.json", keys("cosign.pub")).verdict).toBe("untrusted");
    expect(verify("dir-img-cosign-mixed/signature-2", "dir-img-cosign-mixed/manifest.json", keys("cosign.pub")).verdict).toBe("verified");
  });

  it("unknown-cosign-key.signature: untrusted", () => {
    expect(verify("unknown-cosign-key.signature", "dir-img-cosign-valid/manifest.json", keys("cosign.pub")).verdict).toBe("untrusted");
  });

  it("dir-img-cosign-modified-manifest: invalid, the payload names 634a8f35…", () => {
    const r = verify("dir-img-cosign-modified-manifest/signature-1", "dir-img-cosign-modified-manifest/manifest.json", keys("cosign.pub"));
    expect(r.verdict).toBe("invalid");
    expect(r.summary).toContain("sha256:634a8f35");
    expect(r.summary).toContain(digestOf("dir-img-cosign-modified-manifest/manifest.json"));
  });

  it("dir-img-cosign-other-attachment: not a cosign signature", () => {
    expect(verify("dir-img-cosign-other-attachment/signature-1", "dir-img-cosign-other-attachment/manifest.json", keys("cosign.pub")).verdict).toBe("unsupported");
  });

  it("dir-img-cosign-valid-with-tag (skopeo-made): verified", () => {
    expect(verify("dir-img-cosign-valid-with-tag/signature-1", "dir-img-cosign-valid-with-tag/manifest.json", keys("cosign.pub")).verdict).toBe("verified");
  });

  it("dir-img-cosign-key-rekor-valid: verified with cosign2.pub and the Rekor key; the Rekor time is shown", () => {
    const r = verify("dir-img-cosign-key-rekor-valid/signature-1", "dir-img-cosign-key-rekor-valid/manifest.json", { ...keys("cosign2.pub"), trustedRoot: rootWithRekorKey("rekor.pub") });
    expect(r.verdict, r.summary).toBe("verified");
    expect(r.checks.find((c) => c.name === "timestamps")?.result).toBe("passed");
    expect(r.timestamp?.authority).toMatch(/Rekor/);
  });

  it("dir-img-cosign-key-rekor-valid with cosign.pub as Rekor key: the SET does not verify", () => {
    const r = verify("dir-img-cosign-key-rekor-valid/signature-1", "dir-img-cosign-key-rekor-valid/manifest.json", { ...keys("cosign2.pub"), trustedRoot: rootWithRekorKey("cosign.pub") });
    expect(r.verdict).not.toBe("verified");
    expect(r.checks.find((c) => c.result === "failed")?.name).toBe("timestamps");
  });

  it("dir-img-cosign-fulcio-rekor-valid: keyless, verified for mitr@redhat.com although the leaf has expired since", () => {
    const trust = (subject: string): SigstoreTrust => ({ trustedRoot: parseTrustedRoot(readFileSync(PUBLIC_GOOD, "utf8")), keys: [], identities: [{ name: "mitr", subject, issuer: "https://github.com/login/oauth", scopes: ["*"] }] });
    const r = verify("dir-img-cosign-fulcio-rekor-valid/signature-1", "dir-img-cosign-fulcio-rekor-valid/manifest.json", trust("mitr@redhat.com"));
    expect(r.verdict, r.summary).toBe("verified");
    expect(r.signer).toEqual({ kind: "keyless", san: "mitr@redhat.com", oidcIssuer: "https://github.com/login/oauth" });
    expect(r.timestamp?.time).toBe("2023-01-20T20:51:33.000Z");
    expect(verify("dir-img-cosign-fulcio-rekor-valid/signature-1", "dir-img-cosign-fulcio-rekor-valid/manifest.json", trust("someone@redhat.com")).verdict).toBe("untrusted");
  });

  it("a wrong base64 signature annotation: invalid, naming the annotation", () => {
    const layer = layerOf("dir-img-cosign-valid/signature-1");
    layer.annotations["dev.cosignproject.cosign/signature"] = "not base64!";
    const r = verifyCosignLayer({ layer, subjectDigest: digestOf("dir-img-cosign-valid/manifest.json"), scope: "x/y", trust: keys("cosign.pub") });
    expect(r.verdict).toBe("invalid");
    expect(r.summary).toContain("dev.cosignproject.cosign/signature is not base64");
  });
});
