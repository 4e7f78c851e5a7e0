import { z } from "zod";
import { describeError, RegistryError } from "../../oci/errors";
import { visibleText } from "../../oci/display";
import { TAG_PATTERN, validateRepository } from "../../oci/reference";
import type { Store } from "../../oci/store";
import { describeManifest, summarizeArtifact, type ArtifactSummary } from "../../supply-chain/artifact";
import { compareCreated } from "../../supply-chain/created";
import { concurrency } from "../../supply-chain/discover";
import { digestTagKind, groupTags } from "../../supply-chain/tag-groups";
import { UnprocessableError } from "../errors";
import type { HandlerContext } from "../http";
import { cursorParam, intParam, registryParam, repositoryParam } from "./params";

export const tagsInput = z.object({
  registry: registryParam,
  repository: repositoryParam,
  sort: z.enum(["name", "created"], { error: '"sort" must be "name" or "created"' }).default("name"),
  order: z.enum(["asc", "desc"], { error: '"order" must be "asc" or "desc"' }).optional(),
  q: z.string().max(128, "the filter is too long").optional(),
  n: intParam("n", 1, 500).default(50),
  cursor: cursorParam.refine((c) => c === undefined || /^\d{1,7}$/.test(c), "the cursor is not one this API returned"),
});

export interface AttachedTag {
  tag: string;
  kind: ReturnType<typeof digestTagKind>;
}

export interface TagEntry {
  name: string;
  /** What the tag points at; absent when it could not be read (see error). */
  artifact?: ArtifactSummary;
  /** Digest tags (referrers index, cosign tags) of the tag's digest. */
  attached: AttachedTag[];
  error?: { code: string; message: string };
  /**
   * The artifact is described from its manifest alone (first paint at one
   * request per tag): its created date (an image config's) and an index's
   * size are read afterwards by digest through the artifacts call.
   */
  detailsPending?: boolean;
  /**
   * The registry listed a name that breaks the tag grammar (control
   * characters, a right-to-left override, 10,000 characters …): it is shown
   * escaped as `display`, never fetched and never linked.
   */
  invalid?: { display: string };
}

export interface TagsResponse {
  registry: string;
  repository: string;
  sort: "name" | "created";
  order: "asc" | "desc";
  /** Tags that match (all pages), digest tags not counted. */
  total: number;
  tags: TagEntry[];
  next?: string;
  /** Tags derived from digests, grouped under their subjects rather than listed. */
  digestTags: { tags: number; subjects: number };
}

/** How many tags are read at once while resolving a page. */
const RESOLVE_CONCURRENCY = 32;

export async function listTags(input: z.infer<typeof tagsInput>, { runtime }: HandlerContext): Promise<TagsResponse> {
  validateRepository(input.repository);
  const { config, store } = runtime.registries.get(input.registry);
  const all = await store.listTags(input.repository);
  const { images, bySubject, byName } = arrangedTags(all);
  const q = input.q?.toLowerCase();
  const matching = q ? images.filter((t) => t.toLowerCase().includes(q)) : images;
  const order = input.order ?? (input.sort === "created" ? "desc" : "asc");
  const offset = input.cursor ? Number(input.cursor) : 0;

  let page: TagEntry[];
  let total = matching.length;
  if (input.sort === "name") {
    const sorted = q ? byName.filter((t) => t.toLowerCase().includes(q)) : [...byName];
    if (order === "desc") sorted.reverse();
    page = await resolveTags(store, input.repository, sorted.slice(offset, offset + input.n), "manifest");
  } else {
    const limit = runtime.config.tags.maxForDateSort;
    if (matching.length > limit) {
      throw new UnprocessableError(
        `sorting ${matching.length} tags of ${input.repository} by created date means reading every one of them; narrow the list with q= to at most ${limit} tags, or sort by name (the limit is tags.maxForDateSort in the config)`,
        "too_many_tags_to_sort",
      );
    }
    const resolved = await resolveTags(store, input.repository, matching, "full");
    resolved.sort((a, b) => byCreated(a, b, order));
    total = resolved.length;
    page = resolved.slice(offset, offset + input.n);
  }
  for (const entry of page) {
    const digest = entry.artifact?.digest;
    entry.attached = digest ? (bySubject.get(digest) ?? []).map((t) => ({ tag: t.tag, kind: digestTagKind(t) })) : [];
  }
  return {
    registry: config.id,
    repository: input.repository,
    sort: input.sort,
    order,
    total,
    tags: page,
    next: offset + input.n < total ? String(offset + input.n) : undefined,
    digestTags: { tags: all.length - images.length, subjects: bySubject.size },
  };
}

/**
 * Each tag's artifact: from its manifest alone ("manifest": one request per
 * tag, details later), or with the created date and sizes ("full": what a
 * sort by date needs).
 */
async function resolveTags(store: Store, repository: string, tags: string[], depth: "manifest" | "full"): Promise<TagEntry[]> {
  const limit = concurrency(RESOLVE_CONCURRENCY);
  return Promise.all(
    tags.map((name) =>
      limit(async (): Promise<TagEntry> => {
        if (!TAG_PATTERN.test(name)) {
          const display = visibleText(name, 120);
          return {
            name,
            attached: [],
            invalid: { display },
            error: { code: "INVALID_TAG", message: `the registry lists a tag that is not a valid tag name (${name.length} characters); it cannot be fetched by name. Ask the registry's administrator to remove it` },
          };
        }
        try {
          const fetched = await store.getManifest(repository, name);
          if (depth === "full") return { name, artifact: await summarizeArtifact(store, repository, fetched), attached: [] };
          const artifact = describeManifest(fetched);
          return { name, artifact, attached: [], detailsPending: needsDetails(artifact) || undefined };
        } catch (err) {
          const code = err instanceof RegistryError ? err.code : "ERROR";
          return { name, attached: [], error: { code, message: describeError(err) } };
        }
      }),
    ),
  );
}

/**
 * A tag list grouped and sorted by name, once per list: the store's cache hands every call the same array until
 * the list changes, and sorting 20,000 tags version-aware costs more CPU than the 100 requests of a page.
 */
const ARRANGED = new WeakMap<readonly string[], ReturnType<typeof groupTags> & { byName: string[] }>();
function arrangedTags(all: readonly string[]) {
  let arranged = ARRANGED.get(all);
  if (!arranged) {
    const groups = groupTags(all);
    ARRANGED.set(all, (arranged = { ...groups, byName: [...groups.images].sort(naturalCompare) }));
  }
  return arranged;
}

/** What describeManifest leaves for summarizeArtifact: a date from the config (or first platform), an index's size. */
export function needsDetails(a: ArtifactSummary): boolean {
  return a.platforms !== undefined || (!a.created && (a.manifestKind === "image" || a.manifestKind === "docker-manifest"));
}

const collator = new Intl.Collator("en", { numeric: true, sensitivity: "case" });

/** Version-aware: v1.9 before v1.10. */
export function naturalCompare(a: string, b: string): number {
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

function byCreated(a: TagEntry, b: TagEntry, order: "asc" | "desc"): number {
  return compareCreated(a.artifact?.created, b.artifact?.created, order) || naturalCompare(a.name, b.name);
}
