"use client";

import { useUrlParams } from "../use-url-params";
import Link from "next/link";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import type { TagStatus } from "@/lib/server/api/graph";
import type { TagEntry, TagsResponse } from "@/lib/server/api/tags";
import { api, href } from "../api";
import { formatAge, formatBytes, formatDate, platformLabel, shortDigest } from "../format";
import { KIND_STYLES, KindIcon } from "../graph/kinds";
import { VerdictChip } from "../verification/verdict";
import { OutcomeChip } from "../policy/policy-section";
import { signerText } from "@/lib/verification/verdict";
import { Chip, CopyButton, EmptyState, ErrorPanel, Loading, Skeleton } from "../ui/primitives";
import { useRights } from "../account/use-rights";
import { DeleteDialog } from "../lifecycle/delete-dialog";
import { PromoteDialog } from "../promotion/promote-dialog";
import { MetadataDialog } from "../metadata/metadata-dialog";

const PAGE = 50;

const ATTACHED_LABEL: Record<TagEntry["attached"][number]["kind"], string> = {
  "referrers-index": "referrers index",
  "cosign-signature": "cosign signature",
  "cosign-attestation": "cosign attestation",
  "cosign-sbom": "cosign SBOM",
  other: "digest tag",
};

/**
 * A repository's tags: sortable by name or created date, filterable, paged.
 * Each row shows what the tag points at; the supply-chain badges arrive
 * afterwards (one status call per page) into slots of fixed size.
 */
