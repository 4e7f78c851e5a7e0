import { cosignTagFor, referrersTagFor, type CosignSuffix } from "../oci/digest";
import { describeError, RegistryError } from "../oci/errors";
import { MediaType } from "../oci/media-types";
import { artifactTypeOf, type Descriptor, type Manifest } from "../oci/schemas";
import type { FetchedManifest, Store } from "../oci/store";
import type { DiscoveryMethod } from "./discover";

/**
 * One finder per attachment method: what it asks the store about one digest,
 * and what it found, as data. A finder never throws for the walk: its failure
 * is a warning naming the method and the registry's answer, and the other
 * methods' finds still count. (BuildKit's index attestations are not asked
 * for: they are read from the index itself while walking.)
 */

export interface Find {
  descriptor: Descriptor;
  method: DiscoveryMethod;
  /** The manifest, when the method had to read it anyway (cosign tags). */
  manifest?: Manifest;
  cosignSuffix?: CosignSuffix;
  /** The tag it was found through (cosign tags), or the referrers index tag that lists it (tag schema). */
  tag?: string;
}

export interface FinderResult {
  method: DiscoveryMethod;
  finds: Find[];
  warnings: string[];
}

export interface FinderContext {
  store: Store;
  repository: string;
  /** The repository's tags (for referrers tags and cosign tags). */
  tags: ReadonlySet<string>;
  /** Runs a store call within the walk's concurrency limit. */
  limit: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Remember a manifest read by a finder, for the walk. */
  remember: (fetched: FetchedManifest) => void;
}

export interface Finder {
  method: DiscoveryMethod;
  find(digest: string, artifactType: string | undefined, ctx: FinderContext): Promise<FinderResult>;
}

const matches = (artifactType: string | undefined) => (d: Descriptor) => artifactType === undefined || d.artifactType === artifactType;

function failed(method: DiscoveryMethod, what: string, err: unknown): FinderResult {
  const answer = err instanceof RegistryError && err.status !== undefined ? ` (HTTP ${err.status})` : "";
  return { method, finds: [], warnings: [`${what} failed${answer}: ${describeError(err)}; what the other methods found is shown`] };
}

const referrersApi: Finder = {
  method: "referrers-api",
  async find(digest, artifactType, ctx) {
    try {
      const r = await ctx.limit(() => ctx.store.referrers(ctx.repository, digest, { artifactType }));
      if (!r.supported) return { method: "referrers-api", finds: [], warnings: r.warnings ?? [] };
      const listed = r.filtersApplied.includes("artifactType") ? r.descriptors : r.descriptors.filter(matches(artifactType));
      return { method: "referrers-api", finds: listed.map((descriptor) => ({ descriptor, method: "referrers-api" })), warnings: r.warnings ?? [] };
    } catch (err) {
      return failed("referrers-api", `the referrers API for ${digest}`, err);
    }
  },
};

const orasDraft: Finder = {
  method: "oras-draft",
  async find(digest, artifactType, ctx) {
    try {
      const r = await ctx.limit(() => ctx.store.orasDraftReferrers(ctx.repository, digest, { artifactType }));
      if (!r.supported) return { method: "oras-draft", finds: [], warnings: [] };
      return { method: "oras-draft", finds: r.descriptors.filter(matches(artifactType)).map((descriptor) => ({ descriptor, method: "oras-draft" })), warnings: [] };
    } catch (err) {
      return failed("oras-draft", `the ORAS draft referrers endpoint for ${digest}`, err);
    }
  },
};

const tagSchema: Finder = {
  method: "tag-schema",
  async find(digest, artifactType, ctx) {
    const tag = referrersTagFor(digest);
    if (!ctx.tags.has(tag)) return { method: "tag-schema", finds: [], warnings: [] };
    try {
      const fetched = await ctx.limit(() => ctx.store.getManifest(ctx.repository, tag));
      // A digest tag that points at something else than an index is not a referrers index: no referrers.
      if (fetched.manifest.kind !== "index") return { method: "tag-schema", finds: [], warnings: [] };
      const finds = fetched.manifest.manifests.filter(matches(artifactType)).map((descriptor) => ({ descriptor, method: "tag-schema" as const, tag }));
      return { method: "tag-schema", finds, warnings: [] };
    } catch (err) {
      return failed("tag-schema", `reading the referrers tag ${tag}`, err);
    }
  },
};

const COSIGN_SUFFIXES: readonly CosignSuffix[] = ["sig", "att", "sbom"];

