import { createHash, X509Certificate, type KeyObject } from "node:crypto";
import * as pkijs from "pkijs";

/**
 * X.509 certificates as plain values: what the verifiers need to know of a
 * certificate (names, validity, key, the extensions that carry rules), read
 * once. node:crypto does the signature maths; pkijs reads the extensions
 * node:crypto does not expose.
 */

export const KEY_USAGE_BITS = ["digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment", "keyAgreement", "keyCertSign", "cRLSign", "encipherOnly", "decipherOnly"] as const;
export type KeyUsage = (typeof KEY_USAGE_BITS)[number];

export const EKU = {
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
  codeSigning: "1.3.6.1.5.5.7.3.3",
  emailProtection: "1.3.6.1.5.5.7.3.4",
  timeStamping: "1.3.6.1.5.5.7.3.8",
  ocspSigning: "1.3.6.1.5.5.7.3.9",
  any: "2.5.29.37.0",
} as const;

export interface Certificate {
  der: Uint8Array;
  /** RFC 4514 order (most specific first), e.g. "CN=e2e, O=Notary, L=Seattle, ST=WA, C=US". */
  subject: string;
  issuer: string;
  /** Subject attributes in certificate order, e.g. [["C","US"], …, ["CN","e2e"]]. */
  subjectAttributes: [string, string][];
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  /** Basic constraints: undefined when the extension is absent. */
  basicConstraints?: { ca: boolean; pathLength?: number; critical: boolean };
  keyUsage?: { usages: Set<KeyUsage>; critical: boolean };
  extendedKeyUsage?: string[];
  /** URIs of CRL distribution points. */
  crlDistributionPoints: string[];
  authorityKeyId?: string;
  subjectKeyId?: string;
  /** Subject alternative names as text (URIs, e-mails, DNS names). */
  subjectAltNames: string[];
  /** Critical extensions this module does not understand (RFC 5280: such a certificate must be rejected). */
  unknownCriticalExtensions: string[];
  publicKey: KeyObject;
  keyType: "rsa" | "rsa-pss" | "ec" | "ed25519" | "other";
  /** RSA modulus length in bits, or EC curve size (256, 384, 521). */
  keySize?: number;
  sha256: string;
  /** Extensions by OID, raw, for issuer-specific data (Fulcio). */
  extensionValues: Map<string, Uint8Array>;
  node: X509Certificate;
}

const UNDERSTOOD_CRITICAL = new Set(["2.5.29.15", "2.5.29.19", "2.5.29.37", "2.5.29.17", "2.5.29.32", "2.5.29.30", "2.5.29.36", "2.5.29.54", "2.5.29.35", "2.5.29.14"]);
const CURVE_SIZES: Record<string, number> = { prime256v1: 256, "P-256": 256, secp384r1: 384, "P-384": 384, secp521r1: 521, "P-521": 521 };

export class CertificateError extends Error {}

const cache = new Map<string, Certificate>();

/** Parses a DER certificate; throws CertificateError naming what is wrong. */
export function parseCertificate(der: Uint8Array): Certificate {
  const sha256 = createHash("sha256").update(der).digest("hex");
  const cached = cache.get(sha256);
  if (cached) return cached;
  let node: X509Certificate;
  let pki: pkijs.Certificate;
  try {
    node = new X509Certificate(der);
    pki = pkijs.Certificate.fromBER(Uint8Array.from(der));
  } catch (err) {
    throw new CertificateError(`not a DER X.509 certificate (${(err as Error).message.slice(0, 120)})`);
  }
  const subjectAttributes = dnAttributes(node.subject);
  const cert: Certificate = {
    der,
    subject: formatDn(subjectAttributes),
    issuer: formatDn(dnAttributes(node.issuer)),
    subjectAttributes,
    serialNumber: node.serialNumber.toLowerCase(),
    notBefore: pki.notBefore.value,
    notAfter: pki.notAfter.value,
    crlDistributionPoints: [],
    subjectAltNames: [],
    unknownCriticalExtensions: [],
    publicKey: node.publicKey,
    keyType: keyTypeOf(node.publicKey),
    keySize: keySizeOf(node.publicKey),
    sha256,
    extensionValues: new Map(),
    node,
  };
  for (const ext of pki.extensions ?? []) {
    cert.extensionValues.set(ext.extnID, ext.extnValue.valueBlock.valueHexView);
    if (ext.critical && !UNDERSTOOD_CRITICAL.has(ext.extnID)) cert.unknownCriticalExtensions.push(ext.extnID);
    const v = ext.parsedValue as unknown;
    switch (ext.extnID) {
      case "2.5.29.19": {
        const bc = v as pkijs.BasicConstraints;
        const pathLength = typeof bc.pathLenConstraint === "number" ? bc.pathLenConstraint : bc.pathLenConstraint?.valueBlock.valueDec;
        cert.basicConstraints = { ca: bc.cA === true, pathLength, critical: ext.critical };
        break;
      }
      case "2.5.29.15": {
        const bits = (v as { valueBlock: { valueHexView: Uint8Array } }).valueBlock.valueHexView;
        const usages = new Set<KeyUsage>();
        KEY_USAGE_BITS.forEach((name, i) => {
          if (((bits[i >> 3] ?? 0) & (0x80 >> (i & 7))) !== 0) usages.add(name);
        });
        cert.keyUsage = { usages, critical: ext.critical };
        break;
      }
      case "2.5.29.37":
        cert.extendedKeyUsage = [...((v as pkijs.ExtKeyUsage).keyPurposes ?? [])];
        break;
      case "2.5.29.31":
        for (const dp of (v as pkijs.CRLDistributionPoints).distributionPoints ?? []) {
          const names = Array.isArray(dp.distributionPoint) ? dp.distributionPoint : [];
          for (const n of names) if (n.type === 6 && typeof n.value === "string") cert.crlDistributionPoints.push(n.value);
        }
        break;
      case "2.5.29.35": {
        const kid = (v as pkijs.AuthorityKeyIdentifier).keyIdentifier;
        if (kid) cert.authorityKeyId = Buffer.from(kid.valueBlock.valueHexView).toString("hex");
        break;
      }
      case "2.5.29.14":
        cert.subjectKeyId = Buffer.from((v as { valueBlock: { valueHexView: Uint8Array } }).valueBlock.valueHexView).toString("hex");
        break;
      case "2.5.29.17":
        for (const n of (v as pkijs.AltName).altNames ?? []) if (typeof n.value === "string") cert.subjectAltNames.push(n.value);
        break;
    }
  }
  if (cache.size > 2000) cache.clear();
  cache.set(sha256, cert);
  return cert;
}