export function TagTable({ registry, repository }: { registry: string; repository: string }) {
  const { params, set: setParams } = useUrlParams();
  const sort = params.get("sort") === "created" ? "created" : "name";
  const order = params.get("order") === "desc" ? "desc" : params.get("order") === "asc" ? "asc" : sort === "created" ? "desc" : "asc";
  const q = params.get("q") ?? "";
  const [filter, setFilter] = useState(q);
  useEffect(() => setFilter(q), [q]);

  useEffect(() => {
    const t = setTimeout(() => {
      if (filter !== q) setParams({ q: filter || undefined });
    }, 250);
    return () => clearTimeout(t);
  }, [filter]);

  const tags = useInfiniteQuery({
    queryKey: ["tags", registry, repository, sort, order, q],
    queryFn: ({ pageParam, signal }) => api.tags(registry, { repository, sort, order, q: q || undefined, n: PAGE, cursor: pageParam }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next,
  });

  const first = tags.data?.pages[0];
  const rows = tags.data?.pages.flatMap((p) => p.tags) ?? [];
  const rights = useRights(registry, repository);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [deleting, setDeleting] = useState(false);
  const [promoting, setPromoting] = useState(false);
  const [annotating, setAnnotating] = useState(false);
  // A selection is of images (digests); promoted by their tags, so that each keeps its name at the target.
  const selectedTags = rows.filter((t) => !t.invalid && t.artifact && selected.has(t.artifact.digest)).map((t) => t.name);
  const toggle = (digest: string) =>
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(digest)) next.delete(digest);
      else next.add(digest);
      return next;
    });

  return (
    <section aria-label="Tags">
      <div className="flex flex-wrap items-center gap-3 text-sm">
        <label className="flex items-center gap-2">
          <span className="sr-only">Filter tags</span>
          <input
            type="search"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
            placeholder="Filter tags"
            className="w-56 rounded-md border border-slate-300 bg-white px-2 py-1 dark:border-slate-700 dark:bg-slate-900"
          />
        </label>
        <label className="flex items-center gap-2">
          Sort by
          <select
            value={sort}
            onChange={(e) => setParams({ sort: e.target.value === "name" ? undefined : e.target.value, order: undefined })}
            className="rounded-md border border-slate-300 bg-white px-2 py-1 dark:border-slate-700 dark:bg-slate-900"
          >
            <option value="name">name</option>
            <option value="created">created date</option>
          </select>
        </label>
        <button
          type="button"
          onClick={() => setParams({ order: order === "asc" ? "desc" : "asc" })}
          className="rounded-md border border-slate-300 px-2 py-1 hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800"
          aria-label={`Order: ${order === "asc" ? "ascending" : "descending"}; switch`}
        >
          {order === "asc" ? "↑ ascending" : "↓ descending"}
        </button>
        <button
          type="button"
          disabled={selected.size === 0 || !rights.has("delete")}
          onClick={() => setDeleting(true)}
          title={rights.has("delete") ? "Select tags, then see what would be deleted" : rights.why("delete")}
          className="rounded-md border border-red-300 px-2 py-1 text-red-700 disabled:opacity-50 dark:border-red-800 dark:text-red-300"
        >
          Delete selected ({selected.size})…
        </button>
        <button
          type="button"
          disabled={selectedTags.length === 0 || !rights.has("pull")}
          onClick={() => setPromoting(true)}
          title={rights.has("pull") ? "Copy the selected tags with their supply chains to another repository or registry: the plan first" : rights.why("pull")}
          className="rounded-md border border-slate-300 px-2 py-1 hover:bg-slate-100 disabled:opacity-50 dark:border-slate-700 dark:hover:bg-slate-800"
        >
          Promote selected ({selectedTags.length})…
        </button>
        {promoting && <PromoteDialog registry={registry} repository={repository} references={selectedTags} onClose={() => setPromoting(false)} />}
        <button
          type="button"
          disabled={selected.size === 0 || !rights.has("annotate")}
          onClick={() => setAnnotating(true)}
          title={rights.has("annotate") ? "Add a deletion date, a superseded-by, a review mark or annotations to each selected image" : rights.why("annotate")}
          className="rounded-md border border-slate-300 px-2 py-1 hover:bg-slate-100 disabled:opacity-50 dark:border-slate-700 dark:hover:bg-slate-800"
        >
          Add metadata ({selected.size})…
        </button>
        {annotating && (
          <MetadataDialog
            registry={registry}
            repository={repository}
            references={[...selected]}
            onClose={() => {
              setAnnotating(false);
              setSelected(new Set());
            }}
          />
        )}
        {deleting && (
          <DeleteDialog
            registry={registry}
            repository={repository}
            digests={[...selected]}
            onClose={() => {
              setDeleting(false);
              setSelected(new Set());
            }}
          />
        )}
        {first && (
          <span className="ml-auto text-slate-500 dark:text-slate-400">
            {first.total} tag{first.total === 1 ? "" : "s"}
            {first.digestTags.tags > 0 && ` · ${first.digestTags.tags} digest tags grouped under ${first.digestTags.subjects} subjects`}
          </span>
        )}
      </div>
      <div className="mt-3">
        {tags.isPending ? (
          <Loading label="Loading tags" lines={8} />
        ) : tags.isError ? (
          <ErrorPanel error={tags.error} what={`the tags of ${repository}`} />
        ) : rows.length === 0 ? (
          <EmptyState title={q ? `No tag matches "${q}"` : "This repository has no tags"}>
            {first && first.digestTags.tags > 0 ? `It has ${first.digestTags.tags} digest tags (referrers indexes or cosign tags), which are not images.` : null}
          </EmptyState>
        ) : (
          <>
            <div className="overflow-x-auto rounded-lg border border-slate-200 dark:border-slate-800">
              {/* On a phone each row is a block: the tag, then its digest, type, size, date and badges, wrapped. */}
              <table className="block w-full text-left text-sm md:table">
                <thead className="hidden bg-slate-50 text-xs uppercase tracking-wide text-slate-500 md:table-header-group dark:bg-slate-900 dark:text-slate-400">
                  <tr>
                    <th className="w-8 px-2 py-2">
                      <span className="sr-only">Select</span>
                    </th>
                    <th className="px-3 py-2">Tag</th>
                    <th className="px-3 py-2">Digest</th>
                    <th className="px-3 py-2">Type</th>
                    <th className="px-3 py-2 text-right" title="Images: config and layers. Indexes: every platform, layers shared between platforms counted once (hover a size for each platform).">
                      Size <span className="font-normal text-slate-500">(content)</span>
                    </th>
                    <th className="px-3 py-2">Created</th>
                    <th className="min-w-[23rem] px-3 py-2">Supply chain</th>
                  </tr>
                </thead>
                {tags.data.pages.map((page, i) => (
                  <TagPage key={i} registry={registry} repository={repository} page={page} selected={selected} onToggle={toggle} />
                ))}
              </table>
            </div>
            <div className="mt-3 flex items-center gap-3 text-sm text-slate-500 dark:text-slate-400">
              <span>
                Showing {rows.length} of {first?.total}
              </span>
              {tags.hasNextPage && (
                <button
                  type="button"
                  onClick={() => tags.fetchNextPage()}
                  disabled={tags.isFetchingNextPage}
                  className="rounded-md border border-slate-300 px-3 py-1 text-slate-700 hover:bg-slate-100 disabled:opacity-50 dark:border-slate-700 dark:text-slate-200 dark:hover:bg-slate-800"
                >
                  {tags.isFetchingNextPage ? "Loading…" : "Load more"}
                </button>
              )}
            </div>
          </>
        )}
      </div>
    </section>
  );
}

