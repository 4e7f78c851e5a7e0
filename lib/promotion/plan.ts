import { isDigest, referrersTagFor } from "../oci/digest";
import { NotFoundError } from "../oci/errors";
import type { Descriptor, Manifest } from "../oci/schemas";
import { inParallel } from "../oci/parallel";
import type { Store } from "../oci/store";
import { discover, type SupplyChainGraph } from "../supply-chain/discover";

/**
 * The plan of a promotion, made before anything is written (like the delete
 * plan): the subject, its platform manifests, every referrer found by any
 * method (recursively) and the manifests an index lists, every blob with its
 * size, what the target already has, and what will be written there (tags,
 * referrers-tag indexes where the target lacks the referrers API). Manifests
 * are listed in the order they must be pushed: children before parents,
 * referrers after their subject, so that a registry never sees a manifest
 * whose parts it does not hold yet.
 */

export interface CopyEndpoint {
  store: Store;
  repository: string;
}

export interface CopyRequest {
  source: CopyEndpoint & { reference: string };
  /** No store: an archive, where nothing exists yet (see archive.ts). */
  target: { store?: Store; repository: string; /** The tag to give the subject at the target; default the source tag (none for a digest). */ tag?: string };
  /** Copy the supply chain too (default true); false: the image and its platform manifests only. */
  referrers?: boolean;
  maxNodes?: number;
}

export interface PlannedBlob {
  digest: string;
  size: number;
  mediaType: string;
  /** The target holds it already: skipped. */
  exists: boolean;
}

export interface PlannedManifest {
  digest: string;
  mediaType: string;
  size: number;
  /** What it is to the subject. */
  role: "subject" | "platform-manifest" | "index-child" | "referrer";
  /** What it is, in words ("Notary Project signature", "SPDX SBOM"). */
  label: string;
  /** The digest it refers to (its subject), for referrers. */
  subject?: string;
  /** For a referrers index entry: its artifact type and annotations, as the spec has the entry carry them. */
  artifactType?: string;
  annotations?: Record<string, string>;
  /** Tags to point at it at the target: the subject's tag, cosign's `sha256-….sig/.att/.sbom`. */
  tags: string[];
  exists: boolean;
  /** Its config and layers (digests), which must be at the target first. */
  blobs: string[];
}

export interface PlannedReferrersIndex {
  /** `sha256-<hex>` at the target. */
  tag: string;
  subject: string;
  /** Referrers the copy adds to it (merged with what the target's index holds, at write time). */
  add: string[];
}

export interface CopyPlan {
  source: { repository: string; reference: string; digest: string };
  target: { repository: string; tag?: string };
  manifests: PlannedManifest[];
  blobs: PlannedBlob[];
  /** Present when the target has no referrers API: the tag-schema indexes to merge into. */
  referrersIndexes: PlannedReferrersIndex[];
  /** The target's referrers API, as probed: "supported", "unsupported" or "unknown" (the repository does not exist yet). */
  targetReferrersApi: "supported" | "unsupported" | "unknown";
  totals: { manifests: number; manifestsToWrite: number; blobs: number; blobsToMove: number; bytes: number; bytesToMove: number; bytesSkipped: number };
  /** What discovery could not read, or stopped at: the copy would not be whole. */
  warnings: string[];
}

/** Config, layers and blobs of a manifest (what must exist before it is pushed); children of an index are manifests. */
export function partsOf(m: Manifest): { blobs: Descriptor[]; children: Descriptor[] } {
  switch (m.kind) {
    case "image":
    case "docker-manifest":
      return { blobs: [m.config, ...m.layers], children: [] };
    case "oci-artifact":
    case "oras-artifact":
      return { blobs: m.blobs, children: [] };
    case "index":
    case "docker-list":
      return { blobs: [], children: m.manifests };
    default:
      return { blobs: [], children: [] };
  }
}

/** The manifests' bytes as the plan read them, kept beside the plan (not in it: a plan is sent as JSON). */
const planBytes = new WeakMap<CopyPlan, Map<string, Uint8Array>>();

/** The bytes of a planned manifest as read when planning, so that the copy does not fetch it again. */
export function plannedBytes(plan: CopyPlan, digest: string): Uint8Array | undefined {
  return planBytes.get(plan)?.get(digest);
}

const COSIGN_TAG = /^sha256-[0-9a-f]{64}\.(sig|att|sbom)$/;

