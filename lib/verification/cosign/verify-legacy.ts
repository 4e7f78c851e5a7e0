import { createHash } from "node:crypto";
import { base64, EncodingError } from "../encoding";
import { verifySigstoreBundle } from "../sigstore/verify-bundle";
import type { SigstoreTrust } from "../sigstore/trust";
import { CheckList, type SignatureVerification } from "../verdict";
import { parseCertificates } from "../x509";

/**
 * cosign signatures as cosign attaches them without bundles: one layer per
 * signature of a `sha256-<hex>.sig` / `.att` manifest (or of an OCI 1.1
 * `application/vnd.dev.cosign.artifact.sig.v1+json` referrer), the signature
 * and its certificate, chain, Rekor entry and timestamp in annotations. The
 * annotations are turned into the Sigstore bundle they stand for, so one
 * verifier (and one set of checks) serves both.
 */

export const SIMPLE_SIGNING = "application/vnd.dev.cosign.simplesigning.v1+json";
export const DSSE_ENVELOPE = "application/vnd.dsse.envelope.v1+json";

export const CosignAnnotation = {
  signature: "dev.cosignproject.cosign/signature",
  certificate: "dev.sigstore.cosign/certificate",
  chain: "dev.sigstore.cosign/chain",
  bundle: "dev.sigstore.cosign/bundle",
  rfc3161: "dev.sigstore.cosign/rfc3161timestamp",
} as const;

export interface CosignLayer {
  mediaType: string;
  /** The layer's bytes: the simple-signing payload, or the DSSE envelope. */
  payload: Uint8Array;
  annotations: Record<string, string>;
}

export interface CosignVerifyInput {
  layer: CosignLayer;
  /** The image the signature hangs off. */
  subjectDigest: string;
  scope: string;
  trust: SigstoreTrust;
}

export function verifyCosignLayer(input: CosignVerifyInput): SignatureVerification {
  const { layer } = input;
  if (layer.mediaType === SIMPLE_SIGNING) return verifySimpleSigning(input);
  if (layer.mediaType === DSSE_ENVELOPE) return verifyDsseLayer(input);
  return {
    format: "cosign",
    verdict: "unsupported",
    summary: `the layer's media type ${layer.mediaType} is not a cosign signature (${SIMPLE_SIGNING}) or attestation (${DSSE_ENVELOPE})`,
    checks: [{ name: "payload", label: "Payload", result: "failed", reason: `media type ${layer.mediaType} is not one cosign signs` }],
    warnings: [],
  };
}

function verifySimpleSigning(input: CosignVerifyInput): SignatureVerification {
  const { layer } = input;
  const list = new CheckList();
  const invalid = (reason: string): SignatureVerification => {
    list.fail("payload", "Signed payload", reason);
    return { format: "cosign", verdict: "invalid", summary: `Signed payload: ${reason}`, checks: list.checks, warnings: [] };
  };
  let doc: { critical?: { image?: Record<string, unknown>; identity?: Record<string, unknown>; type?: unknown } };
  try {
    doc = JSON.parse(Buffer.from(layer.payload).toString("utf8"));
  } catch {
    return invalid("the simple-signing payload is not JSON");
  }
  const named = doc?.critical?.image?.["docker-manifest-digest"];
  if (typeof named !== "string") return invalid("the payload has no critical.image.docker-manifest-digest");
  if (named !== input.subjectDigest) return invalid(`the payload signs ${named}, not this image (${input.subjectDigest})`);
  const reference = doc.critical?.identity?.["docker-reference"];
  list.pass("payload", "Signed payload", `the payload names this image (${named})${typeof reference === "string" && reference ? `, reference ${reference}` : ""}`);
  let bundle: object;
  try {
    const signature = base64(layer.annotations[CosignAnnotation.signature] ?? "", CosignAnnotation.signature);
    if (signature.length === 0) return invalid(`the ${CosignAnnotation.signature} annotation is empty`);
    bundle = toBundle(layer.annotations, {
      messageSignature: { messageDigest: { algorithm: "SHA2_256", digest: createHash("sha256").update(layer.payload).digest("base64") }, signature: Buffer.from(signature).toString("base64") },
    });
  } catch (err) {
    return invalid((err as Error).message);
  }
  const payloadDigest = `sha256:${createHash("sha256").update(layer.payload).digest("hex")}`;
  const r = verifySigstoreBundle({ bundle, artifact: layer.payload, subjectDigest: payloadDigest, scope: input.scope, trust: input.trust, format: "cosign", legacy: true, requireTlog: hasRekorBundle(layer.annotations) });
  // The bundle's own "signed subject" is the payload; the image binding is the payload check above.
  return { ...r, checks: [...list.checks, ...r.checks.filter((c) => c.name !== "subject" && c.name !== "bundle")] };
}

