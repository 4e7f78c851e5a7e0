import { constants, sign as cryptoSign, type KeyObject } from "node:crypto";
import { encode as encodeCbor, Tag } from "cbor2";
import { Header, NOTARY_PAYLOAD_TYPE, sigStructure } from "./envelope";
import type { SubjectDescriptor } from "./verify";

/**
 * Makes Notary Project signature envelopes (JWS and COSE), as notation does:
 * for the demo store and for tests that need a signature the fixtures lack.
 * `tamper` options exist so tests can produce each malformed variant.
 */

export interface NotarySignOptions {
  subject: SubjectDescriptor;
  /** DER certificates, leaf first. */
  chain: Uint8Array[];
  privateKey: KeyObject;
  alg: "PS256" | "PS384" | "PS512" | "ES256" | "ES384" | "ES512";
  signingTime?: Date;
  expiry?: Date;
  /** Replace the protected headers entirely (for malformed-envelope tests). */
  headers?: (h: Record<string, unknown>) => Record<string, unknown>;
  signingAgent?: string;
}

export function signJws(o: NotarySignOptions): Uint8Array {
  let header: Record<string, unknown> = {
    alg: o.alg,
    crit: [Header.signingScheme, ...(o.expiry ? [Header.expiry] : [])],
    cty: NOTARY_PAYLOAD_TYPE,
    [Header.signingScheme]: "notary.x509",
    [Header.signingTime]: rfc3339(o.signingTime ?? new Date()),
    ...(o.expiry ? { [Header.expiry]: rfc3339(o.expiry) } : {}),
  };
  if (o.headers) header = o.headers(header);
  const protectedB64 = Buffer.from(JSON.stringify(header)).toString("base64url");
  const payloadB64 = Buffer.from(JSON.stringify({ targetArtifact: o.subject })).toString("base64url");
  const signature = signWith(o.alg, o.privateKey, Buffer.from(`${protectedB64}.${payloadB64}`));
  const envelope = {
    payload: payloadB64,
    protected: protectedB64,
    header: { x5c: o.chain.map((c) => Buffer.from(c).toString("base64")), [Header.signingAgent]: o.signingAgent ?? "chainsight" },
    signature: Buffer.from(signature).toString("base64url"),
  };
  return new TextEncoder().encode(JSON.stringify(envelope));
}

const COSE_ALG: Record<NotarySignOptions["alg"], number> = { PS256: -37, PS384: -38, PS512: -39, ES256: -7, ES384: -35, ES512: -36 };

export function signCose(o: NotarySignOptions): Uint8Array {
  const headers = new Map<unknown, unknown>([
    [1, COSE_ALG[o.alg]],
    [2, [Header.signingScheme, ...(o.expiry ? [Header.expiry] : [])]],
    [3, NOTARY_PAYLOAD_TYPE],
    [Header.signingScheme, "notary.x509"],
    [Header.signingTime, new Tag(1, Math.floor((o.signingTime ?? new Date()).getTime() / 1000))],
  ]);
  if (o.expiry) headers.set(Header.expiry, new Tag(1, Math.floor(o.expiry.getTime() / 1000)));
  const protectedBytes = encodeCbor(headers);
  const payload = new TextEncoder().encode(JSON.stringify({ targetArtifact: o.subject }));
  const signature = signWith(o.alg, o.privateKey, sigStructure(protectedBytes, payload));
  const unprotected = new Map<unknown, unknown>([
    [33, o.chain.map((c) => Uint8Array.from(c))],
    [Header.signingAgent, o.signingAgent ?? "chainsight"],
  ]);
  return encodeCbor(new Tag(18, [protectedBytes, unprotected, payload, Uint8Array.from(signature)]));
}

function signWith(alg: NotarySignOptions["alg"], key: KeyObject, data: Uint8Array): Uint8Array {
  const hash = `sha${alg.slice(2)}`;
  if (alg.startsWith("PS")) return cryptoSign(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(alg.slice(2)) / 8 });
  return cryptoSign(hash, data, { key, dsaEncoding: "ieee-p1363" });
}

function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}
