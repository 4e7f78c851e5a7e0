import { generateKeyPairSync, sign as cryptoSign, type KeyObject } from "node:crypto";
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Descriptor } from "../oci/schemas";
import { issueCertificate, type IssuedCertificate } from "../verification/issue-certificate";
import { signCose, signJws } from "../verification/notary/sign";
import { EKU } from "../verification/x509";

/**
 * The demo's signing material, made when the demo store is written: a
 * "Wabbit Networks" CA and signing leaf (trusted), an "Unknown Org" CA and
 * leaf (not trusted), a cosign key pair, and the files that trust them
 * (notation trust store and trust policy, cosign.pub). Private keys stay in
 * memory: the demo signs once and forgets them.
 */

export interface DemoSigners {
  trusted: { root: IssuedCertificate; leaf: IssuedCertificate };
  untrusted: { root: IssuedCertificate; leaf: IssuedCertificate };
  cosign: { privateKey: KeyObject; publicPem: string };
}

const name = (org: string, cn: string): [string, string][] => [["C", "US"], ["ST", "WA"], ["L", "Seattle"], ["O", org], ["CN", cn]];

export async function makeDemoSigners(): Promise<DemoSigners> {
  const root = await issueCertificate({ subject: name("Wabbit Networks", "Wabbit Networks Root CA"), ca: true, pathLength: 0, keyUsage: ["keyCertSign", "cRLSign"], notAfter: new Date(Date.now() + 10 * 365 * 86_400_000) });
  const leaf = await issueCertificate({ subject: name("Wabbit Networks", "wabbit-networks.io release signing"), issuer: root, ca: false, keyUsage: ["digitalSignature"], extendedKeyUsage: [EKU.codeSigning], notAfter: new Date(Date.now() + 5 * 365 * 86_400_000) });
  const otherRoot = await issueCertificate({ subject: name("Unknown Org", "Unknown Org Root CA"), ca: true, keyUsage: ["keyCertSign", "cRLSign"] });
  const otherLeaf = await issueCertificate({ subject: name("Unknown Org", "someone"), issuer: otherRoot, ca: false, keyUsage: ["digitalSignature"], extendedKeyUsage: [EKU.codeSigning] });
  const pair = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return {
    trusted: { root, leaf },
    untrusted: { root: otherRoot, leaf: otherLeaf },
    cosign: { privateKey: pair.privateKey, publicPem: pair.publicKey.export({ type: "spki", format: "pem" }).toString() },
  };
}

export type NotaryVariant = "jws" | "cose" | "tampered" | "untrusted" | "expired";

/** A Notary envelope over `subject`: well signed, or one of the failures the demo shows. */
export function notaryEnvelope(s: DemoSigners, subject: Descriptor, signedAt: string, variant: NotaryVariant): { bytes: Uint8Array; mediaType: string } {
  const target = { mediaType: subject.mediaType, digest: subject.digest, size: subject.size };
  const signer = variant === "untrusted" ? s.untrusted : s.trusted;
  const base = { subject: target, chain: [signer.leaf.der, signer.root.der], privateKey: signer.leaf.privateKey, alg: "PS256" as const, signingTime: new Date(signedAt), signingAgent: "chainsight demo (notation-compatible)" };
  if (variant === "cose") return { bytes: signCose(base), mediaType: "application/cose" };
  if (variant === "expired") return { bytes: signJws({ ...base, expiry: new Date(Date.parse(signedAt) + 30 * 86_400_000) }), mediaType: "application/jose+json" };
  const bytes = signJws(base);
  if (variant !== "tampered") return { bytes, mediaType: "application/jose+json" };
  // Changed after signing: the payload now claims a different size; the signature no longer matches.
  const env = JSON.parse(Buffer.from(bytes).toString("utf8"));
  env.payload = Buffer.from(JSON.stringify({ targetArtifact: { ...target, size: target.size + 1 } })).toString("base64url");
  return { bytes: new TextEncoder().encode(JSON.stringify(env)), mediaType: "application/jose+json" };
}

/** cosign's simple-signing payload and its ECDSA signature (cosign sign --key, without Rekor). */
export function cosignSignature(s: DemoSigners, subject: Descriptor, reference: string, created: string): { payload: string; signature: string } {
  const payload = JSON.stringify({ critical: { identity: { "docker-reference": reference }, image: { "docker-manifest-digest": subject.digest }, type: "cosign container image signature" }, optional: { created } });
  return { payload, signature: cryptoSign("sha256", Buffer.from(payload), s.cosign.privateKey).toString("base64") };
}

/** A DSSE envelope signed with the demo's cosign key (cosign attest --key, without Rekor). */
export function signDsse(s: DemoSigners, payloadType: string, payload: string): string {
  const body = Buffer.from(payload);
  const pae = Buffer.concat([Buffer.from(`DSSEv1 ${Buffer.byteLength(payloadType)} ${payloadType} ${body.length} `), body]);
  const sig = cryptoSign("sha256", pae, s.cosign.privateKey).toString("base64");
  return JSON.stringify({ payloadType, payload: body.toString("base64"), signatures: [{ keyid: "", sig }] });
}

/**
 * The trust files: a notation trust store (ca:wabbit-networks with the demo
 * root; ca:notation-e2e with the notation fixtures' e2e.crt), a trust policy
 * scoping each store to its repositories, and cosign.pub.
 */
export function writeDemoTrust(dir: string, s: DemoSigners, opts: { e2eCertificate: string; netMonitor: string[]; team: string[]; notationFixtures: string[] }): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "truststore", "x509", "ca", "wabbit-networks"), { recursive: true });
  mkdirSync(join(dir, "truststore", "x509", "ca", "notation-e2e"), { recursive: true });
  writeFileSync(join(dir, "truststore", "x509", "ca", "wabbit-networks", "wabbit-networks-root.crt"), s.trusted.root.pem);
  copyFileSync(opts.e2eCertificate, join(dir, "truststore", "x509", "ca", "notation-e2e", "e2e.crt"));
  writeFileSync(join(dir, "cosign.pub"), s.cosign.publicPem);
  const policy = {
    version: "1.0",
    trustPolicies: [
      {
        name: "wabbit-networks-images",
        registryScopes: [...opts.netMonitor, ...opts.team].map((r) => `local/${r}`),
        signatureVerification: { level: "strict" },
        trustStores: ["ca:wabbit-networks"],
        trustedIdentities: ["x509.subject: C=US, ST=WA, L=Seattle, O=Wabbit Networks"],
      },
      {
        name: "notation-e2e-fixtures",
        registryScopes: opts.notationFixtures.map((r) => `local/${r}`),
        signatureVerification: { level: "strict" },
        trustStores: ["ca:notation-e2e"],
        trustedIdentities: ["*"],
      },
    ],
  };
  writeFileSync(join(dir, "trustpolicy.json"), `${JSON.stringify(policy, null, 2)}\n`);
}
