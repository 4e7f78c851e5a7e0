/**
 * Verification cost per signature, by format, against a reference measured
 * in the same run on the same bytes: the signature maths alone (one
 * node:crypto verify of the envelope's signature with the signer's key),
 * which any verifier must pay. The ratio is what the checks around it cost
 * (parsing, chain rules, trust policy, timestamps, logs).
 */
import { createHash, verify as cryptoVerify, constants, type KeyObject } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { PushTarget } from "../support/layout";
import { pushImage, pushReferrer } from "../support/artifacts";
import { issueCertificate } from "@/lib/verification/issue-certificate";
import { parseEnvelope } from "@/lib/verification/notary/envelope";
import { signCose, signJws } from "@/lib/verification/notary/sign";
import { parseTrustPolicy } from "@/lib/verification/notary/trust-policy";
import { loadTrustStores, MemoryTrustStores } from "@/lib/verification/notary/trust-store";
import { verifyNotarySignature, type NotaryTrust } from "@/lib/verification/notary/verify";
import { verifyCosignLayer } from "@/lib/verification/cosign/verify-legacy";
import { parsePublicKey, parseTrustedRoot } from "@/lib/verification/sigstore/trust";
import { verifySigstoreBundle } from "@/lib/verification/sigstore/verify-bundle";
import { EKU, parseCertificates } from "@/lib/verification/x509";
import { FIXTURES } from "../support/fixtures";

export interface FormatCost {
  format: string;
  /** Median milliseconds of one full verification. */
  verifyMs: number;
  /** Median milliseconds of the signature maths alone. */
  referenceMs: number;
  verdict: string;
}

const V = join(FIXTURES, "verification");

async function median(fn: () => unknown | Promise<unknown>, runs: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(times.length / 2)] * 1000) / 1000;
}

const pss = (hash: string, key: KeyObject, data: Uint8Array, sig: Uint8Array) => cryptoVerify(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, sig);