/** One page of rows, with its own status call (up to 100 tags at once). */
function TagPage({ registry, repository, page, selected, onToggle }: { registry: string; repository: string; page: TagsResponse; selected: Set<string>; onToggle: (digest: string) => void }) {
  const names = page.tags.filter((t) => t.artifact && !t.invalid).map((t) => t.name);
  const status = useQuery({
    queryKey: ["status", registry, repository, names],
    queryFn: ({ signal }) => api.status(registry, repository, names, signal),
    enabled: names.length > 0,
  });
  const byTag = new Map<string, TagStatus>((status.data?.statuses ?? []).map((s) => [s.reference, s]));
  // Created dates and index sizes, read by digest after the first paint; a digest's answer never changes.
  const pending = [...new Set(page.tags.filter((t) => t.detailsPending && t.artifact).map((t) => t.artifact!.digest))];
  const details = useQuery({
    queryKey: ["artifacts", registry, repository, pending],
    queryFn: ({ signal }) => api.artifacts(registry, repository, pending, signal),
    enabled: pending.length > 0,
    staleTime: Infinity,
  });
  const detailed = (t: TagEntry): TagEntry => {
    const full = t.detailsPending && t.artifact ? details.data?.artifacts[t.artifact.digest]?.artifact : undefined;
    return full ? { ...t, artifact: full, detailsPending: false } : t;
  };
  return (
    <tbody className="block divide-y divide-slate-200 md:table-row-group dark:divide-slate-800">
      {page.tags.map((t) => (
        <TagRow
          key={t.name}
          registry={registry}
          repository={repository}
          tag={detailed(t)}
          detailsLoading={!!t.detailsPending && details.isPending}
          status={byTag.get(t.name)}
          loading={status.isPending && names.length > 0}
          failed={status.isError}
          selected={!!t.artifact && selected.has(t.artifact.digest)}
          onToggle={onToggle}
        />
      ))}
    </tbody>
  );
}

/** Per platform, for an index (the cell shows the total, shared layers once). */
function sizeTitle(t: TagEntry): string | undefined {
  const a = t.artifact;
  if (!a) return undefined;
  if (a.platforms) {
    const lines = a.platforms.map((p) => `${platformLabel(p.platform)}: ${p.contentSize !== undefined ? formatBytes(p.contentSize) : "unknown"}`);
    return `All platforms, shared layers counted once.\n${lines.join("\n")}`;
  }
  return a.contentSize !== undefined ? "Config and layers" : "Manifest only";
}

function typeLabel(t: TagEntry): string {
  const a = t.artifact;
  if (!a) return "—";
  if (a.platforms) return `index · ${a.platforms.length} platform${a.platforms.length === 1 ? "" : "s"}`;
  if (a.classification.kind === "image") return "image";
  return a.artifactType ?? a.classification.label;
}

