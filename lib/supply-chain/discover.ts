import { appendTo } from "./append";
import { isDigest, type CosignSuffix } from "../oci/digest";
import { describeError, NotFoundError } from "../oci/errors";
import { Annotation, isIndexType } from "../oci/media-types";
import { artifactTypeOf, blobsOf, childrenOf, type Descriptor, type Manifest, type Platform } from "../oci/schemas";
import type { Capability, Store } from "../oci/store";
import { classify, type Classification } from "./classify";
import { compareCreated, createdOf } from "./created";
import { FINDERS, isUninformativeArtifactType, mergeFinds, type FinderContext, type MergedFind } from "./finders";

/**
 * Find everything attached to a subject, by every method a registry or a
 * producer uses, recursively, and record for each edge how it was found.
 */

export const DISCOVERY_METHODS = ["referrers-api", "tag-schema", "cosign-tag", "oras-draft", "index-attestation"] as const;
export type DiscoveryMethod = (typeof DISCOVERY_METHODS)[number];

export interface DiscoverOptions {
  /** Keep only direct referrers of the subject with this artifact type (what hangs off them is kept). */
  artifactType?: string;
  /** Referrer levels to follow; 1 = direct referrers only. Default 8. */
  maxDepth?: number;
  /** Stop after this many nodes. Default 2000. */
  maxNodes?: number;
  /** Methods to use; default all. */
  methods?: readonly DiscoveryMethod[];
  /** Parallel requests while walking. Default 8. */
  concurrency?: number;
  /**
   * Keep only the first `top` referrers of each artifact type under every node,
   * ordered by created date, before walking further: what is dropped costs no
   * requests. (`oras discover ... orderBy=date order=desc top=1`.)
   */
  newest?: { top: number; order: "asc" | "desc" };
  /** At the depth limit, ask whether more lies below (sets truncated.depth). Default true. */
  checkTruncation?: boolean;
  /** Called as nodes are found (for progress). */
  onProgress?: (found: number) => void;
}

export type NodeRole = "subject" | "referrer" | "platform-manifest";

export interface GraphNode {
  digest: string;
  mediaType: string;
  size: number;
  artifactType?: string;
  annotations: Record<string, string>;
  role: NodeRole;
  classification: Classification;
  /** ISO 8601 creation time from annotations, when known. */
  created?: string;
  platform?: Platform;
  /** Referrer depth from the subject (0 for the subject and its platform manifests). */
  depth: number;
  /** Tags that point at this node, when found through one (cosign tags, the subject's tag). */
  tags: string[];
}

export interface GraphEdge {
  /** The subject (or index) digest. */
  from: string;
  /** The referrer (or child manifest) digest. */
  to: string;
  relation: "referrer" | "platform";
  /** Every method that found this edge, in DISCOVERY_METHODS order. Empty for platform edges. */
  methods: DiscoveryMethod[];
}

export interface SupplyChainGraph {
  repository: string;
  /** Digest of the subject. */
  root: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** Problems that did not stop discovery (a broken referrers tag, a failed fetch). */
  warnings: string[];
  truncated: { depth: boolean; count: boolean };
  capabilities: { referrersApi: Capability };
  /**
   * Entries of referrers indexes (tag schema) whose manifest no longer exists: clients only SHOULD clean the
   * index when they delete, so stale entries are normal. Not nodes: never shown or counted as present.
   */
  stale?: StaleReferrer[];
}

export interface StaleReferrer {
  digest: string;
  /** The digest whose referrers index lists it. */
  subject: string;
  /** The referrers index tag (sha256-<hex>) that lists it. */
  indexTag: string;
  artifactType?: string;
}

/**
 * The tag list as a set, built once per list: the store's cache hands every discovery of a repository the same
 * array, and a status call of 100 tags would otherwise build 100 sets of the whole list (20,000 tags: seconds).
 */
const TAG_SETS = new WeakMap<readonly string[], Set<string>>();
function tagSetOf(tags: readonly string[]): Set<string> {
  let set = TAG_SETS.get(tags);
  if (!set) TAG_SETS.set(tags, (set = new Set(tags)));
  return set;
}

