import { describeError } from "../oci/errors";
import type { Descriptor, Manifest } from "../oci/schemas";
import type { Store } from "../oci/store";
import type { GraphNode, SupplyChainGraph } from "../supply-chain/discover";
import { verifyCosignLayer } from "./cosign/verify-legacy";
import { COSE_MEDIA_TYPE, JWS_MEDIA_TYPE, MAX_ENVELOPE_BYTES } from "./notary/envelope";
import { verifyNotarySignature } from "./notary/verify";
import { verifySigstoreBundle } from "./sigstore/verify-bundle";
import type { VerificationTrust } from "./trust-config";
import { distinctSigners, stableOrder } from "./signature-order";
import { mostInformative, type SignatureVerification, type Signer, type Verdict } from "./verdict";

/**
 * Verifies every signature of a discovered graph and says, for each subject
 * that has signatures (the image, or a referrer such as an SBOM), whether it
 * is verified. Results are cached by (signature, subject, trust, scope), so a
 * warm call fetches and recomputes nothing.
 */

export interface SignatureResult extends SignatureVerification {
  /** The signature's manifest (the referrer). */
  digest: string;
  /** The layer of that manifest (a cosign .sig manifest holds one signature per layer). */
  layer: number;
  /** What it signs. */
  subject: string;
  /** Signatures say "signed"; signed attestations are listed too, but do not make a subject signed. */
  kind: "signature" | "attestation";
  /** What discovery calls it ("Notary Project signature"). */
  label: string;
  /** Only the failed checks are listed here; the verification call of its subject has them all. */
  checksOmitted?: boolean;
}

export interface SubjectVerification {
  digest: string;
  verdict: Verdict;
  /** The deciding signature's summary. */
  summary: string;
  signer?: Signer;
  /** Every distinct signer whose signature verified, in a stable order (Notary, Sigstore, cosign; then by digest). */
  signers: Signer[];
  /** Signatures of the subject (attestations not counted). */
  signatures: number;
  verified: number;
}

export interface GraphVerification {
  /** Hash of the trust configuration the results were computed under. */
  trust: string;
  signatures: SignatureResult[];
  /** By subject digest; only subjects with at least one signature. */
  subjects: Record<string, SubjectVerification>;
}

export interface VerifyGraphOptions {
  /** "<trustScope>/<repository>". */
  scope: string;
  now?: Date;
  cache?: VerificationCache;
  /** Called for each result computed (not answered from the cache). */
  onComputed?: (result: SignatureResult) => void;
}

const MAX_SIGNATURE_BLOB = MAX_ENVELOPE_BYTES;
/** Part of every cache key: results kept (in a shared database too) before a field was added are not reused. */
const RESULT_SHAPE = "r2";

/** Which graph nodes carry signatures, and how to read them. */
export function signatureFormatOf(node: GraphNode): "notation" | "cosign" | "sigstore-bundle" | "other" | undefined {
  const { kind, format } = node.classification;
  if (kind !== "signature" && !(kind === "attestation" && (format === "cosign" || format === "sigstore-bundle"))) return undefined;
  if (format === "notation" || format === "cosign" || format === "sigstore-bundle") return format;
  return kind === "signature" ? "other" : undefined;
}

export async function verifyGraph(store: Store, graph: SupplyChainGraph, trust: VerificationTrust, options: VerifyGraphOptions): Promise<GraphVerification> {
  const now = options.now ?? new Date();
  const byDigest = new Map(graph.nodes.map((n) => [n.digest, n]));
  const work: Promise<SignatureResult[]>[] = [];
  // Subjects by referrer, indexed once: a scan of every edge per signature is quadratic (1,000 signatures: 2 million steps).
  const subjectsOf = new Map<string, GraphNode[]>();
  for (const e of graph.edges) {
    const from = e.relation === "referrer" ? byDigest.get(e.from) : undefined;
    if (!from) continue;
    const list = subjectsOf.get(e.to);
    if (list) list.push(from);
    else subjectsOf.set(e.to, [from]);
  }
  for (const node of graph.nodes) {
    const format = signatureFormatOf(node);
    if (!format) continue;
    const subjects = subjectsOf.get(node.digest) ?? [];
    for (const subject of subjects) work.push(verifyNode(store, graph.repository, node, format, subject, trust, options.scope, now, options.cache, options.onComputed));
  }
  const signatures = (await Promise.all(work)).flat().sort(stableOrder);
  return { trust: trust.hash, signatures, subjects: summarize(signatures) };
}