function TagRow({
  registry,
  repository,
  tag: t,
  detailsLoading,
  status,
  loading,
  failed,
  selected,
  onToggle,
}: {
  registry: string;
  repository: string;
  tag: TagEntry;
  /** Created date and size still being read (they fill in the same slots). */
  detailsLoading: boolean;
  status?: TagStatus;
  loading: boolean;
  failed: boolean;
  selected: boolean;
  onToggle: (digest: string) => void;
}) {
  const a = t.artifact;
  return (
    <tr className="flex flex-wrap items-center gap-x-3 gap-y-1 px-1 py-2 align-top hover:bg-slate-50 md:table-row md:p-0 dark:hover:bg-slate-900/60">
      <td className="px-1 md:px-2 md:py-2">
        {a && <input type="checkbox" aria-label={`Select ${t.name}`} checked={selected} onChange={() => onToggle(a.digest)} />}
      </td>
      <td className="min-w-0 basis-[calc(100%-3rem)] px-1 md:basis-auto md:px-3 md:py-2">
        {t.invalid ? (
          <span className="flex flex-wrap items-center gap-1">
            <span className="break-all font-mono text-slate-700 dark:text-slate-300" data-testid="invalid-tag">
              {t.invalid.display}
            </span>
            <Chip tone="red" title="The registry lists this name, but it breaks the tag grammar: it is shown escaped and cannot be opened.">
              invalid tag
            </Chip>
          </span>
        ) : (
          <Link href={href.artifact(registry, repository, t.name)} className="break-all font-mono font-medium text-blue-700 hover:underline dark:text-blue-300">
            {t.name}
          </Link>
        )}
        {t.attached.length > 0 && (
          <ul className="mt-1 space-y-0.5" aria-label={`Digest tags of ${t.name}`}>
            {t.attached.map((d) => (
              <li key={d.tag} className="text-xs text-slate-500 dark:text-slate-400" title={d.tag}>
                ↳ {ATTACHED_LABEL[d.kind]} <span className="font-mono">{d.tag.length > 30 ? `${d.tag.slice(0, 19)}…${d.tag.slice(-8)}` : d.tag}</span>
              </li>
            ))}
          </ul>
        )}
        {t.error && <p className="mt-1 text-xs text-red-700 dark:text-red-300">{t.error.message}</p>}
      </td>
      <td className="pl-8 md:px-3 md:py-2">
        {a && (
          <span className="flex items-center gap-2">
            <Link href={href.artifact(registry, repository, a.digest)} className="font-mono text-xs hover:underline" title={a.digest}>
              {shortDigest(a.digest)}
            </Link>
            <CopyButton text={a.digest} label={`digest of ${t.name}`} />
          </span>
        )}
      </td>
      <td className="max-w-[16rem] truncate text-xs md:px-3 md:py-2" title={a?.artifactType ?? a?.mediaType}>
        {typeLabel(t)}
      </td>
      <td className="text-xs tabular-nums md:px-3 md:py-2 md:text-right" title={sizeTitle(t)}>
        {detailsLoading && a?.platforms ? <Skeleton className="ml-auto h-3 w-14" /> : formatBytes(a?.contentSize ?? a?.size)}
      </td>
      <td className="text-xs tabular-nums md:px-3 md:py-2">{detailsLoading && !a?.created ? <Skeleton className="h-3 w-28" /> : formatDate(a?.created)}</td>
      <td className="basis-full pl-8 md:basis-auto md:px-3 md:py-2">
        <Badges status={status} loading={loading} failed={failed} />
      </td>
    </tr>
  );
}

const BADGES = [
  { key: "signed", label: "signed", kind: "signature" },
  { key: "sbom", label: "SBOM", kind: "sbom" },
  { key: "scanned", label: "scanned", kind: "vulnerability-scan" },
  { key: "attested", label: "attested", kind: "attestation" },
] as const;