function verifyDsseLayer(input: CosignVerifyInput): SignatureVerification {
  const { layer } = input;
  let envelope: { payloadType?: unknown; payload?: unknown; signatures?: { keyid?: string; sig?: string }[] };
  try {
    envelope = JSON.parse(Buffer.from(layer.payload).toString("utf8"));
    if (typeof envelope.payloadType !== "string" || typeof envelope.payload !== "string" || !Array.isArray(envelope.signatures) || envelope.signatures.length === 0) throw new Error("not a DSSE envelope");
    base64(envelope.payload, "the DSSE payload");
    for (const s of envelope.signatures) base64(s.sig ?? "", "a DSSE signature");
  } catch (err) {
    return {
      format: "cosign",
      verdict: "invalid",
      summary: `Envelope: ${err instanceof EncodingError ? err.message : "the layer is not a DSSE envelope (payloadType, payload, signatures)"}`,
      checks: [{ name: "bundle", label: "Envelope", result: "failed", reason: "the layer is not a readable DSSE envelope" }],
      warnings: [],
    };
  }
  let bundle: object;
  try {
    bundle = toBundle(layer.annotations, {
      dsseEnvelope: { payload: envelope.payload, payloadType: envelope.payloadType, signatures: envelope.signatures.map((s) => ({ sig: s.sig, keyid: s.keyid ?? "" })) },
    });
  } catch (err) {
    return { format: "cosign", verdict: "invalid", summary: (err as Error).message, checks: [{ name: "bundle", label: "Envelope", result: "failed", reason: (err as Error).message }], warnings: [] };
  }
  return verifySigstoreBundle({ bundle, subjectDigest: input.subjectDigest, scope: input.scope, trust: input.trust, format: "cosign", legacy: true, requireTlog: hasRekorBundle(layer.annotations) });
}

function hasRekorBundle(annotations: Record<string, string>): boolean {
  return typeof annotations[CosignAnnotation.bundle] === "string" && annotations[CosignAnnotation.bundle].length > 0;
}

/** The Sigstore bundle (v0.1 with a Rekor entry, v0.3 without) that cosign's annotations stand for. */
export function toBundle(annotations: Record<string, string>, content: object): object {
  const certificatePem = annotations[CosignAnnotation.certificate];
  const chainPem = annotations[CosignAnnotation.chain];
  let material: object;
  if (certificatePem) {
    let certs;
    try {
      certs = [...parseCertificates(certificatePem), ...(chainPem ? parseCertificates(chainPem) : [])];
    } catch (err) {
      throw new Error(`the ${CosignAnnotation.certificate} / ${CosignAnnotation.chain} annotations hold no readable certificate (${(err as Error).message})`);
    }
    material = { x509CertificateChain: { certificates: certs.map((c) => ({ rawBytes: Buffer.from(c.der).toString("base64") })) } };
  } else {
    material = { publicKey: { hint: "" } };
  }
  const tlogEntries: object[] = [];
  const rekor = annotations[CosignAnnotation.bundle];
  if (rekor) {
    let parsed: { SignedEntryTimestamp?: string; Payload?: { body?: string; integratedTime?: number; logIndex?: number; logID?: string } };
    try {
      parsed = JSON.parse(rekor);
    } catch {
      throw new Error(`the ${CosignAnnotation.bundle} annotation is not JSON`);
    }
    const p = parsed.Payload;
    if (!p || typeof p.body !== "string" || typeof parsed.SignedEntryTimestamp !== "string" || typeof p.logID !== "string") throw new Error(`the ${CosignAnnotation.bundle} annotation lacks SignedEntryTimestamp or Payload.body/logID`);
    let body: { kind?: string; apiVersion?: string };
    try {
      body = JSON.parse(Buffer.from(base64(p.body, "the Rekor entry body")).toString("utf8"));
    } catch (err) {
      throw new Error(err instanceof EncodingError ? err.message : "the Rekor entry body is not JSON");
    }
    tlogEntries.push({
      logIndex: String(p.logIndex ?? 0),
      logId: { keyId: Buffer.from(p.logID, "hex").toString("base64") },
      kindVersion: { kind: body.kind ?? "", version: body.apiVersion ?? "" },
      integratedTime: String(p.integratedTime ?? 0),
      inclusionPromise: { signedEntryTimestamp: parsed.SignedEntryTimestamp },
      canonicalizedBody: p.body,
    });
  }
  return {
    mediaType: tlogEntries.length > 0 ? "application/vnd.dev.sigstore.bundle+json;version=0.1" : "application/vnd.dev.sigstore.bundle.v0.3+json",
    verificationMaterial: { ...material, tlogEntries, timestampVerificationData: { rfc3161Timestamps: [] } },
    ...content,
  };
}

