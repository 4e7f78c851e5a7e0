import { createHash } from "node:crypto";
import * as pkijs from "pkijs";
import { EKU, isIssuedBy, isValidAt, parseCertificate, sameCertificate, type Certificate } from "./x509";

/**
 * RFC 3161 timestamp tokens: the countersignature a timestamp authority puts
 * on a signature. A token is authentic when its CMS signature verifies, its
 * signer certificate chains to a trusted TSA root (each certificate valid at
 * the time stamped), the signer may stamp time, and the imprint is the hash of
 * what was stamped.
 */

export interface TimestampResult {
  ok: boolean;
  /** Why not, in words. */
  reason: string;
  /** The stamped time, when the token could be read. */
  time?: Date;
  /** ± accuracy in milliseconds, 0 when the token gives none. */
  accuracyMs: number;
  /** Subject of the TSA signing certificate. */
  authority?: string;
}

const HASHES: Record<string, string> = {
  "2.16.840.1.101.3.4.2.1": "sha256",
  "2.16.840.1.101.3.4.2.2": "sha384",
  "2.16.840.1.101.3.4.2.3": "sha512",
  "1.3.14.3.2.26": "sha1",
};

/** Verifies `token` as a timestamp of `stamped` (the signature bytes), trusting `roots`. */
export async function verifyTimestampToken(token: Uint8Array, stamped: Uint8Array, roots: readonly Certificate[]): Promise<TimestampResult> {
  let signed: pkijs.SignedData;
  let info: pkijs.TSTInfo;
  try {
    const content = pkijs.ContentInfo.fromBER(Uint8Array.from(token));
    if (content.contentType !== pkijs.ContentInfo.SIGNED_DATA) return fail("the timestamp is not a CMS SignedData");
    signed = new pkijs.SignedData({ schema: content.content });
    if (signed.encapContentInfo.eContentType !== "1.2.840.113549.1.9.16.1.4") return fail("the timestamp does not contain a TSTInfo");
    const eContent = signed.encapContentInfo.eContent;
    if (!eContent) return fail("the timestamp has no content");
    info = pkijs.TSTInfo.fromBER(eContent.getValue());
  } catch (err) {
    return fail(`the timestamp token cannot be read (${(err as Error).message.slice(0, 120)})`);
  }
  const time = info.genTime;
  const accuracyMs = info.accuracy ? (info.accuracy.seconds ?? 0) * 1000 + (info.accuracy.millis ?? 0) + Math.ceil((info.accuracy.micros ?? 0) / 1000) : 0;
  const hashName = HASHES[info.messageImprint.hashAlgorithm.algorithmId];
  if (!hashName || hashName === "sha1") return { ok: false, reason: `the timestamp imprint uses an unsupported hash (${info.messageImprint.hashAlgorithm.algorithmId})`, time, accuracyMs };
  const expected = createHash(hashName).update(stamped).digest();
  if (!Buffer.from(info.messageImprint.hashedMessage.valueBlock.valueHexView).equals(expected)) {
    return { ok: false, reason: "the timestamp is not of this signature (its imprint is not the hash of the signature)", time, accuracyMs };
  }
  let signer: Certificate | undefined;
  const embedded: Certificate[] = [];
  for (const c of signed.certificates ?? []) {
    if (c instanceof pkijs.Certificate) {
      try {
        embedded.push(parseCertificate(new Uint8Array(c.toSchema().toBER(false))));
      } catch {
        // An unreadable extra certificate cannot help build the chain.
      }
    }
  }
  try {
    const result = await signed.verify({ signer: 0, checkChain: false, extendedMode: true, data: Uint8Array.from(stamped).buffer });
    if (!result.signatureVerified) return { ok: false, reason: "the timestamp authority's signature on the timestamp does not verify", time, accuracyMs };
    if (result.signerCertificate) signer = parseCertificate(new Uint8Array(result.signerCertificate.toSchema().toBER(false)));
  } catch (err) {
    const message = (err as { message?: string }).message ?? String(err);
    return { ok: false, reason: `the timestamp authority's signature on the timestamp does not verify (${message.slice(0, 120)})`, time, accuracyMs };
  }
  if (!signer) return { ok: false, reason: "the timestamp does not contain its signing certificate", time, accuracyMs };
  const authority = signer.subject;
  if (!signer.extendedKeyUsage?.includes(EKU.timeStamping)) return { ok: false, reason: `the timestamp's signing certificate ${authority} may not stamp time (no timeStamping extended key usage)`, time, accuracyMs, authority };
  const chain = buildChain(signer, embedded, roots);
  if (!chain) return { ok: false, reason: `the timestamp authority ${authority} does not chain to a trusted TSA root (certificate signed by unknown authority)`, time, accuracyMs, authority };
  for (const c of chain) {
    if (!isValidAt(c, time)) return { ok: false, reason: `the timestamp authority's certificate ${c.subject} was not valid at the stamped time ${time.toISOString()}`, time, accuracyMs, authority };
  }
  return { ok: true, reason: `timestamped ${time.toISOString()} by ${authority}`, time, accuracyMs, authority };

  function fail(reason: string): TimestampResult {
    return { ok: false, reason, accuracyMs: 0 };
  }
}

/** Chain from `leaf` up to a certificate of `roots` (inclusive), using `pool` for intermediates; undefined when none reaches a root. */
export function buildChain(leaf: Certificate, pool: readonly Certificate[], roots: readonly Certificate[]): Certificate[] | undefined {
  const chain = [leaf];
  let current = leaf;
  for (let depth = 0; depth < 10; depth++) {
    if (roots.some((r) => sameCertificate(r, current))) return chain;
    const root = roots.find((r) => isIssuedBy(current, r));
    if (root) return [...chain, root];
    const next = pool.find((c) => !chain.some((x) => sameCertificate(x, c)) && isIssuedBy(current, c));
    if (!next) return undefined;
    chain.push(next);
    current = next;
  }
  return undefined;
}