export async function measureFormats(runs = 50): Promise<FormatCost[]> {
  const out: FormatCost[] = [];
  const name = (cn: string): [string, string][] => [["C", "US"], ["ST", "WA"], ["O", "Bench"], ["CN", cn]];
  const root = await issueCertificate({ subject: name("Bench Root"), ca: true, keyUsage: ["keyCertSign"] });
  const leaf = await issueCertificate({ subject: name("Bench Signer"), issuer: root, ca: false, keyUsage: ["digitalSignature"], extendedKeyUsage: [EKU.codeSigning] });
  const subject = { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: `sha256:${"ab".repeat(32)}`, size: 1000 };
  const trust: NotaryTrust = {
    policy: parseTrustPolicy({ version: "1.0", trustPolicies: [{ name: "b", registryScopes: ["*"], signatureVerification: { level: "strict" }, trustStores: ["ca:b"], trustedIdentities: ["*"] }] }),
    stores: new MemoryTrustStores().add("ca", "b", [root.certificate]),
    crls: () => undefined,
  };
  for (const [format, mediaType, bytes] of [
    ["Notary JWS (CA + leaf, RSA 2048)", "application/jose+json", signJws({ subject, chain: [leaf.der, root.der], privateKey: leaf.privateKey, alg: "PS256" })],
    ["Notary COSE (CA + leaf, RSA 2048)", "application/cose", signCose({ subject, chain: [leaf.der, root.der], privateKey: leaf.privateKey, alg: "PS256" })],
  ] as const) {
    const env = parseEnvelope(mediaType, bytes);
    const verifyMs = await median(() => verifyNotarySignature({ envelopeMediaType: mediaType, envelope: bytes, subject, scope: "b/x", trust, now: new Date() }), runs);
    const referenceMs = await median(() => pss("sha256", leaf.publicKey, env.signingInput, env.signature), runs);
    const r = await verifyNotarySignature({ envelopeMediaType: mediaType, envelope: bytes, subject, scope: "b/x", trust, now: new Date() });
    out.push({ format, verifyMs, referenceMs, verdict: r.verdict });
  }
  // notation-go's GlobalSign-timestamped JWS: the RFC 3161 token and its chain on top.
  {
    const G = join(V, "notation-go");
    const bytes = new Uint8Array(readFileSync(join(G, "verifier/testdata/timestamp/sigEnv/jwsWithTimestamp.sig")));
    const t: NotaryTrust = { policy: parseTrustPolicy(readFileSync(join(G, "trustpolicy.transcribed.json"), "utf8")), stores: loadTrustStores(join(G, "verifier/testdata/truststore")), crls: () => undefined };
    const s = { mediaType: "application/vnd.docker.distribution.manifest.v2+json", digest: "sha256:c0669ef34cdc14332c0f1ab0c2c01acb91d96014b172f1a76f3a39e63d1f0bda", size: 528 };
    const env = parseEnvelope("application/jose+json", bytes);
    const key = parseCertificates(`-----BEGIN CERTIFICATE-----\n${Buffer.from(env.certificates[0]).toString("base64")}\n-----END CERTIFICATE-----`)[0].publicKey;
    const verifyMs = await median(() => verifyNotarySignature({ envelopeMediaType: "application/jose+json", envelope: bytes, subject: s, scope: "x/y", trust: t, now: new Date() }), runs);
    const referenceMs = await median(() => pss("sha256", key, env.signingInput, env.signature), runs);
    const r = await verifyNotarySignature({ envelopeMediaType: "application/jose+json", envelope: bytes, subject: s, scope: "x/y", trust: t, now: new Date() });
    out.push({ format: "Notary JWS + RFC 3161 timestamp (notation-go)", verifyMs, referenceMs, verdict: r.verdict });
  }
  // containers/image cosign signatures: a key signature, and a keyless one with its Rekor entry.
  const layerOf = (file: string) => {
    const raw = readFileSync(join(V, "containers-image", file));
    const json = JSON.parse(raw.subarray(raw.indexOf(0x0a) + 1).toString("utf8"));
    return { mediaType: json.mimeType, payload: new Uint8Array(Buffer.from(json.payload, "base64")), annotations: json.annotations ?? {} };
  };
  const digestOf = (file: string) => `sha256:${createHash("sha256").update(readFileSync(join(V, "containers-image", file))).digest("hex")}`;
  {
    const layer = layerOf("dir-img-cosign-valid/signature-1");
    const key = parsePublicKey(readFileSync(join(V, "containers-image/cosign.pub"), "utf8"), "cosign.pub");
    const trust = { keys: [{ name: "k", publicKey: key, scopes: ["*"] }], identities: [] };
    const input = { layer, subjectDigest: digestOf("dir-img-cosign-valid/manifest.json"), scope: "x/y", trust };
    const sig = Buffer.from(layer.annotations["dev.cosignproject.cosign/signature"], "base64");
    out.push({ format: "cosign, key (simple signing)", verifyMs: await median(() => verifyCosignLayer(input), runs), referenceMs: await median(() => cryptoVerify("sha256", layer.payload, key, sig), runs), verdict: verifyCosignLayer(input).verdict });
  }
  const publicGood = parseTrustedRoot(readFileSync(join(V, "sigstore-js/trusted_root.public-good.json"), "utf8"));
  {
    const layer = layerOf("dir-img-cosign-fulcio-rekor-valid/signature-1");
    const trust = { trustedRoot: publicGood, keys: [], identities: [{ name: "m", subject: "mitr@redhat.com", issuer: "https://github.com/login/oauth", scopes: ["*"] }] };
    const input = { layer, subjectDigest: digestOf("dir-img-cosign-fulcio-rekor-valid/manifest.json"), scope: "x/y", trust };
    const key = parseCertificates(layer.annotations["dev.sigstore.cosign/certificate"])[0].publicKey;
    const sig = Buffer.from(layer.annotations["dev.cosignproject.cosign/signature"], "base64");
    out.push({ format: "cosign, keyless + Rekor SET (Fulcio chain, SCT)", verifyMs: await median(() => verifyCosignLayer(input), runs), referenceMs: await median(() => cryptoVerify("sha256", layer.payload, key, sig), runs), verdict: verifyCosignLayer(input).verdict });
  }
  {
    const C = join(V, "sigstore-conformance/bundle-verify");
    const bundle = new Uint8Array(readFileSync(join(C, "happy-path-v0.3/bundle.sigstore.json")));
    const artifact = new Uint8Array(readFileSync(join(C, "a.txt")));
    const json = JSON.parse(Buffer.from(bundle).toString());
    const trust = { trustedRoot: publicGood, keys: [], identities: [{ name: "c", subject: "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main", issuer: "https://token.actions.githubusercontent.com", scopes: ["*"] }] };
    const input = { bundle, artifact, subjectDigest: `sha256:${createHash("sha256").update(artifact).digest("hex")}`, scope: "x/y", trust };
    const cert = parseCertificates(`-----BEGIN CERTIFICATE-----\n${json.verificationMaterial.certificate.rawBytes}\n-----END CERTIFICATE-----`)[0];
    const sig = Buffer.from(json.messageSignature.signature, "base64");
    out.push({ format: "Sigstore bundle v0.3, keyless (conformance happy path)", verifyMs: await median(() => verifySigstoreBundle(input), runs), referenceMs: await median(() => cryptoVerify("sha256", artifact, cert.publicKey, sig), runs), verdict: verifySigstoreBundle(input).verdict });
  }
  return out;
}

