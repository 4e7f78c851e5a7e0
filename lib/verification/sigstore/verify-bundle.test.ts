import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parsePublicKey, parseTrustedRoot, type SigstoreTrust } from "./trust";
import { verifySigstoreBundle } from "./verify-bundle";

const V = join(__dirname, "../../../e2e/fixtures/verification");
const CONFORMANCE = join(V, "sigstore-conformance");
interface Case {
  case: string;
  path: string;
  expected: "valid" | "invalid";
  reason: string;
  trustedRoot: string;
  artifact: string;
  publicKey?: string | null;
  identity?: { subjectAlternativeName: string; issuer: string } | null;
}
const doc = JSON.parse(readFileSync(join(CONFORMANCE, "cases.json"), "utf8"));
const cases: Case[] = [...doc.cases, ...doc.derivedChecks];

function run(c: Case) {
  const bundle = new Uint8Array(readFileSync(join(CONFORMANCE, c.path, "bundle.sigstore.json")));
  const artifact = c.artifact.startsWith("any bytes") ? new TextEncoder().encode("not a.txt") : new Uint8Array(readFileSync(join(CONFORMANCE, c.artifact)));
  const trust: SigstoreTrust = {
    trustedRoot: parseTrustedRoot(readFileSync(join(CONFORMANCE, c.trustedRoot), "utf8")),
    keys: [],
    identities: c.identity ? [{ name: "conformance", subject: c.identity.subjectAlternativeName, issuer: c.identity.issuer, scopes: ["*"] }] : [],
  };
  if (c.publicKey) {
    const pem = readFileSync(join(CONFORMANCE, c.publicKey), "utf8");
    try {
      trust.keys.push({ name: "key.pub", publicKey: parsePublicKey(pem, "key.pub"), scopes: ["*"] });
    } catch {
      // managed-key-wrong-key_fail: the edited key does not even decode; it is then simply not configured.
    }
  }
  const subjectDigest = `sha256:${createHash("sha256").update(artifact).digest("hex")}`;
  return verifySigstoreBundle({ bundle, artifact, subjectDigest, scope: "registry.example/app", trust });
}

/** The check a failing case must fail at, from the case's reason. */
const FAILING_CHECK: Record<string, string[]> = {
  "untrusted-key": ["signingKey", "signature"],
  "tampered-artifact": ["signature", "tlogEntry", "subject"],
  "bad-signature": ["signature", "tlogEntry"],
  "bad-inclusion-proof": ["timestamps"],
  "bad-set": ["timestamps"],
  "cert-outside-ca-validity": ["signingKey"],
  "cert-expired-at-signing": ["signingKey"],
  "untrusted-root": ["signingKey"],
  "untrusted-tsa": ["timestamps"],
  "bad-sct": ["signingKey"],
  malformed: ["bundle"],
  "wrong-identity": ["identity"],
  "subject-mismatch": ["subject"],
};

describe("Sigstore conformance bundles, offline with the case's trusted root", () => {
  it("has the 23 upstream cases and 4 derived checks", () => {
    expect(doc.cases.length).toBe(23);
    expect(doc.derivedChecks.length).toBe(4);
  });

  it.each(cases.map((c) => [c.case, c] as const))("%s", (_name, c) => {
    const r = run(c);
    if (c.expected === "valid") {
      expect(r.verdict, r.summary).toBe("verified");
      expect(r.checks.every((k) => k.result === "passed")).toBe(true);
      return;
    }
    expect(r.verdict).not.toBe("verified");
    const failed = r.checks.find((k) => k.result === "failed");
    expect(FAILING_CHECK[c.reason], `${c.reason}: ${r.summary}`).toContain(failed?.name);
  });

  it("a keyless happy path names the signer and its Rekor time", () => {
    const r = run(cases.find((c) => c.case === "happy-path-v0.3")!);
    expect(r.signer).toEqual({ kind: "keyless", san: cases[0].identity!.subjectAlternativeName, oidcIssuer: "https://token.actions.githubusercontent.com" });
    expect(r.timestamp?.authority).toMatch(/Rekor/);
  });

  it("no identity configured: the signature holds but is not verified (no-policy)", () => {
    const c = { ...cases.find((x) => x.case === "happy-path-v0.3")!, identity: null };
    const r = run(c);
    expect(r.verdict).toBe("no-policy");
    expect(r.summary).toMatch(/anyone with a Sigstore certificate/);
  });
});

describe("cosign's OCI attestation bundle (v0.3, DSSE, keyless)", () => {
  const bundle = new Uint8Array(readFileSync(join(V, "cosign/oci-attestation.sigstore.json")));
  // go-containerregistry's empty.Image, the statement's subject
  const subjectDigest = "sha256:" + JSON.parse(Buffer.from(JSON.parse(Buffer.from(bundle).toString()).dsseEnvelope.payload, "base64").toString()).subject[0].digest.sha256;
  const trust = (identity: { subject: string; issuer: string }): SigstoreTrust => ({
    trustedRoot: parseTrustedRoot(readFileSync(join(V, "cosign/trusted_root_pgi.json"), "utf8")),
    keys: [],
    identities: [{ name: "cody", ...identity, scopes: ["127.0.0.1:*/**"] }],
  });

  it("the subject is go-containerregistry's empty image 7321122…0aa4", () => {
    expect(subjectDigest).toMatch(/^sha256:7321122.*0aa4$/);
  });

  it("verifies for cody@soyland.com from GitHub", () => {
    const r = verifySigstoreBundle({ bundle, subjectDigest, scope: "127.0.0.1:60943/repo", trust: trust({ subject: "cody@soyland.com", issuer: "https://github.com/login/oauth" }) });
    expect(r.verdict, r.summary).toBe("verified");
    expect(r.signer?.san).toBe("cody@soyland.com");
  });

  it("another SAN: untrusted; another repository scope: no identity applies", () => {
    expect(verifySigstoreBundle({ bundle, subjectDigest, scope: "127.0.0.1:60943/repo", trust: trust({ subject: "eve@example.com", issuer: "https://github.com/login/oauth" }) }).verdict).toBe("untrusted");
    expect(verifySigstoreBundle({ bundle, subjectDigest, scope: "ghcr.io/repo", trust: trust({ subject: "cody@soyland.com", issuer: "https://github.com/login/oauth" }) }).verdict).toBe("no-policy");
  });

  it("a changed payload byte: invalid", () => {
    const json = JSON.parse(Buffer.from(bundle).toString());
    const payload = Buffer.from(json.dsseEnvelope.payload, "base64");
    payload[payload.length - 2] ^= 1;
    json.dsseEnvelope.payload = payload.toString("base64");
    const r = verifySigstoreBundle({ bundle: json, subjectDigest, scope: "127.0.0.1:60943/repo", trust: trust({ subject: "cody@soyland.com", issuer: "https://github.com/login/oauth" }) });
    expect(r.verdict).toBe("invalid");
  });

  it("a root with no transparency logs: not verified", () => {
    const t = trust({ subject: "cody@soyland.com", issuer: "https://github.com/login/oauth" });
    const root = JSON.parse(readFileSync(join(V, "cosign/trusted_root_pgi.json"), "utf8"));
    t.trustedRoot = parseTrustedRoot(JSON.stringify({ ...root, tlogs: [] }));
    const r = verifySigstoreBundle({ bundle, subjectDigest, scope: "127.0.0.1:60943/repo", trust: t });
    expect(r.verdict).toBe("invalid");
    expect(r.checks.find((c) => c.result === "failed")?.name).toBe("timestamps");
  });
});
