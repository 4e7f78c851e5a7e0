import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { issueCertificate, issueCrl, type IssuedCertificate } from "../issue-certificate";
import type { SignatureVerification } from "../verdict";
import { EKU, parseCertificates } from "../x509";
import { signCose, signJws, type NotarySignOptions } from "./sign";
import { parseTrustPolicy } from "./trust-policy";
import { loadTrustStores, MemoryTrustStores } from "./trust-store";
import { verifyNotarySignature, type NotaryTrust, type SubjectDescriptor } from "./verify";

const FIXTURES = join(__dirname, "../../../e2e/fixtures");
const LAYOUTS = join(FIXTURES, "notation");
const NOTATION_GO = join(FIXTURES, "verification/notation-go");
const read = (p: string) => new Uint8Array(readFileSync(p));

/** The Notary signature manifests of a notation e2e layout, with their envelope bytes. */
function signaturesOf(layout: string) {
  const dir = join(LAYOUTS, layout, "blobs/sha256");
  const out: { digest: string; mediaType: string; envelope: Uint8Array; subject: SubjectDescriptor }[] = [];
  for (const name of readdirSync(dir)) {
    const text = readFileSync(join(dir, name), "utf8");
    if (!text.startsWith("{")) continue;
    const m = JSON.parse(text);
    if (m.mediaType !== "application/vnd.oci.image.manifest.v1+json" || m.config?.mediaType !== "application/vnd.cncf.notary.signature" || !m.subject) continue;
    out.push({ digest: `sha256:${name}`, mediaType: m.layers[0].mediaType, envelope: read(join(dir, m.layers[0].digest.slice(7))), subject: m.subject });
  }
  return out;
}

const e2eTrust = (policyFile = "trustpolicy.json", extra: string[] = []): NotaryTrust => ({
  policy: parseTrustPolicy(readFileSync(join(LAYOUTS, "trust", policyFile), "utf8")),
  stores: new MemoryTrustStores().add("ca", "e2e", [join(LAYOUTS, "trust/e2e.crt"), ...extra].flatMap((f) => parseCertificates(read(f)))),
  crls: () => undefined,
});

async function verifyLayout(layout: string, trust = e2eTrust(), scope = "localhost:5000/e2e"): Promise<SignatureVerification[]> {
  return Promise.all(signaturesOf(layout).map((s) => verifyNotarySignature({ envelopeMediaType: s.mediaType, envelope: s.envelope, subject: s.subject, scope, trust, now: new Date() })));
}

const check = (r: SignatureVerification, name: string) => r.checks.find((c) => c.name === name);