const cosignTag: Finder = {
  method: "cosign-tag",
  async find(digest, artifactType, ctx) {
    const result: FinderResult = { method: "cosign-tag", finds: [], warnings: [] };
    await Promise.all(
      COSIGN_SUFFIXES.map(async (suffix) => {
        const tag = cosignTagFor(digest, suffix);
        if (!ctx.tags.has(tag)) return;
        try {
          const fetched = await ctx.limit(() => ctx.store.getManifest(ctx.repository, tag));
          ctx.remember(fetched);
          const descriptor: Descriptor = { ...fetched.descriptor, artifactType: artifactTypeOf(fetched.manifest), annotations: fetched.manifest.annotations };
          if (matches(artifactType)(descriptor)) result.finds.push({ descriptor, method: "cosign-tag", manifest: fetched.manifest, cosignSuffix: suffix, tag });
        } catch (err) {
          result.warnings.push(...failed("cosign-tag", `reading the cosign tag ${tag}`, err).warnings);
        }
      }),
    );
    // Suffix order, whatever order the reads completed in.
    result.finds.sort((a, b) => COSIGN_SUFFIXES.indexOf(a.cosignSuffix!) - COSIGN_SUFFIXES.indexOf(b.cosignSuffix!));
    return result;
  },
};

export const FINDERS: readonly Finder[] = [referrersApi, tagSchema, cosignTag, orasDraft];

/**
 * An artifactType that says nothing about the artifact: missing, the empty
 * type, or a config media type (what some registries and older clients put
 * there; Harbor wrote the config type into its referrers index). The manifest
 * must be read to classify such a descriptor.
 */
export function isUninformativeArtifactType(artifactType: string | undefined): boolean {
  return artifactType === undefined || artifactType === MediaType.OciEmpty || artifactType === MediaType.OciConfig || artifactType === MediaType.DockerConfig;
}

/** What every method said about one digest, combined. */
export interface MergedFind {
  descriptor: Descriptor;
  /** Every method that found it, in the order of DISCOVERY_METHODS. */
  methods: DiscoveryMethod[];
  manifest?: Manifest;
  cosignSuffix?: CosignSuffix;
  tag?: string;
  /** Referrers index tags that list it (for a stale entry's warning). */
  indexTags: string[];
}

/**
 * One deterministic answer per digest, whatever order the finders answered
 * in: descriptors are taken in method order, the artifactType from the first
 * method that gives an informative one, annotations merged (earlier methods
 * win), the finds ordered by digest.
 */
export function mergeFinds(results: readonly FinderResult[], methodOrder: readonly DiscoveryMethod[]): MergedFind[] {
  const ordered = [...results].sort((a, b) => methodOrder.indexOf(a.method) - methodOrder.indexOf(b.method));
  const byDigest = new Map<string, MergedFind>();
  for (const r of ordered) {
    for (const f of r.finds) {
      const d = f.descriptor;
      let m = byDigest.get(d.digest);
      if (!m) {
        m = { descriptor: { ...d, annotations: { ...(d.annotations ?? {}) } }, methods: [], indexTags: [] };
        byDigest.set(d.digest, m);
      } else {
        m.descriptor.annotations = { ...(d.annotations ?? {}), ...m.descriptor.annotations };
        if (isUninformativeArtifactType(m.descriptor.artifactType) && !isUninformativeArtifactType(d.artifactType)) m.descriptor.artifactType = d.artifactType;
      }
      if (!m.methods.includes(f.method)) m.methods.push(f.method);
      if (f.manifest && !m.manifest) m.manifest = f.manifest;
      if (f.cosignSuffix && !m.cosignSuffix) m.cosignSuffix = f.cosignSuffix;
      if (f.method === "cosign-tag" && f.tag && !m.tag) m.tag = f.tag;
      if (f.method === "tag-schema" && f.tag && !m.indexTags.includes(f.tag)) m.indexTags.push(f.tag);
    }
  }
  for (const m of byDigest.values()) {
    m.methods.sort((a, b) => methodOrder.indexOf(a) - methodOrder.indexOf(b));
    if (m.descriptor.annotations && Object.keys(m.descriptor.annotations).length === 0) delete m.descriptor.annotations;
  }
  return [...byDigest.values()].sort((a, b) => (a.descriptor.digest < b.descriptor.digest ? -1 : a.descriptor.digest > b.descriptor.digest ? 1 : 0));
}