export interface SignedRepository {
  repository: string;
  tags: string[];
  trustDir: string;
}

/** 100 tags, each with a Notary JWS signature by a bench CA (pushed with referrers tags: Distribution has no referrers API). */
export async function pushSignedRepository(target: PushTarget, dir: string, count = 100): Promise<SignedRepository> {
  const name = (cn: string): [string, string][] => [["C", "US"], ["ST", "WA"], ["O", "Bench"], ["CN", cn]];
  const root = await issueCertificate({ subject: name("Bench Root"), ca: true, keyUsage: ["keyCertSign"] });
  const leaf = await issueCertificate({ subject: name("Bench Signer"), issuer: root, ca: false, keyUsage: ["digitalSignature"], extendedKeyUsage: [EKU.codeSigning] });
  const repository = "bench/signed";
  const tags: string[] = [];
  for (let i = 0; i < count; i++) {
    const tag = `v${i}`;
    const image = await pushImage(target, repository, tag, { created: `2026-01-01T00:${String(i % 60).padStart(2, "0")}:00Z` });
    const bytes = signJws({ subject: { mediaType: image.mediaType, digest: image.digest, size: image.bytes.length }, chain: [leaf.der, root.der], privateKey: leaf.privateKey, alg: "PS256" });
    await pushReferrer(target, repository, image, { artifactType: "application/vnd.cncf.notary.signature", content: { mediaType: "application/jose+json", bytes: Buffer.from(bytes) } });
    tags.push(tag);
  }
  mkdirSync(join(dir, "truststore", "x509", "ca", "bench"), { recursive: true });
  writeFileSync(join(dir, "truststore", "x509", "ca", "bench", "root.crt"), root.pem);
  writeFileSync(
    join(dir, "trustpolicy.json"),
    JSON.stringify({ version: "1.0", trustPolicies: [{ name: "bench", registryScopes: ["*"], signatureVerification: { level: "strict" }, trustStores: ["ca:bench"], trustedIdentities: ["*"] }] }),
  );
  return { repository, tags, trustDir: dir };
}

export function renderFormats(costs: FormatCost[]): string {
  return [
    "Verification per signature, in process (median of 50; no results cache): the full verification against the reference measured on the same bytes in the same run, the signature maths alone (one node:crypto verify with the signer's key).",
    "",
    "| format | verdict | full verification | signature maths alone (reference) | ratio |",
    "|---|---|---|---|---|",
    ...costs.map((c) => `| ${c.format} | ${c.verdict} | ${c.verifyMs} ms | ${c.referenceMs} ms | ${(c.verifyMs / Math.max(c.referenceMs, 0.001)).toFixed(1)}× |`),
  ].join("\n");
}