describe("Notary Project verification of notation's e2e layouts (trust store ca:e2e = trust/e2e.crt)", () => {
  it("verifies the valid signature and names the signer", async () => {
    const [r] = await verifyLayout("e2e-valid-signature");
    expect(r.verdict).toBe("verified");
    expect(r.format).toBe("notation-jws");
    expect(r.signer?.subject).toBe("CN=e2e, O=Notary, L=Seattle, ST=WA, C=US");
    // The envelope's signing time header is 2023-06-27T13:30:33+08:00.
    expect(r.signingTime).toBe("2023-06-27T05:30:33.000Z");
    expect(r.checks.filter((c) => c.result === "failed")).toEqual([]);
  });

  it("an expired signature is expired, with the expiry check failing", async () => {
    const [r] = await verifyLayout("e2e-expired-signature");
    expect(r.verdict).toBe("expired");
    expect(check(r, "expiry")?.result).toBe("failed");
    expect(check(r, "signature")?.result).toBe("passed");
  });

  it("a layer that is no envelope is invalid", async () => {
    const [r] = await verifyLayout("e2e-invalid-signature");
    expect(r.verdict).toBe("invalid");
    expect(check(r, "envelope")?.reason).toMatch(/application\/vnd\.oci\.image\.layer\.v1\.tar/);
  });

  it("of two signatures, the one by e2e verifies and the one by testcert11 is untrusted", async () => {
    const rs = await verifyLayout("e2e-valid-multiple-signatures");
    expect(rs.map((r) => r.verdict).sort()).toEqual(["untrusted", "verified"]);
    const untrusted = rs.find((r) => r.verdict === "untrusted")!;
    expect(untrusted.signer?.subject).toContain("CN=testcert11");
    expect(check(untrusted, "trustStore")?.result).toBe("failed");
  });

  it("a certificate that expired: untrusted with the e2e store, expired once its certificate is trusted", async () => {
    const [untrusted] = await verifyLayout("e2e-with-expired-cert");
    expect(untrusted.verdict).toBe("untrusted");
    const [expired] = await verifyLayout("e2e-with-expired-cert", e2eTrust("trustpolicy.json", [join(LAYOUTS, "trust/expired_e2e.crt")]));
    expect(expired.verdict).toBe("expired");
    expect(check(expired, "authenticTimestamp")?.reason).toMatch(/expired on 2023-06-27T06:10:00/);
  });

  it("trusted identity: matches CN=e2e, and a store holding only an unrelated cert makes it untrusted", async () => {
    const [byIdentity] = await verifyLayout("e2e-valid-signature", e2eTrust("valid_trusted_identity_trustpolicy.json"));
    expect(byIdentity.verdict).toBe("verified");
    expect(check(byIdentity, "trustedIdentity")?.reason).toContain("x509.subject: CN=e2e,O=Notary,L=Seattle,ST=WA,C=US");
    const other: NotaryTrust = { ...e2eTrust(), stores: new MemoryTrustStores().add("ca", "e2e", parseCertificates(read(join(LAYOUTS, "trust/new_e2e.crt")))) };
    const [r] = await verifyLayout("e2e-valid-signature", other);
    expect(r.verdict).toBe("untrusted");
  });

  it("no trust policy, or none for the scope: no-policy, after integrity passed", async () => {
    const [none] = await verifyLayout("e2e-valid-signature", { ...e2eTrust(), policy: undefined });
    expect(none.verdict).toBe("no-policy");
    expect(check(none, "signature")?.result).toBe("passed");
    const scoped: NotaryTrust = { ...e2eTrust(), policy: parseTrustPolicy(readFileSync(join(FIXTURES, "verification/notation/config/trustpolicies/registry_scope_trustpolicy.json"), "utf8")) };
    const [other] = await verifyLayout("e2e-valid-signature", scoped, "localhost:5000/other");
    expect(other.verdict).toBe("no-policy");
    expect(other.summary).toContain("localhost:5000/other");
  });

  it("verification levels: permissive and audit only log expiry; override can enforce it again", async () => {
    const policy = (level: string, override?: Record<string, string>) =>
      parseTrustPolicy({ version: "1.0", trustPolicies: [{ name: "p", registryScopes: ["*"], signatureVerification: { level, ...(override ? { override } : {}) }, trustStores: ["ca:e2e"], trustedIdentities: ["*"] }] });
    const withPolicy = (p: ReturnType<typeof policy>) => ({ ...e2eTrust(), policy: p });
    const [permissive] = await verifyLayout("e2e-expired-signature", withPolicy(policy("permissive")));
    expect(permissive.verdict).toBe("verified");
    expect(check(permissive, "expiry")?.result).toBe("logged");
    expect(permissive.warnings[0]).toMatch(/expired/);
    const [audit] = await verifyLayout("e2e-valid-multiple-signatures", withPolicy(policy("audit")));
    expect(audit.verdict).toBe("verified");
    const [enforced] = await verifyLayout("e2e-expired-signature", withPolicy(policy("permissive", { expiry: "enforce" })));
    expect(enforced.verdict).toBe("expired");
    const [skipped] = await verifyLayout("e2e-valid-signature", { ...e2eTrust(), policy: parseTrustPolicy({ version: "1.0", trustPolicies: [{ name: "s", registryScopes: ["*"], signatureVerification: { level: "skip" } }] }) });
    expect(skipped.verdict).toBe("no-policy");
    expect(skipped.summary).toMatch(/skips signature verification/);
  });

  it("a trust store named by the policy that does not exist is an error naming it", async () => {
    const policy = parseTrustPolicy(readFileSync(join(FIXTURES, "verification/notation/config/trustpolicies/invalid_trust_store_trustpolicy.json"), "utf8"));
    const [r] = await verifyLayout("e2e-valid-signature", { ...e2eTrust(), policy });
    expect(r.verdict).toBe("error");
    expect(r.summary).toMatch(/"invalid_store" of type "ca" .*does not exist/);
  });
});