function summarize(signatures: SignatureResult[]): Record<string, SubjectVerification> {
  const bySubject = new Map<string, SignatureResult[]>();
  for (const s of signatures) {
    if (s.kind !== "signature") continue;
    const list = bySubject.get(s.subject);
    if (list) list.push(s);
    else bySubject.set(s.subject, [s]);
  }
  const out: Record<string, SubjectVerification> = {};
  for (const [digest, unordered] of bySubject) {
    // Results arrive in the order fetches finish: sorted, so the answer does not depend on timing.
    const list = [...unordered].sort(stableOrder);
    const verified = list.filter((s) => s.verdict === "verified");
    const decisive = verified[0] ?? list.find((s) => s.verdict === mostInformative(list.map((x) => x.verdict)))!;
    out[digest] = { digest, verdict: decisive.verdict, summary: decisive.summary, signer: decisive.signer, signers: distinctSigners(verified), signatures: list.length, verified: verified.length };
  }
  return out;
}

async function verifyNode(
  store: Store,
  repository: string,
  node: GraphNode,
  format: NonNullable<ReturnType<typeof signatureFormatOf>>,
  subject: GraphNode,
  trust: VerificationTrust,
  scope: string,
  now: Date,
  cache: VerificationCache | undefined,
  onComputed: ((r: SignatureResult) => void) | undefined,
): Promise<SignatureResult[]> {
  const base = { digest: node.digest, subject: subject.digest, kind: node.classification.kind === "signature" ? ("signature" as const) : ("attestation" as const), label: node.classification.label };
  const key = `${RESULT_SHAPE}|${node.digest}|${subject.digest}|${trust.hash}|${scope}`;
  const cached = await cache?.lookup(key, now);
  if (cached) return cached;
  let results: SignatureResult[];
  try {
    results = await compute();
  } catch (err) {
    // A failure to read (registry down, blob missing) is not a verdict about the signature: not cached.
    return [{ ...base, layer: 0, format: "unknown", verdict: "error", summary: `the signature could not be read: ${describeError(err)}`, checks: [{ name: "read", label: "Read the signature", result: "failed", reason: describeError(err) }], warnings: [] }];
  }
  cache?.set(key, results, now);
  if (onComputed) for (const r of results) onComputed(r);
  return results;

  async function compute(): Promise<SignatureResult[]> {
    const fetched = await store.getManifest(repository, node.digest);
    const layers = layersOf(fetched.manifest);
    if (format === "other") {
      return [{ ...base, layer: 0, format: "unknown", verdict: "unsupported", summary: `${node.classification.label}: a signature format Chainsight does not verify (${node.artifactType ?? node.mediaType})`, checks: [], warnings: [] }];
    }
    if (layers.length === 0) return [{ ...base, layer: 0, format: "unknown", verdict: "invalid", summary: "the signature manifest has no layer holding a signature", checks: [{ name: "read", label: "Read the signature", result: "failed", reason: "no layers" }], warnings: [] }];
    if (format === "notation") {
      const i = Math.max(0, layers.findIndex((l) => l.mediaType === JWS_MEDIA_TYPE || l.mediaType === COSE_MEDIA_TYPE));
      const layer = layers[i];
      const envelope = await readLayer(layer);
      const r = envelope instanceof Uint8Array
        ? await verifyNotarySignature({ envelopeMediaType: layer.mediaType, envelope, subject: { digest: subject.digest, mediaType: subject.mediaType, size: subject.size }, scope, trust: trust.notary, now })
        : envelope;
      return [{ ...base, layer: i, ...r }];
    }
    if (format === "sigstore-bundle") {
      const layer = layers[0];
      const bundle = await readLayer(layer);
      if (!(bundle instanceof Uint8Array)) return [{ ...base, layer: 0, ...bundle, format: "sigstore-bundle" }];
      // A message signature is over the subject's manifest bytes.
      const artifact = (await store.getManifest(repository, subject.digest).catch(() => undefined))?.bytes;
      return [{ ...base, layer: 0, ...verifySigstoreBundle({ bundle, artifact, subjectDigest: subject.digest, scope, trust: trust.sigstore }) }];
    }
    return Promise.all(
      layers.map(async (layer, i): Promise<SignatureResult> => {
        const payload = await readLayer(layer);
        if (!(payload instanceof Uint8Array)) return { ...base, layer: i, ...payload, format: "cosign" };
        return { ...base, layer: i, ...verifyCosignLayer({ layer: { mediaType: layer.mediaType, payload, annotations: layer.annotations ?? {} }, subjectDigest: subject.digest, scope, trust: trust.sigstore }) };
      }),
    );
  }

  async function readLayer(layer: Descriptor): Promise<Uint8Array | SignatureVerification> {
    if (layer.size > MAX_SIGNATURE_BLOB) {
      const reason = `the signature layer is ${layer.size} bytes; signatures are a few kilobytes and at most ${MAX_SIGNATURE_BLOB} bytes are read`;
      return { format: "unknown", verdict: "invalid", summary: reason, checks: [{ name: "read", label: "Read the signature", result: "failed", reason }], warnings: [] };
    }
    const blob = await store.getBlob(repository, layer.digest, { maxBytes: MAX_SIGNATURE_BLOB });
    if (blob.truncated) {
      const reason = `the signature layer is larger than ${MAX_SIGNATURE_BLOB} bytes`;
      return { format: "unknown", verdict: "invalid", summary: reason, checks: [{ name: "read", label: "Read the signature", result: "failed", reason }], warnings: [] };
    }
    return blob.bytes;
  }
}