/** Four fixed slots: skeletons while loading, then present or absent; the row never changes size. */
function Badges({ status, loading, failed }: { status?: TagStatus; loading: boolean; failed: boolean }) {
  if (status?.error) return <Chip tone="red" title={status.error.message}>status unavailable</Chip>;
  const policy = status?.policy;
  return (
    <span className="flex flex-wrap gap-1" aria-busy={loading}>
      {policy && (
        <span data-testid="policy-slot" className="inline-flex">
          <OutcomeChip
            outcome={policy.outcome}
            prefix="policy"
            className="w-28"
            title={policy.results.map((r) => `${r.policy}${r.mode === "audit" ? " (audit)" : ""}: ${r.outcome}${r.notPassed.length ? ` (${r.notPassed.map((x) => `${x.rule}: ${x.reason}`).join("; ")})` : ""}`).join("\n")}
          />
        </span>
      )}
      {BADGES.map((b) => {
        const width = b.key === "signed" ? "w-[5.75rem]" : b.key === "scanned" ? "w-[5.5rem]" : b.key === "sbom" ? "w-20" : "w-16";
        if (!status?.status) {
          return loading ? <Skeleton key={b.key} className={`h-5 ${width}`} /> : <span key={b.key} className={`inline-block h-5 ${width} text-center text-xs text-slate-400`}>{failed ? "?" : "—"}</span>;
        }
        const on = status.status[b.key];
        const count = status.status.counts[b.kind] ?? 0;
        // "signed" says whether a signature holds, not only that one is attached.
        if (b.key === "signed" && status.verification) {
          const v = status.verification;
          const title = v.verdict === "verified" ? `verified: signed by ${v.signers.map(signerText).join(" and ")} (${v.verified} of ${v.signatures} signature${v.signatures === 1 ? "" : "s"} verified)` : v.summary;
          return <VerdictChip key={b.key} verdict={v.verdict} title={title} className={width} />;
        }
        // The newest scan's counts and the SBOM's size, where the user may read documents (pull right).
        const docs = status.documents;
        if (b.key === "scanned" && docs?.scan?.counts) {
          const c = docs.scan.counts;
          const bad = c.critical + c.high > 0;
          return (
            <span
              key={b.key}
              data-testid="scan-slot"
              title={`newest scan: ${docs.scan.text}; ${docs.scan.tool ?? ""}, ${formatAge(docs.scan.time)}`}
              className={`inline-flex h-5 ${width} items-center justify-center gap-1 rounded border text-xs tabular-nums ${bad ? "border-red-400 text-red-800 dark:text-red-200" : "border-emerald-400 text-emerald-800 dark:text-emerald-200"}`}
            >
              <KindIcon kind="vulnerability-scan" className="h-3 w-3" />
              {c.critical}C {c.high}H
            </span>
          );
        }
        if (b.key === "sbom" && docs?.sbom?.packages !== undefined) {
          return (
            <span key={b.key} data-testid="sbom-slot" title={docs.sbom.text} className={`inline-flex h-5 ${width} items-center justify-center gap-0.5 rounded border text-xs tabular-nums ${KIND_STYLES.sbom.accent}`}>
              <KindIcon kind="sbom" className="h-3 w-3" />
              {docs.sbom.packages} pkg
            </span>
          );
        }
        return (
          <span
            key={b.key}
            title={on ? `${count} ${KIND_STYLES[b.kind].label}${count === 1 ? "" : "s"} attached` : `not ${b.label}`}
            className={`inline-flex h-5 ${width} items-center justify-center gap-0.5 rounded text-xs ${
              on ? `border ${KIND_STYLES[b.kind].accent} bg-white dark:bg-slate-900` : "border border-dashed border-slate-300 text-slate-400 dark:border-slate-700 dark:text-slate-600"
            }`}
          >
            {on && <KindIcon kind={b.kind} className="h-3 w-3" />}
            {b.label}
          </span>
        );
      })}
    </span>
  );
}