describe("notation-go timestamped envelopes (strict, verifyTimestamp always, ca:valid-trust-store, tsa:test-timestamp)", () => {
  const subject = { mediaType: "application/vnd.docker.distribution.manifest.v2+json", digest: "sha256:c0669ef34cdc14332c0f1ab0c2c01acb91d96014b172f1a76f3a39e63d1f0bda", size: 528 };
  const trust = (): NotaryTrust => ({
    policy: parseTrustPolicy(readFileSync(join(NOTATION_GO, "trustpolicy.transcribed.json"), "utf8")),
    stores: loadTrustStores(join(NOTATION_GO, "verifier/testdata/truststore")),
    crls: () => undefined,
  });
  const verify = (file: string, t = trust()) => {
    const envelope = read(join(NOTATION_GO, "verifier/testdata/timestamp/sigEnv", file));
    return verifyNotarySignature({ envelopeMediaType: envelope[0] === 0x7b ? "application/jose+json" : "application/cose", envelope, subject, scope: "localhost:5000/alpine", trust: t, now: new Date() });
  };

  it.each(["jwsWithTimestamp.sig", "coseWithTimestamp.sig"])("%s verifies with its GlobalSign timestamp", async (file) => {
    const r = await verify(file);
    expect(r.verdict).toBe("verified");
    expect(r.format).toBe(file.startsWith("jws") ? "notation-jws" : "notation-cose");
    expect(r.timestamp?.authority).toContain("Globalsign TSA for Advanced - G4 - 202311");
    expect(check(r, "authenticTimestamp")?.result).toBe("passed");
  });

  it("jwsWithTimestamp.sig: the timestamp time is 2024-06-18T06:29:37Z", async () => {
    expect((await verify("jwsWithTimestamp.sig")).timestamp?.time).toBe("2024-06-18T06:29:37.000Z");
  });

  it.each(["jwsExpiredWithTimestamp.sig", "coseExpiredWithTimestamp.sig", "timestampAfterNotAfter.sig"])("%s is untrusted (its signer is in no store)", async (file) => {
    expect((await verify(file)).verdict).toBe("untrusted");
  });

  it("jwsExpiredWithTimestamp.sig verifies when its own certificate is trusted: the timestamp is inside the 10-minute validity", async () => {
    const t = trust();
    const env = JSON.parse(readFileSync(join(NOTATION_GO, "verifier/testdata/timestamp/sigEnv/jwsExpiredWithTimestamp.sig"), "utf8"));
    (t.stores as MemoryTrustStores).add("ca", "valid-trust-store", [...parseCertificates(`-----BEGIN CERTIFICATE-----\n${env.header.x5c[0]}\n-----END CERTIFICATE-----`)]);
    const r = await verify("jwsExpiredWithTimestamp.sig", t);
    expect(r.verdict).toBe("verified");
  });

  it("timestampBeforeNotBefore.sig fails the authentic timestamp: stamped 2024, certificate valid from 2099", async () => {
    const r = await verify("timestampBeforeNotBefore.sig");
    expect(r.verdict).toBe("invalid");
    expect(check(r, "authenticTimestamp")?.result).toBe("failed");
    expect(check(r, "authenticTimestamp")?.reason).toMatch(/2099-09-18/);
  });

  it("withoutTimestamp.sig: invalid under a policy with a tsa store, verified under one without", async () => {
    const r = await verify("withoutTimestamp.sig");
    expect(r.verdict).toBe("invalid");
    expect(check(r, "authenticTimestamp")?.reason).toMatch(/no timestamp countersignature was found/);
    const t = trust();
    t.policy = parseTrustPolicy({ version: "1.0", trustPolicies: [{ name: "no-tsa", registryScopes: ["*"], signatureVerification: { level: "strict" }, trustStores: ["ca:valid-trust-store"], trustedIdentities: ["*"] }] });
    expect((await verify("withoutTimestamp.sig", t)).verdict).toBe("verified");
  });

  it("the DigiCert root as TSA store: the GlobalSign timestamp does not chain", async () => {
    const t = trust();
    t.stores = new MemoryTrustStores()
      .add("ca", "valid-trust-store", loadTrustStores(join(NOTATION_GO, "verifier/testdata/truststore")).get("ca", "valid-trust-store")!)
      .add("tsa", "test-timestamp", parseCertificates(read(join(NOTATION_GO, "verifier/testdata/truststore/x509/tsa/test-mismatch/DigiCertTSARootSHA384.cer"))));
    const r = await verify("jwsWithTimestamp.sig", t);
    expect(r.verdict).toBe("invalid");
    expect(check(r, "authenticTimestamp")?.reason).toMatch(/does not chain to a trusted TSA root/);
  });

  it("an envelope of another artifact: integrity passes, the signed-artifact check fails", async () => {
    const envelope = read(join(NOTATION_GO, "verifier/testdata/timestamp/sigEnv/jwsWithTimestamp.sig"));
    const r = await verifyNotarySignature({ envelopeMediaType: "application/jose+json", envelope, subject: { ...subject, digest: `sha256:${"0".repeat(64)}` }, scope: "x/y", trust: trust(), now: new Date() });
    expect(r.verdict).toBe("invalid");
    expect(check(r, "signature")?.result).toBe("passed");
    expect(check(r, "targetArtifact")?.result).toBe("failed");
  });
});