export async function discover(store: Store, repository: string, reference: string, options: DiscoverOptions = {}): Promise<SupplyChainGraph> {
  const maxDepth = options.maxDepth ?? 8;
  const maxNodes = options.maxNodes ?? 2000;
  const methods = new Set(options.methods ?? DISCOVERY_METHODS);
  const limit = concurrency(options.concurrency ?? 8);
  const warnings: string[] = [];
  const truncated = { depth: false, count: false };

  // The tag list serves the referrers-tag and cosign-tag lookups, and tells a missing repository from a missing subject.
  const tagsRead = methods.has("tag-schema") || methods.has("cosign-tag") ? store.listTags(repository).catch((e: unknown) => e) : undefined;
  let root: { descriptor: Descriptor; manifest?: Manifest };
  try {
    root = await store.getManifest(repository, reference);
  } catch (err) {
    // A subject given by digest may live elsewhere (cross-repository referrers) or be gone
    // (dangling referrers): still show what refers to it.
    // A missing repository is not a dangling subject: that is a 404 for the caller.
    if (!(err instanceof NotFoundError) || !isDigest(reference) || err.specCode === "NAME_UNKNOWN") throw err;
    // Distribution answers MANIFEST_UNKNOWN even when the repository itself is missing; its tag list says which.
    const tags = await (tagsRead ?? store.listTags(repository).catch((e: unknown) => e));
    if (tags instanceof NotFoundError && tags.specCode === "NAME_UNKNOWN") throw tags;
    root = { descriptor: { mediaType: "application/octet-stream", digest: reference, size: 0 } };
    warnings.push(`the subject ${reference} is not in ${repository}; showing the referrers that point at it`);
  }
  const tags = await tagsRead;
  const tagSet = Array.isArray(tags) ? tagSetOf(tags) : new Set<string>();
  if (tagsRead && !Array.isArray(tags)) warnings.push(`tags of ${repository} could not be listed, so referrers tags and cosign tags were not checked: ${describeError(tags)}`);

  const nodes = new Map<string, GraphNode>();
  const edges = new Map<string, GraphEdge>();
  // Manifests by digest, as promises so that concurrent walkers share one fetch.
  const manifests = new Map<string, Promise<Manifest | undefined>>();
  if (root.manifest) manifests.set(root.descriptor.digest, Promise.resolve(root.manifest));

  const addNode = (d: Descriptor, role: NodeRole, depth: number, extra: { manifest?: Manifest; cosignSuffix?: CosignSuffix; buildkit?: boolean; tag?: string; platform?: Platform } = {}): GraphNode | undefined => {
    const existing = nodes.get(d.digest);
    if (existing) {
      if (extra.tag && !existing.tags.includes(extra.tag)) existing.tags.push(extra.tag);
      return existing;
    }
    if (nodes.size >= maxNodes) {
      truncated.count = true;
      return undefined;
    }
    const m = extra.manifest;
    const annotations = { ...(m?.annotations ?? {}), ...(d.annotations ?? {}) };
    // A descriptor's artifactType that says nothing (missing, empty, a config type) yields to the manifest's.
    const artifactType = isUninformativeArtifactType(d.artifactType) && m ? (artifactTypeOf(m) ?? d.artifactType) : (d.artifactType ?? (m ? artifactTypeOf(m) : undefined));
    const configMediaType = m && (m.kind === "image" || m.kind === "docker-manifest") ? m.config.mediaType : undefined;
    const node: GraphNode = {
      digest: d.digest,
      mediaType: d.mediaType,
      size: d.size,
      artifactType,
      annotations,
      role,
      depth,
      platform: extra.platform ?? d.platform,
      tags: extra.tag ? [extra.tag] : [],
      created: createdOf(annotations),
      // A platform entry of an index is an image even before (or without) reading it.
      classification: role === "platform-manifest" && !m ? { kind: "image", format: "container", label: "platform image" } : classify({
        artifactType,
        mediaType: d.mediaType,
        configMediaType,
        layerMediaTypes: m ? blobsOf(m).slice(configMediaType ? 1 : 0).map((b) => b.mediaType) : undefined,
        annotations: { ...annotations, ...layerAnnotations(m) },
        cosignSuffix: extra.cosignSuffix,
        buildkitAttestation: extra.buildkit,
      }),
    };
    nodes.set(d.digest, node);
    options.onProgress?.(nodes.size);
    return node;
  };

  const addEdge = (from: string, to: string, relation: GraphEdge["relation"], method?: DiscoveryMethod) => {
    const key = `${from}>${to}>${relation}`;
    const e = edges.get(key) ?? { from, to, relation, methods: [] };
    if (method && !e.methods.includes(method)) {
      e.methods.push(method);
      e.methods.sort((a, b) => DISCOVERY_METHODS.indexOf(a) - DISCOVERY_METHODS.indexOf(b));
    }
    edges.set(key, e);
  };

  const fetchManifest = (digest: string): Promise<Manifest | undefined> => {
    let pending = manifests.get(digest);
    if (!pending) {
      pending = limit(() => store.getManifest(repository, digest)).then(
        (fetched) => fetched.manifest,
        (err) => {
          warnings.push(`manifest ${digest} could not be read: ${describeError(err)}`);
          return undefined;
        },
      );
      manifests.set(digest, pending);
    }
    return pending;
  };

  const stale: StaleReferrer[] = [];
  const finderContext: FinderContext = {
    store,
    repository,
    tags: tagSet,
    limit,
    remember: (fetched) => manifests.set(fetched.descriptor.digest, Promise.resolve(fetched.manifest)),
  };
  const finders = FINDERS.filter((f) => methods.has(f.method));

  /**
   * Every referrer of one digest: each method's finder asked on its own (a failure is a warning, not the
   * walk's end), their answers merged per digest in a fixed order.
   */
  const collect = async (digest: string, artifactType: string | undefined): Promise<MergedFind[]> => {
    const results = await Promise.all(finders.map((f) => f.find(digest, artifactType, finderContext)));
    for (const r of results) warnings.push(...r.warnings);
    return mergeFinds(results, DISCOVERY_METHODS);
  };

  /**
   * What only a referrers index lists is checked to exist (an index can outlive a deleted referrer); the
   * digests that are gone are recorded as stale and returned.
   */
  const staleAmong = async (finds: MergedFind[], subject: string): Promise<Set<string>> => {
    const gone = new Set<string>();
    await Promise.all(
      finds
        .filter((m) => m.methods.every((x) => x === "tag-schema"))
        .map(async (m) => {
          try {
            await limit(() => store.headManifest(repository, m.descriptor.digest));
          } catch (err) {
            if (!(err instanceof NotFoundError)) {
              warnings.push(`whether ${m.descriptor.digest} (listed by ${m.indexTags.join(", ")}) still exists could not be checked: ${describeError(err)}`);
              return;
            }
            gone.add(m.descriptor.digest);
            for (const indexTag of m.indexTags) stale.push({ digest: m.descriptor.digest, subject, indexTag, artifactType: m.descriptor.artifactType });
            warnings.push(
              `stale referrer: the referrers tag ${m.indexTags.join(", ")} lists ${m.descriptor.digest}${m.descriptor.artifactType ? ` (${m.descriptor.artifactType})` : ""}, which no longer exists; it is not shown or counted (the client that deleted it did not update the index)`,
            );
          }
        }),
    );
    return gone;
  };

  /**
   * The referrers of one digest that exist, trimmed to the newest N per type when asked: only what is kept
   * is checked for staleness (fewer requests), and when a kept one is gone the next in line takes its place.
   */
  const referrersOf = async (digest: string, artifactType: string | undefined): Promise<MergedFind[]> => {
    let candidates = await collect(digest, artifactType);
    for (;;) {
      const picked = options.newest ? await keepNewest(candidates, options.newest) : candidates;
      const gone = await staleAmong(picked, digest);
      if (gone.size === 0) return picked;
      candidates = candidates.filter((c) => !gone.has(c.descriptor.digest));
    }
  };

  // Breadth-first walk, one referrer level at a time. Platform manifests of an
  // index belong to the same level as the index.
  type Item = { digest: string; depth: number };
  const rootNode = addNode(root.descriptor, "subject", 0, {
    manifest: root.manifest,
    tag: isDigest(reference) ? undefined : reference,
  })!;
  const explored = new Set<string>();

  const explore = async (item: Item, sameLevel: Item[], nextLevel: Item[]): Promise<void> => {
    if (explored.has(item.digest)) return;
    explored.add(item.digest);
    const node = nodes.get(item.digest)!;
    if (isIndexType(node.mediaType)) {
      const m = await fetchManifest(item.digest);
      for (const child of m ? childrenOf(m) : []) {
        const refType = child.annotations?.[Annotation.DockerReferenceType];
        const refDigest = child.annotations?.[Annotation.DockerReferenceDigest];
        if (refType === "attestation-manifest" && refDigest) {
          // BuildKit: an attestation for one of the index's images, stored inside the index.
          if (!methods.has("index-attestation")) continue;
          if (item.depth + 1 > maxDepth) {
            truncated.depth = true;
            continue;
          }
          const target = childrenOf(m!).find((c) => c.digest === refDigest);
          if (target) {
            if (!addNode(target, "platform-manifest", item.depth)) continue;
            addEdge(item.digest, target.digest, "platform");
          } else if (!nodes.has(refDigest)) continue;
          const attManifest = await fetchManifest(child.digest);
          const attType = child.artifactType ?? (attManifest ? artifactTypeOf(attManifest) : undefined);
          if (item.depth === 0 && options.artifactType !== undefined && attType !== options.artifactType) continue;
          if (!addNode(child, "referrer", item.depth + 1, { manifest: attManifest, buildkit: true })) continue;
          addEdge(refDigest, child.digest, "referrer", "index-attestation");
          nextLevel.push({ digest: child.digest, depth: item.depth + 1 });
        } else if (refType !== undefined) {
          continue; // other vnd.docker.reference.type values are not platform images: ignored
        } else {
          if (!addNode(child, "platform-manifest", item.depth)) continue;
          addEdge(item.digest, child.digest, "platform");
          sameLevel.push({ digest: child.digest, depth: item.depth });
        }
      }
    }
    if (item.depth + 1 > maxDepth) {
      // Concurrent checks: only ever set the flag, never clear what another found.
      if (!truncated.depth && options.checkTruncation !== false && (await hasAnyReferrer(item.digest))) truncated.depth = true;
      return;
    }
    const found = await referrersOf(item.digest, item.depth === 0 ? options.artifactType : undefined);
    // Manifests needed to classify are read before any node is added, so that no node's kind depends on
    // which request answered first.
    const withManifests = await Promise.all(
      found.map(async (f) => {
        const needed = !f.manifest && (isIndexType(f.descriptor.mediaType) || isUninformativeArtifactType(f.descriptor.artifactType));
        return { f, manifest: f.manifest ?? (needed ? await fetchManifest(f.descriptor.digest) : undefined) };
      }),
    );
    for (const { f, manifest } of withManifests) {
      const child = addNode(f.descriptor, "referrer", item.depth + 1, { manifest, cosignSuffix: f.cosignSuffix, tag: f.tag });
      if (!child) continue;
      if (child.role === "platform-manifest") child.role = "referrer";
      for (const method of f.methods) addEdge(item.digest, f.descriptor.digest, "referrer", method);
      nextLevel.push({ digest: f.descriptor.digest, depth: item.depth + 1 });
    }
  };

  let level: Item[] = [{ digest: rootNode.digest, depth: 0 }];
  while (level.length > 0) {
    const nextLevel: Item[] = [];
    let current = level;
    while (current.length > 0) {
      const sameLevel: Item[] = [];
      await Promise.all(current.map((item) => explore(item, sameLevel, nextLevel)));
      current = sameLevel;
    }
    level = nextLevel;
  }

  /** The first `top` referrers of each artifact type by created date (undated last), every method's find kept. */
  async function keepNewest(found: MergedFind[], newest: { top: number; order: "asc" | "desc" }): Promise<MergedFind[]> {
    const unique = new Map<string, MergedFind>();
    for (const f of found) if (!unique.has(f.descriptor.digest)) unique.set(f.descriptor.digest, f);
    const described = await Promise.all(
      [...unique.values()].map(async (f) => {
        const manifest = f.manifest ?? (isUninformativeArtifactType(f.descriptor.artifactType) ? await fetchManifest(f.descriptor.digest) : undefined);
        const type = f.descriptor.artifactType ?? (manifest ? artifactTypeOf(manifest) : undefined) ?? f.descriptor.mediaType;
        const created = createdOf({ ...(manifest?.annotations ?? {}), ...(f.descriptor.annotations ?? {}) });
        return { digest: f.descriptor.digest, type, created };
      }),
    );
    described.sort((a, b) => compareCreated(a.created, b.created, newest.order) || (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0));
    const perType = new Map<string, number>();
    const keep = new Set<string>();
    for (const d of described) {
      const n = perType.get(d.type) ?? 0;
      perType.set(d.type, n + 1);
      if (n < newest.top) keep.add(d.digest);
    }
    return found.filter((f) => keep.has(f.descriptor.digest));
  }

  /** Below the depth limit only "is there anything?" is asked: no staleness check, no trimming. */
  async function hasAnyReferrer(digest: string): Promise<boolean> {
    return (await collect(digest, undefined)).length > 0;
  }

  // Platform manifests are shown only when something hangs off them.
  const edgeList = [...edges.values()];
  const keep = pruneBarePlatforms(rootNode.digest, [...nodes.values()], edgeList);
  return {
    repository,
    root: rootNode.digest,
    nodes: [...nodes.values()].filter((n) => keep.has(n.digest)),
    edges: edgeList.filter((e) => keep.has(e.from) && keep.has(e.to)),
    // The same problem is met at every node it concerns (a refused endpoint): said once.
    warnings: [...new Set(warnings)],
    truncated,
    ...(stale.length ? { stale } : {}),
    capabilities: { referrersApi: store.referrersCapability(repository) },
  };
}

