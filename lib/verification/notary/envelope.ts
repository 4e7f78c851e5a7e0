import { decode as decodeCbor, Tag } from "cbor2";
import { base64, base64url, EncodingError, parseJson, utf8 } from "../encoding";

/**
 * Notary Project signature envelopes (JWS JSON serialization and COSE_Sign1)
 * read into one shape. Parsing only checks that the envelope is well formed;
 * the rules on its headers are checks of the verifier (envelope-rules.ts), so
 * each failure can be reported as a step.
 */

export const NOTARY_PAYLOAD_TYPE = "application/vnd.cncf.notary.payload.v1+json";
export const JWS_MEDIA_TYPE = "application/jose+json";
export const COSE_MEDIA_TYPE = "application/cose";

export const Header = {
  signingScheme: "io.cncf.notary.signingScheme",
  signingTime: "io.cncf.notary.signingTime",
  authenticSigningTime: "io.cncf.notary.authenticSigningTime",
  expiry: "io.cncf.notary.expiry",
  signingAgent: "io.cncf.notary.signingAgent",
  timestampSignature: "io.cncf.notary.timestampSignature",
  verificationPlugin: "io.cncf.notary.verificationPlugin",
  verificationPluginMinVersion: "io.cncf.notary.verificationPluginMinVersion",
} as const;

export interface NotaryEnvelope {
  envelope: "jws" | "cose";
  /** JOSE name of the algorithm ("PS256", "ES384" …), or what the envelope said when unknown. */
  alg: string;
  contentType: unknown;
  signingScheme: unknown;
  /** Times as the envelope gives them; `invalid` when present but not a time. */
  signingTime?: Date | "invalid";
  authenticSigningTime?: Date | "invalid";
  expiry?: Date | "invalid";
  /** Header names listed as critical. */
  critical: string[];
  /** Every protected header name present. */
  protectedHeaders: Set<string>;
  /** Protected headers that are not Notary or JOSE/COSE ones: the signer's extended attributes. */
  extendedAttributes: Record<string, unknown>;
  payload: Uint8Array;
  signature: Uint8Array;
  /** The bytes the signature is over. */
  signingInput: Uint8Array;
  /** DER certificates, leaf first. */
  certificates: Uint8Array[];
  timestampToken?: Uint8Array;
  signingAgent?: string;
}

export class EnvelopeError extends Error {}

/** Signatures are small; a 10 MB "envelope" is refused before parsing. */
export const MAX_ENVELOPE_BYTES = 4 * 1024 * 1024;

export function parseEnvelope(mediaType: string, bytes: Uint8Array): NotaryEnvelope {
  if (bytes.length > MAX_ENVELOPE_BYTES) throw new EnvelopeError(`the envelope is ${bytes.length} bytes; Notary signatures are a few kilobytes and at most ${MAX_ENVELOPE_BYTES} bytes are read`);
  try {
    if (mediaType === JWS_MEDIA_TYPE) return parseJws(bytes);
    if (mediaType === COSE_MEDIA_TYPE) return parseCose(bytes);
  } catch (err) {
    if (err instanceof EnvelopeError || err instanceof EncodingError) throw new EnvelopeError(`malformed ${mediaType === JWS_MEDIA_TYPE ? "JWS" : "COSE"} envelope: ${err.message}`);
    throw new EnvelopeError(`malformed ${mediaType === JWS_MEDIA_TYPE ? "JWS" : "COSE"} envelope: ${(err as Error).message?.slice(0, 200) ?? String(err)}`);
  }
  throw new EnvelopeError(`the envelope media type "${mediaType}" is neither ${JWS_MEDIA_TYPE} nor ${COSE_MEDIA_TYPE}`);
}

const JWS_KNOWN = new Set(["alg", "crit", "cty", "typ", ...Object.values(Header)]);

function parseJws(bytes: Uint8Array): NotaryEnvelope {
  const doc = parseJson(utf8(bytes), "the envelope");
  if (!isRecord(doc)) throw new EnvelopeError("the envelope is not a JSON object");
  if (typeof doc.protected !== "string" || typeof doc.payload !== "string" || typeof doc.signature !== "string") {
    throw new EnvelopeError('a JWS JSON envelope needs the string members "protected", "payload" and "signature"');
  }
  const protectedBytes = base64url(doc.protected, "protected");
  const header = parseJson(utf8(protectedBytes), "the protected header");
  if (!isRecord(header)) throw new EnvelopeError("the protected header is not a JSON object");
  const unprotected = doc.header === undefined ? {} : doc.header;
  if (!isRecord(unprotected)) throw new EnvelopeError('"header" is not a JSON object');
  const x5c = unprotected.x5c;
  if (!Array.isArray(x5c)) throw new EnvelopeError('the unprotected header has no "x5c" certificate chain');
  const extendedAttributes: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(header)) if (!JWS_KNOWN.has(k)) extendedAttributes[k] = v;
  const crit = header.crit;
  if (crit !== undefined && !(Array.isArray(crit) && crit.every((c) => typeof c === "string"))) throw new EnvelopeError('"crit" is not a list of header names');
  return {
    envelope: "jws",
    alg: typeof header.alg === "string" ? header.alg : String(header.alg),
    contentType: header.cty,
    signingScheme: header[Header.signingScheme],
    signingTime: jwsTime(header[Header.signingTime]),
    authenticSigningTime: jwsTime(header[Header.authenticSigningTime]),
    expiry: jwsTime(header[Header.expiry]),
    critical: (crit as string[] | undefined) ?? [],
    protectedHeaders: new Set(Object.keys(header)),
    extendedAttributes,
    payload: base64url(doc.payload, "payload"),
    signature: base64url(doc.signature, "signature"),
    signingInput: new TextEncoder().encode(`${doc.protected}.${doc.payload}`),
    certificates: x5c.map((c, i) => base64(c, `x5c[${i}]`)),
    timestampToken: unprotected[Header.timestampSignature] === undefined ? undefined : base64(unprotected[Header.timestampSignature], Header.timestampSignature),
    signingAgent: typeof unprotected[Header.signingAgent] === "string" ? (unprotected[Header.signingAgent] as string) : undefined,
  };
}

