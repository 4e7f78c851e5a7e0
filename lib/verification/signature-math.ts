import { constants, verify as cryptoVerify, type KeyObject } from "node:crypto";
import type { Certificate } from "./x509";

/** JOSE algorithm names to node:crypto parameters. ECDSA signatures in JWS and COSE are r‖s (IEEE P1363), not DER. */
const ALGS: Record<string, { hash: string; kind: "pss" | "ecdsa" | "pkcs1"; saltLength?: number }> = {
  PS256: { hash: "sha256", kind: "pss", saltLength: 32 },
  PS384: { hash: "sha384", kind: "pss", saltLength: 48 },
  PS512: { hash: "sha512", kind: "pss", saltLength: 64 },
  ES256: { hash: "sha256", kind: "ecdsa" },
  ES384: { hash: "sha384", kind: "ecdsa" },
  ES512: { hash: "sha512", kind: "ecdsa" },
};

export function isKnownAlgorithm(alg: string): boolean {
  return alg in ALGS;
}

/** Does `signature` over `data` verify with `key` under JOSE algorithm `alg`? Never throws. */
export function verifyJoseSignature(alg: string, key: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  const a = ALGS[alg];
  if (!a) return false;
  try {
    if (a.kind === "pss") return cryptoVerify(a.hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: a.saltLength }, signature);
    return cryptoVerify(a.hash, data, { key, dsaEncoding: "ieee-p1363" }, signature);
  } catch {
    return false;
  }
}

/**
 * The one algorithm the Notary Project allows for a key (signature
 * specification, "Algorithm selection"): RSA 2048 → PS256, 3072 → PS384,
 * 4096 → PS512; EC P-256 → ES256, P-384 → ES384, P-521 → ES512.
 */
export function notaryAlgorithmFor(cert: Certificate): string | undefined {
  if (cert.keyType === "rsa" || cert.keyType === "rsa-pss") return ({ 2048: "PS256", 3072: "PS384", 4096: "PS512" } as Record<number, string>)[cert.keySize ?? 0];
  if (cert.keyType === "ec") return ({ 256: "ES256", 384: "ES384", 521: "ES512" } as Record<number, string>)[cert.keySize ?? 0];
  return undefined;
}

export function describeKey(cert: Certificate): string {
  if (cert.keyType === "ec") return `EC P-${cert.keySize}`;
  if (cert.keyType === "rsa" || cert.keyType === "rsa-pss") return `RSA ${cert.keySize}`;
  return cert.keyType;
}