/** Certificates of a PEM text (any number), or of one DER file. */
export function parseCertificates(data: Uint8Array | string): Certificate[] {
  const text = typeof data === "string" ? data : looksLikePem(data) ? Buffer.from(data).toString("latin1") : undefined;
  if (text === undefined) return [parseCertificate(data as Uint8Array)];
  const blocks = [...text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)];
  if (blocks.length === 0) throw new CertificateError("no PEM certificate (-----BEGIN CERTIFICATE-----) in the text");
  return blocks.map((m) => parseCertificate(new Uint8Array(Buffer.from(m[1].replace(/\s+/g, ""), "base64"))));
}

function looksLikePem(data: Uint8Array): boolean {
  return Buffer.from(data.subarray(0, 512)).toString("latin1").includes("-----BEGIN");
}

/**
 * Is `child` signed by `parent` (names chain and the signature verifies)?
 * Not X509Certificate.checkIssued: it also refuses a parent without
 * keyCertSign, which would call a self-signed leaf "not self-signed"; the
 * verifiers check key usage as a rule of their own.
 */
export function isIssuedBy(child: Certificate, parent: Certificate): boolean {
  try {
    return child.node.issuer === parent.node.subject && child.node.verify(parent.publicKey);
  } catch {
    return false;
  }
}

export function isSelfSigned(cert: Certificate): boolean {
  return isIssuedBy(cert, cert);
}

export function sameCertificate(a: Certificate, b: Certificate): boolean {
  return a.sha256 === b.sha256;
}

export function isValidAt(cert: Certificate, time: Date): boolean {
  return time.getTime() >= cert.notBefore.getTime() && time.getTime() <= cert.notAfter.getTime();
}

/**
 * Attributes of node:crypto's DN text ("C=US\nST=WA\nCN=x"). Values with a
 * newline come escaped by OpenSSL, so splitting on newlines is safe.
 */
export function dnAttributes(text: string | undefined): [string, string][] {
  // A Fulcio certificate has an empty subject, for which node:crypto gives undefined.
  return (text ?? "")
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => {
      const i = l.indexOf("=");
      return [normalizeAttributeType(l.slice(0, i)), l.slice(i + 1)] as [string, string];
    });
}

export function formatDn(attributes: readonly [string, string][]): string {
  return [...attributes]
    .reverse()
    .map(([k, v]) => `${k}=${v.replace(/([,+"\\<>;])/g, "\\$1")}`)
    .join(", ");
}

/** "S" and "ST" are the same attribute (state); types compare upper-case. */
export function normalizeAttributeType(type: string): string {
  const t = type.trim().toUpperCase();
  return t === "S" ? "ST" : t;
}


function keyTypeOf(key: KeyObject): Certificate["keyType"] {
  const t = key.asymmetricKeyType;
  return t === "rsa" || t === "rsa-pss" || t === "ec" || t === "ed25519" ? t : "other";
}

function keySizeOf(key: KeyObject): number | undefined {
  const d = key.asymmetricKeyDetails;
  if (!d) return undefined;
  if (d.modulusLength) return d.modulusLength;
  if (d.namedCurve) return CURVE_SIZES[d.namedCurve];
  return undefined;
}