function jwsTime(value: unknown): Date | "invalid" | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(value)) return "invalid";
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? "invalid" : d;
}

/** COSE algorithm ids (RFC 9053 / RFC 8230) by JOSE name. */
const COSE_ALGS: Record<number, string> = { [-37]: "PS256", [-38]: "PS384", [-39]: "PS512", [-7]: "ES256", [-35]: "ES384", [-36]: "ES512" };
const COSE_KNOWN = new Set<unknown>([1, 2, 3, ...Object.values(Header)]);

function parseCose(bytes: Uint8Array): NotaryEnvelope {
  const outer = decodeCbor(bytes) as unknown;
  const sign1 = outer instanceof Tag ? (outer.tag === 18 ? outer.contents : undefined) : outer;
  if (!Array.isArray(sign1) || sign1.length !== 4) throw new EnvelopeError("not a COSE_Sign1 structure (tag 18, four elements)");
  const [protectedBytes, unprotected, payload, signature] = sign1 as unknown[];
  if (!(protectedBytes instanceof Uint8Array)) throw new EnvelopeError("the protected header is not a byte string");
  if (!(payload instanceof Uint8Array)) throw new EnvelopeError("the payload is detached or not a byte string");
  if (!(signature instanceof Uint8Array)) throw new EnvelopeError("the signature is not a byte string");
  const header = protectedBytes.length === 0 ? new Map() : decodeCbor(protectedBytes);
  if (!(header instanceof Map)) throw new EnvelopeError("the protected header is not a map");
  const unprot = unprotected instanceof Map ? unprotected : new Map();
  const chain = unprot.get(33);
  const certificates = chain instanceof Uint8Array ? [chain] : Array.isArray(chain) && chain.every((c) => c instanceof Uint8Array) ? (chain as Uint8Array[]) : undefined;
  if (!certificates) throw new EnvelopeError("the unprotected header has no x5chain (label 33) certificate chain");
  const alg = header.get(1);
  const crit = header.get(2);
  if (crit !== undefined && !Array.isArray(crit)) throw new EnvelopeError("crit (label 2) is not a list");
  const extendedAttributes: Record<string, unknown> = {};
  for (const [k, v] of header) if (!COSE_KNOWN.has(k)) extendedAttributes[String(k)] = v;
  const ts = unprot.get(Header.timestampSignature);
  return {
    envelope: "cose",
    alg: typeof alg === "number" ? (COSE_ALGS[alg] ?? `COSE algorithm ${alg}`) : String(alg),
    contentType: header.get(3),
    signingScheme: header.get(Header.signingScheme),
    signingTime: coseTime(header.get(Header.signingTime)),
    authenticSigningTime: coseTime(header.get(Header.authenticSigningTime)),
    expiry: coseTime(header.get(Header.expiry)),
    critical: ((crit as unknown[] | undefined) ?? []).map((c) => (c === 1 ? "alg" : c === 3 ? "cty" : String(c))),
    protectedHeaders: new Set([...header.keys()].map((k) => (k === 1 ? "alg" : k === 2 ? "crit" : k === 3 ? "cty" : String(k)))),
    extendedAttributes,
    payload,
    signature,
    signingInput: sigStructure(protectedBytes, payload),
    certificates,
    timestampToken: ts instanceof Uint8Array ? ts : undefined,
    signingAgent: typeof unprot.get(Header.signingAgent) === "string" ? unprot.get(Header.signingAgent) : undefined,
  };
}

function coseTime(value: unknown): Date | "invalid" | undefined {
  if (value === undefined) return undefined;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "invalid" : value;
  if (value instanceof Tag && value.tag === 1 && typeof value.contents === "number") return new Date(value.contents * 1000);
  return "invalid";
}

/** Sig_structure = ["Signature1", protected, external_aad = h'', payload] (RFC 9052 §4.4), CBOR-encoded. */
export function sigStructure(protectedBytes: Uint8Array, payload: Uint8Array): Uint8Array {
  const context = new TextEncoder().encode("Signature1");
  return Buffer.concat([Uint8Array.of(0x84), cborHead(3, context.length), context, cborHead(2, protectedBytes.length), protectedBytes, cborHead(2, 0), cborHead(2, payload.length), payload]);
}

/** CBOR initial byte(s) of a major type with its length (RFC 8949 §3). */
export function cborHead(major: number, length: number): Uint8Array {
  const m = major << 5;
  if (length < 24) return Uint8Array.of(m | length);
  if (length < 0x100) return Uint8Array.of(m | 24, length);
  if (length < 0x10000) return Uint8Array.of(m | 25, length >> 8, length & 0xff);
  return Uint8Array.of(m | 26, (length >>> 24) & 0xff, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