/** The manifest a tag or digest names at a store, or nothing when there is none (any other error is thrown). */
export async function headIfAny(store: Store, repository: string, reference: string): Promise<Descriptor | undefined> {
  try {
    return await store.headManifest(repository, reference);
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

export async function planCopy(req: CopyRequest): Promise<CopyPlan> {
  const { source, target } = req;
  const referrers = req.referrers ?? true;
  const graph: SupplyChainGraph = await discover(source.store, source.repository, source.reference, { maxNodes: req.maxNodes ?? 10_000, ...(referrers ? {} : { maxDepth: 0 }), checkTruncation: false });
  const warnings = [...graph.warnings];
  if (graph.truncated.count) warnings.push(`the supply chain has more than ${req.maxNodes ?? 10_000} artifacts; the rest would not be copied`);
  const nodeOf = new Map(graph.nodes.map((n) => [n.digest, n]));
  const subjectOf = new Map<string, string>();
  for (const e of graph.edges) if (e.relation === "referrer") subjectOf.set(e.to, e.from);
  const tag = target.tag ?? (isDigest(source.reference) ? undefined : source.reference);

  const manifests = new Map<string, PlannedManifest>();
  const bytesOf = new Map<string, Uint8Array>();
  const blobs = new Map<string, PlannedBlob>();
  const order: string[] = [];
  // Every manifest of the graph read first, 8 at a time (one at a time, 51 manifests 20 ms away take two seconds).
  const reads = new Map<string, ReturnType<Store["getManifest"]>>();
  const read = (digest: string) => {
    let r = reads.get(digest);
    if (!r) reads.set(digest, (r = source.store.getManifest(source.repository, digest)));
    return r;
  };
  // (A failure is met again, and thrown, where the manifest is needed.)
  await inParallel(graph.nodes, 8, async (n) => void (await read(n.digest).catch(() => undefined)));
  // Depth-first: a manifest's children are placed before it, so the order is one a registry accepts.
  const visit = async (desc: { digest: string; mediaType: string; size: number }, role: PlannedManifest["role"], label: string, subject: string | undefined, tags: string[]): Promise<void> => {
    if (manifests.has(desc.digest)) return;
    const fetched = await read(desc.digest);
    const { blobs: parts, children } = partsOf(fetched.manifest);
    const json = fetched.manifest as { artifactType?: string; config?: { mediaType: string }; annotations?: Record<string, string> };
    const planned: PlannedManifest = {
      digest: desc.digest,
      mediaType: fetched.descriptor.mediaType,
      size: fetched.bytes.byteLength,
      role,
      label,
      subject,
      artifactType: json.artifactType ?? json.config?.mediaType,
      annotations: json.annotations,
      tags,
      exists: false,
      blobs: parts.map((b) => b.digest),
    };
    manifests.set(desc.digest, planned);
    bytesOf.set(desc.digest, fetched.bytes);
    for (const b of parts) if (!blobs.has(b.digest)) blobs.set(b.digest, { digest: b.digest, size: b.size, mediaType: b.mediaType, exists: false });
    for (const c of children) {
      const node = nodeOf.get(c.digest);
      await visit(c, role === "subject" ? "platform-manifest" : "index-child", node?.classification.label ?? childLabel(c), undefined, []);
    }
    order.push(desc.digest);
  };
  const root = nodeOf.get(graph.root)!;
  await visit(root, "subject", root.classification.label, undefined, tag ? [tag] : []);
  // Referrers after their subjects: by depth, then in discovery order.
  const referrerNodes = graph.nodes.filter((n) => n.role === "referrer").sort((a, b) => a.depth - b.depth);
  for (const n of referrerNodes) await visit(n, "referrer", n.classification.label, subjectOf.get(n.digest), n.tags.filter((t) => COSIGN_TAG.test(t)));

  // What the target has: manifests by digest, blobs by digest (HEAD each; a few at once).
  const all = [...manifests.values()];
  const into = target.store;
  // An archive is a layout: it finds referrers by their subject field.
  let targetReferrersApi: CopyPlan["targetReferrersApi"] = into ? "unknown" : "supported";
  if (into) {
    await inParallel(all, 8, async (m) => {
      m.exists = (await headIfAny(into, target.repository, m.digest)) !== undefined;
    });
    await inParallel([...blobs.values()], 8, async (b) => {
      b.exists = await into.hasBlob(target.repository, b.digest);
    });
    // Referrers-tag indexes at a target without the API (or not known yet: a new repository is probed at push time).
    try {
      const probe = await into.referrers(target.repository, graph.root);
      targetReferrersApi = probe.supported ? "supported" : "unsupported";
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
  }
  const referrersIndexes: PlannedReferrersIndex[] = [];
  if (targetReferrersApi !== "supported") {
    const bySubject = new Map<string, string[]>();
    for (const m of all) if (m.role === "referrer" && m.subject) bySubject.set(m.subject, [...(bySubject.get(m.subject) ?? []), m.digest]);
    for (const [subject, add] of bySubject) referrersIndexes.push({ tag: referrersTagFor(subject), subject, add });
  }

  const planned = order.map((d) => manifests.get(d)!);
  const blobList = [...blobs.values()];
  const bytes = blobList.reduce((n, b) => n + b.size, 0) + planned.reduce((n, m) => n + m.size, 0);
  const bytesToMove = blobList.filter((b) => !b.exists).reduce((n, b) => n + b.size, 0) + planned.filter((m) => !m.exists).reduce((n, m) => n + m.size, 0);
  const plan: CopyPlan = {
    source: { repository: source.repository, reference: source.reference, digest: graph.root },
    target: { repository: target.repository, tag },
    manifests: planned,
    blobs: blobList,
    referrersIndexes,
    targetReferrersApi,
    totals: {
      manifests: planned.length,
      manifestsToWrite: planned.filter((m) => !m.exists).length,
      blobs: blobList.length,
      blobsToMove: blobList.filter((b) => !b.exists).length,
      bytes,
      bytesToMove,
      bytesSkipped: bytes - bytesToMove,
    },
    warnings,
  };
  planBytes.set(plan, bytesOf);
  return plan;
}

/** A manifest an index lists that discovery did not keep as a node (nothing refers to it): named by its platform. */
function childLabel(d: Descriptor): string {
  const p = d.platform;
  if (!p) return "manifest listed by the index";
  return `image for ${[p.os, p.architecture, p.variant].filter(Boolean).join("/")}`;
}
