import { generateKeyPairSync, randomBytes, webcrypto, type KeyObject } from "node:crypto";
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { KEY_USAGE_BITS, parseCertificate, type Certificate, type KeyUsage } from "./x509";

/**
 * Issues X.509 certificates with keys made on the spot: the demo's signing
 * CA and leaf, and the tests' signers for the failures real fixtures lack (a
 * leaf that is a CA, a key of the wrong size …). Never used to verify.
 */

export type KeySpec = "rsa-2048" | "rsa-3072" | "rsa-4096" | "ec-p256" | "ec-p384" | "ec-p521";

export interface IssuedCertificate {
  certificate: Certificate;
  der: Uint8Array;
  privateKey: KeyObject;
  publicKey: KeyObject;
  key: KeySpec;
  pem: string;
}

export interface IssueOptions {
  /** Attributes in certificate order, e.g. [["C","US"],["ST","WA"],["O","Acme"],["CN","signer"]]. */
  subject: [string, string][];
  /** Signs the new certificate; self-signed when absent. */
  issuer?: IssuedCertificate;
  key?: KeySpec;
  /** Basic constraints: absent, or CA true / false. */
  ca?: boolean;
  pathLength?: number;
  keyUsage?: KeyUsage[];
  extendedKeyUsage?: string[];
  notBefore?: Date;
  notAfter?: Date;
  crlDistributionPoints?: string[];
}

const ATTRIBUTE_OIDS: Record<string, string> = { C: "2.5.4.6", ST: "2.5.4.8", L: "2.5.4.7", O: "2.5.4.10", OU: "2.5.4.11", CN: "2.5.4.3" };

export async function issueCertificate(options: IssueOptions): Promise<IssuedCertificate> {
  const key = options.key ?? "rsa-2048";
  const pair = key.startsWith("rsa")
    ? generateKeyPairSync("rsa", { modulusLength: Number(key.slice(4)) })
    : generateKeyPairSync("ec", { namedCurve: { "ec-p256": "P-256", "ec-p384": "P-384", "ec-p521": "P-521" }[key as "ec-p256"] });
  const cert = new pkijs.Certificate();
  cert.version = 2;
  cert.serialNumber = new asn1js.Integer({ valueHex: Uint8Array.from([0x01, ...randomBytes(15)]).buffer });
  cert.subject = nameOf(options.subject);
  cert.issuer = nameOf(options.issuer ? options.issuer.certificate.subjectAttributes : options.subject);
  cert.notBefore.value = options.notBefore ?? new Date(Date.now() - 60_000);
  cert.notAfter.value = options.notAfter ?? new Date(Date.now() + 365 * 86_400_000);
  const spki = pair.publicKey.export({ type: "spki", format: "der" });
  cert.subjectPublicKeyInfo.fromSchema(asn1js.fromBER(Uint8Array.from(spki)).result);
  const extensions: pkijs.Extension[] = [];
  if (options.ca !== undefined) {
    extensions.push(extension("2.5.29.19", true, new pkijs.BasicConstraints({ cA: options.ca, ...(options.pathLength !== undefined ? { pathLenConstraint: options.pathLength } : {}) }).toSchema()));
  }
  if (options.keyUsage) {
    const bytes = new Uint8Array(2);
    for (const u of options.keyUsage) {
      const i = KEY_USAGE_BITS.indexOf(u);
      bytes[i >> 3] |= 0x80 >> (i & 7);
    }
    const used = bytes[1] === 0 ? bytes.subarray(0, 1) : bytes;
    extensions.push(extension("2.5.29.15", true, new asn1js.BitString({ valueHex: Uint8Array.from(used).buffer, unusedBits: 0 })));
  }
  if (options.extendedKeyUsage) extensions.push(extension("2.5.29.37", false, new pkijs.ExtKeyUsage({ keyPurposes: options.extendedKeyUsage }).toSchema()));
  if (options.crlDistributionPoints?.length) {
    extensions.push(
      extension(
        "2.5.29.31",
        false,
        new pkijs.CRLDistributionPoints({
          distributionPoints: options.crlDistributionPoints.map((uri) => new pkijs.DistributionPoint({ distributionPoint: [new pkijs.GeneralName({ type: 6, value: uri })] })),
        }).toSchema(),
      ),
    );
  }
  if (extensions.length > 0) cert.extensions = extensions;
  const signer = options.issuer ?? { privateKey: pair.privateKey, key };
  await cert.sign(await toCryptoKey(signer.privateKey, signer.key), hashFor(signer.key));
  const der = new Uint8Array(cert.toSchema(true).toBER(false));
  return {
    certificate: parseCertificate(der),
    der,
    privateKey: pair.privateKey,
    publicKey: pair.publicKey,
    key,
    pem: `-----BEGIN CERTIFICATE-----\n${Buffer.from(der).toString("base64").replace(/.{64}/g, "$&\n").replace(/\n$/, "")}\n-----END CERTIFICATE-----\n`,
  };
}