function layersOf(m: Manifest): Descriptor[] {
  if (m.kind === "image" || m.kind === "docker-manifest") return m.layers;
  if (m.kind === "oci-artifact" || m.kind === "oras-artifact") return m.blobs;
  return [];
}

/**
 * Where verification results are kept beyond this process (a database that
 * replicas share, which also outlives a restart). Reads may miss; writes are
 * best effort and never make a verification wait.
 */
export interface SharedVerificationResults {
  get(key: string, now: Date): Promise<{ results: SignatureResult[]; expiresAt: number } | undefined>;
  set(key: string, results: SignatureResult[], expiresAt: number): void;
}

/**
 * Verification results by (signature, subject, trust hash, scope). Entries
 * expire after `ttlMs`, or earlier when a result depends on a moment that
 * comes sooner (a certificate or the signature expiring). In memory first,
 * then in the shared store when one is attached.
 */
export class VerificationCache {
  private readonly entries = new Map<string, { results: SignatureResult[]; expiresAt: number }>();
  private shared?: SharedVerificationResults;
  hits = 0;
  misses = 0;
  /** Hits answered by the shared store (another replica, or before a restart). */
  sharedHits = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 20_000,
  ) {}

  /** Keep results in (and read them from) a store shared with other replicas too. */
  share(shared: SharedVerificationResults): void {
    this.shared = shared;
  }

  get(key: string, now: Date): SignatureResult[] | undefined {
    const e = this.entries.get(key);
    if (!e || e.expiresAt <= now.getTime()) {
      if (e) this.entries.delete(key);
      this.misses++;
      return undefined;
    }
    this.hits++;
    return e.results;
  }

  /** From memory, else from the shared store (kept in memory then). */
  async lookup(key: string, now: Date): Promise<SignatureResult[] | undefined> {
    const local = this.get(key, now);
    if (local || !this.shared || this.ttlMs <= 0) return local;
    const found = await this.shared.get(key, now).catch(() => undefined);
    if (!found || found.expiresAt <= now.getTime()) return undefined;
    this.sharedHits++;
    this.remember(key, found.results, found.expiresAt);
    return found.results;
  }

  set(key: string, results: SignatureResult[], now: Date): void {
    if (this.ttlMs <= 0) return;
    let expiresAt = now.getTime() + this.ttlMs;
    for (const r of results) if (r.changesAt) expiresAt = Math.min(expiresAt, Date.parse(r.changesAt));
    this.remember(key, results, expiresAt);
    this.shared?.set(key, results, expiresAt);
  }

  private remember(key: string, results: SignatureResult[], expiresAt: number): void {
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { results, expiresAt });
  }

  clear(): void {
    this.entries.clear();
  }
}
