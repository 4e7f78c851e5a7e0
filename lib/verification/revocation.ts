import * as pkijs from "pkijs";
import type { Certificate } from "./x509";

/**
 * Revocation from CRLs the user supplies, keyed by the distribution point URL
 * a certificate names. Chainsight never fetches a CRL or asks an OCSP
 * responder: a certificate that names a distribution point we hold no CRL for
 * is "unknown", which the trust policy decides about.
 */

export type RevocationStatus = "good" | "revoked" | "unknown" | "not-revocable";

export interface RevocationResult {
  status: RevocationStatus;
  reason: string;
}

/** CRL bytes (DER or PEM) by distribution point URL. */
export type CrlSource = (url: string) => Uint8Array | undefined;

/** Checks every certificate of a chain (leaf first, root last) against its issuer's CRL. */
export async function checkRevocation(chain: readonly Certificate[], crls: CrlSource, now: Date): Promise<RevocationResult> {
  const checked: string[] = [];
  for (let i = 0; i < chain.length - 1; i++) {
    const cert = chain[i];
    const issuer = chain[i + 1];
    if (cert.crlDistributionPoints.length === 0) continue;
    const r = await checkOne(cert, issuer, crls, now);
    if (r.status === "revoked" || r.status === "unknown") return r;
    checked.push(r.url ?? "");
  }
  return checked.length > 0
    ? { status: "good", reason: `no certificate of the chain is revoked (checked against the CRLs of ${checked.join(", ")})` }
    : { status: "not-revocable", reason: "the certificates name no CRL distribution point, so there is nothing to check" };
}

async function checkOne(cert: Certificate, issuer: Certificate, crls: CrlSource, now: Date): Promise<RevocationResult & { url?: string }> {
  const problems: string[] = [];
  for (const url of cert.crlDistributionPoints) {
    const bytes = crls(url);
    if (!bytes) {
      problems.push(`no CRL was supplied for ${url}`);
      continue;
    }
    let crl: pkijs.CertificateRevocationList;
    try {
      crl = pkijs.CertificateRevocationList.fromBER(derOf(bytes));
    } catch {
      problems.push(`the CRL supplied for ${url} cannot be read`);
      continue;
    }
    const issuerPki = pkijs.Certificate.fromBER(Uint8Array.from(issuer.der));
    let signedByIssuer = false;
    try {
      signedByIssuer = crl.issuer.isEqual(issuerPki.subject) && (await crl.verify({ issuerCertificate: issuerPki }));
    } catch {
      signedByIssuer = false;
    }
    if (!signedByIssuer) {
      problems.push(`the CRL supplied for ${url} is not signed by the certificate's issuer ${issuer.subject}`);
      continue;
    }
    const next = crl.nextUpdate?.value;
    if (next && next.getTime() < now.getTime()) {
      problems.push(`the CRL supplied for ${url} expired on ${next.toISOString()}`);
      continue;
    }
    const serial = cert.serialNumber.replace(/^0+/, "");
    const entry = (crl.revokedCertificates ?? []).find((r) => Buffer.from(r.userCertificate.valueBlock.valueHexView).toString("hex").replace(/^0+/, "") === serial);
    if (entry) {
      return { status: "revoked", reason: `certificate ${cert.subject} (serial ${cert.serialNumber}) was revoked on ${entry.revocationDate.value.toISOString()} (CRL ${url})` };
    }
    return { status: "good", reason: `certificate ${cert.subject} is not in the CRL of ${url}`, url };
  }
  return { status: "unknown", reason: `the revocation status of ${cert.subject} is unknown: ${problems.join("; ")}` };
}

function derOf(bytes: Uint8Array): ArrayBuffer {
  const text = Buffer.from(bytes.subarray(0, 64)).toString("latin1");
  if (text.includes("-----BEGIN")) {
    const m = /-----BEGIN X509 CRL-----([\s\S]*?)-----END X509 CRL-----/.exec(Buffer.from(bytes).toString("latin1"));
    if (m) return Uint8Array.from(Buffer.from(m[1].replace(/\s+/g, ""), "base64")).buffer;
  }
  return Uint8Array.from(bytes).buffer;
}