describe("Notary envelopes made here, for the failures the fixtures lack", () => {
  const subject: SubjectDescriptor = { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: `sha256:${"ab".repeat(32)}`, size: 1234 };
  const name = (cn: string): [string, string][] => [["C", "US"], ["ST", "WA"], ["O", "Chainsight Tests"], ["CN", cn]];
  let root: IssuedCertificate;
  let leaf: IssuedCertificate;
  let trust: NotaryTrust;
  beforeAll(async () => {
    root = await issueCertificate({ subject: name("Test Root"), ca: true, keyUsage: ["keyCertSign", "cRLSign"] });
    leaf = await issueCertificate({ subject: name("Test Signer"), issuer: root, ca: false, keyUsage: ["digitalSignature"], extendedKeyUsage: [EKU.codeSigning] });
    trust = {
      policy: parseTrustPolicy({ version: "1.0", trustPolicies: [{ name: "tests", registryScopes: ["*"], signatureVerification: { level: "strict" }, trustStores: ["ca:tests"], trustedIdentities: ["x509.subject: C=US, ST=WA, O=Chainsight Tests, CN=Test Signer"] }] }),
      stores: new MemoryTrustStores().add("ca", "tests", [root.certificate]),
      crls: () => undefined,
    };
  });
  const sign = (o: Partial<NotarySignOptions> = {}, signer = leaf, cose = false) =>
    (cose ? signCose : signJws)({ subject, chain: [signer.der, root.der], privateKey: signer.privateKey, alg: "PS256", ...o });
  const verify = (envelope: Uint8Array, o: { cose?: boolean; t?: NotaryTrust; s?: SubjectDescriptor } = {}) =>
    verifyNotarySignature({ envelopeMediaType: o.cose ? "application/cose" : "application/jose+json", envelope, subject: o.s ?? subject, scope: "registry.example/app", trust: o.t ?? trust, now: new Date() });

  it("a JWS and a COSE signature by a leaf under a trusted root verify, with the trusted identity", async () => {
    expect((await verify(sign())).verdict).toBe("verified");
    const cose = await verify(sign({}, leaf, true), { cose: true });
    expect(cose.verdict).toBe("verified");
    expect(cose.format).toBe("notation-cose");
  });

  it("a signature for another digest is invalid (signed artifact)", async () => {
    const r = await verify(sign(), { s: { ...subject, digest: `sha256:${"cd".repeat(32)}` } });
    expect(r.verdict).toBe("invalid");
    expect(check(r, "targetArtifact")?.reason).toContain(`sha256:${"ab".repeat(32)}`);
  });

  it("an alg that does not match the key (PS384 with RSA 2048) is invalid", async () => {
    const r = await verify(sign({ alg: "PS384" }));
    expect(r.verdict).toBe("invalid");
    expect(check(r, "signature")?.reason).toMatch(/PS384.*RSA 2048.*PS256/);
  });

  it("a signing certificate that is a CA is invalid", async () => {
    const caLeaf = await issueCertificate({ subject: name("Test Signer"), issuer: root, ca: true, keyUsage: ["digitalSignature", "keyCertSign"], extendedKeyUsage: [EKU.codeSigning] });
    const r = await verify(sign({}, caLeaf));
    expect(r.verdict).toBe("invalid");
    expect(check(r, "certificateChain")?.reason).toMatch(/is a CA certificate/);
  });

  it("a signing scheme header that is not critical is invalid", async () => {
    const r = await verify(sign({ headers: (h) => ({ ...h, crit: [] }) }));
    expect(r.verdict).toBe("invalid");
    expect(check(r, "envelope")?.reason).toMatch(/io\.cncf\.notary\.signingScheme is not marked critical/);
  });

  it("an expiry before the signing time is invalid", async () => {
    const r = await verify(sign({ signingTime: new Date("2030-01-02T00:00:00Z"), expiry: new Date("2030-01-01T00:00:00Z") }));
    expect(r.verdict).toBe("invalid");
    expect(check(r, "envelope")?.reason).toMatch(/expires .* before it was signed/);
  });

  it("the root in a tsa store instead of a ca store: untrusted", async () => {
    const t: NotaryTrust = {
      ...trust,
      policy: parseTrustPolicy({ version: "1.0", trustPolicies: [{ name: "tests", registryScopes: ["*"], signatureVerification: { level: "strict" }, trustStores: ["ca:tests", "tsa:tests"], trustedIdentities: ["*"] }] }),
      stores: new MemoryTrustStores().add("tsa", "tests", [root.certificate]).add("ca", "tests", []),
    };
    const r = await verify(sign(), { t });
    expect(r.verdict).toBe("untrusted");
  });

  it("a changed payload no longer verifies", async () => {
    const env = JSON.parse(new TextDecoder().decode(sign()));
    env.payload = Buffer.from(JSON.stringify({ targetArtifact: { ...subject, size: 1 } })).toString("base64url");
    const r = await verify(new TextEncoder().encode(JSON.stringify(env)));
    expect(r.verdict).toBe("invalid");
    expect(check(r, "signature")?.result).toBe("failed");
  });

  it("an identity that does not match the signer: untrusted", async () => {
    const t = { ...trust, policy: parseTrustPolicy({ version: "1.0", trustPolicies: [{ name: "tests", registryScopes: ["*"], signatureVerification: { level: "strict" }, trustStores: ["ca:tests"], trustedIdentities: ["x509.subject: C=US, ST=WA, O=Someone Else"] }] }) };
    const r = await verify(sign(), { t });
    expect(r.verdict).toBe("untrusted");
    expect(check(r, "trustedIdentity")?.result).toBe("failed");
  });

  it("garbage, wrong base64, truncated certificates and 10 MB envelopes: invalid with the reason, no exception", async () => {
    expect((await verify(new TextEncoder().encode("malformed signature"))).summary).toMatch(/not JSON/);
    const env = JSON.parse(new TextDecoder().decode(sign()));
    expect((await verify(new TextEncoder().encode(JSON.stringify({ ...env, signature: "!!!" })))).summary).toMatch(/signature is not base64url/);
    const truncated = { ...env, header: { ...env.header, x5c: [env.header.x5c[0].slice(0, 100)] } };
    const t = await verify(new TextEncoder().encode(JSON.stringify(truncated)));
    expect(t.verdict).toBe("invalid");
    expect(t.summary).toMatch(/certificate 1 of the chain cannot be read/);
    const huge = await verify(new Uint8Array(10 * 1024 * 1024));
    expect(huge.verdict).toBe("invalid");
    expect(huge.summary).toMatch(/10485760 bytes/);
    expect((await verify(Uint8Array.of(0xd2, 0x84, 0x40), { cose: true })).verdict).toBe("invalid");
  });

  it("revocation: a leaf in its issuer's CRL is revoked; a CRL not supplied is unknown: strict fails, permissive logs", async () => {
    const url = "http://crl.test/intermediate.crl";
    const crlLeaf = await issueCertificate({ subject: name("Test Signer"), issuer: root, ca: false, keyUsage: ["digitalSignature"], extendedKeyUsage: [EKU.codeSigning], crlDistributionPoints: [url] });
    const envelope = sign({}, crlLeaf);
    const withCrl = (crl: Uint8Array | undefined, level = "strict"): NotaryTrust => ({
      ...trust,
      policy: parseTrustPolicy({ version: "1.0", trustPolicies: [{ name: "tests", registryScopes: ["*"], signatureVerification: { level }, trustStores: ["ca:tests"], trustedIdentities: ["*"] }] }),
      crls: (u) => (u === url ? crl : undefined),
    });
    const good = await verify(envelope, { t: withCrl(await issueCrl(root, [])) });
    expect(good.verdict).toBe("verified");
    expect(check(good, "revocation")?.reason).toMatch(/no certificate of the chain is revoked .*http:\/\/crl\.test\/intermediate\.crl/);
    const revoked = await verify(envelope, { t: withCrl(await issueCrl(root, [{ serial: crlLeaf.certificate.serialNumber, date: new Date("2026-01-02T03:04:05Z") }])) });
    expect(revoked.verdict).toBe("revoked");
    expect(check(revoked, "revocation")?.reason).toContain("2026-01-02T03:04:05");
    const unknown = await verify(envelope, { t: withCrl(undefined) });
    expect(unknown.verdict).toBe("error");
    expect(check(unknown, "revocation")?.reason).toMatch(/unknown: no CRL was supplied for http:\/\/crl\.test\/intermediate\.crl/);
    const logged = await verify(envelope, { t: withCrl(undefined, "permissive") });
    expect(logged.verdict).toBe("verified");
    expect(check(logged, "revocation")?.result).toBe("logged");
  });
});