function extension(extnID: string, critical: boolean, value: asn1js.BaseBlock): pkijs.Extension {
  return new pkijs.Extension({ extnID, critical, extnValue: value.toBER(false) });
}

/** One attribute per RDN (pkijs would put them all in one multi-valued RDN). */
function nameOf(attributes: readonly [string, string][]): pkijs.RelativeDistinguishedNames {
  const rdns = attributes.map(([type, value]) => {
    const oid = ATTRIBUTE_OIDS[type];
    if (!oid) throw new Error(`unknown name attribute ${type}`);
    const atv = new pkijs.AttributeTypeAndValue({ type: oid, value: type === "C" ? new asn1js.PrintableString({ value }) : new asn1js.Utf8String({ value }) });
    return new asn1js.Set({ value: [atv.toSchema()] });
  });
  return pkijs.RelativeDistinguishedNames.fromBER(new asn1js.Sequence({ value: rdns }).toBER(false));
}

function hashFor(key: KeySpec): string {
  return key === "ec-p384" || key === "rsa-3072" ? "SHA-384" : key === "ec-p521" || key === "rsa-4096" ? "SHA-512" : "SHA-256";
}

async function toCryptoKey(privateKey: KeyObject, key: KeySpec): Promise<CryptoKey> {
  const pkcs8 = privateKey.export({ type: "pkcs8", format: "der" });
  const algorithm = key.startsWith("rsa")
    ? { name: "RSASSA-PKCS1-v1_5", hash: hashFor(key) }
    : { name: "ECDSA", namedCurve: { "ec-p256": "P-256", "ec-p384": "P-384", "ec-p521": "P-521" }[key as "ec-p256"] };
  return webcrypto.subtle.importKey("pkcs8", pkcs8, algorithm, false, ["sign"]) as Promise<CryptoKey>;
}

/** A CRL signed by `issuer` listing `revoked` serials (hex), for revocation tests. */
export async function issueCrl(issuer: IssuedCertificate, revoked: { serial: string; date: Date }[], opts: { thisUpdate?: Date; nextUpdate?: Date } = {}): Promise<Uint8Array> {
  const crl = new pkijs.CertificateRevocationList();
  crl.version = 1;
  crl.issuer = nameOf(issuer.certificate.subjectAttributes);
  crl.thisUpdate = new pkijs.Time({ type: 0, value: opts.thisUpdate ?? new Date(Date.now() - 60_000) });
  crl.nextUpdate = new pkijs.Time({ type: 0, value: opts.nextUpdate ?? new Date(Date.now() + 7 * 86_400_000) });
  if (revoked.length > 0) {
    crl.revokedCertificates = revoked.map(
      (r) => new pkijs.RevokedCertificate({ userCertificate: new asn1js.Integer({ valueHex: Uint8Array.from(Buffer.from(r.serial, "hex")).buffer }), revocationDate: new pkijs.Time({ type: 0, value: r.date }) }),
    );
  }
  await crl.sign(await toCryptoKey(issuer.privateKey, issuer.key), hashFor(issuer.key));
  return new Uint8Array(crl.toSchema(true).toBER(false));
}