/** Remove platform-manifest nodes that lead to no referrer. */
function pruneBarePlatforms(root: string, nodes: GraphNode[], edges: GraphEdge[]): Set<string> {
  const out = new Map<string, GraphEdge[]>();
  for (const e of edges) appendTo(out, e.from, e);
  const memo = new Map<string, boolean>();
  const leadsToReferrer = (digest: string, stack: Set<string>): boolean => {
    if (memo.has(digest)) return memo.get(digest)!;
    if (stack.has(digest)) return false;
    stack.add(digest);
    const result = (out.get(digest) ?? []).some((e) => e.relation === "referrer" || leadsToReferrer(e.to, stack));
    stack.delete(digest);
    memo.set(digest, result);
    return result;
  };
  const keep = new Set<string>();
  for (const n of nodes) {
    if (n.digest === root || n.role !== "platform-manifest" || leadsToReferrer(n.digest, new Set())) keep.add(n.digest);
  }
  return keep;
}

/** Annotations on layers matter for cosign (signature, certificate) and in-toto (predicate type). */
function layerAnnotations(m: Manifest | undefined): Record<string, string> {
  if (!m) return {};
  const out: Record<string, string> = {};
  for (const b of blobsOf(m)) Object.assign(out, b.annotations ?? {});
  return out;
}

/** A tiny promise pool. */
export function concurrency(n: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  const release = () => {
    active--;
    queue.shift()?.();
  };
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (active >= n) await new Promise<void>((resolve) => queue.push(resolve));
    active++;
    try {
      return await fn();
    } finally {
      release();
    }
  };
}
