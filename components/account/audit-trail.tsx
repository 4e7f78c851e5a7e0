"use client";

import { useUrlParams } from "../use-url-params";
import { useInfiniteQuery } from "@tanstack/react-query";
import type { AuditResponse } from "@/lib/server/api/audit";
import { apiGet } from "../api";
import { formatDate } from "../format";
import { Chip, EmptyState, ErrorPanel, Loading } from "../ui/primitives";

const FILTERS = ["user", "action", "outcome", "registry", "from", "to"] as const;

/** The audit trail with filters in the URL, "Load older" paging, and CSV / JSON export of the same selection. */
export function AuditTrail() {
  const { params, set } = useUrlParams();
  const filters = Object.fromEntries(FILTERS.map((f) => [f, params.get(f) ?? undefined])) as Record<(typeof FILTERS)[number], string | undefined>;
  const trail = useInfiniteQuery({
    queryKey: ["audit", filters],
    queryFn: ({ pageParam, signal }) => apiGet<AuditResponse>("/api/audit", { ...filters, limit: 100, before: pageParam }, signal),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last) => last.next,
  });
  const rows = trail.data?.pages.flatMap((p) => p.rows) ?? [];
  const exportQuery = new URLSearchParams(Object.entries(filters).filter(([, v]) => v) as [string, string][]);
  exportQuery.set("limit", "10000");
  return (
    <div className="space-y-4">
      <form
        aria-label="Filter the audit trail"
        className="flex flex-wrap items-end gap-3 text-sm"
        onSubmit={(e) => {
          e.preventDefault();
          const form = new FormData(e.currentTarget);
          set(Object.fromEntries(FILTERS.map((f) => [f, String(form.get(f) ?? "").trim() || undefined])));
        }}
      >
        {(["user", "action", "registry"] as const).map((f) => (
          <label key={f} className="flex flex-col gap-1">
            <span className="text-xs capitalize text-slate-500">{f}</span>
            <input name={f} defaultValue={filters[f]} className="w-36 rounded-md border border-slate-300 bg-white px-2 py-1 dark:border-slate-700 dark:bg-slate-900" />
          </label>
        ))}
        <label className="flex flex-col gap-1">
          <span className="text-xs text-slate-500">Outcome</span>
          <select name="outcome" defaultValue={filters.outcome ?? ""} className="rounded-md border border-slate-300 bg-white px-2 py-1 dark:border-slate-700 dark:bg-slate-900">
            <option value="">any</option>
            <option value="success">success</option>
            <option value="failure">failure</option>
            <option value="denied">denied</option>
          </select>
        </label>
        {(["from", "to"] as const).map((f) => (
          <label key={f} className="flex flex-col gap-1">
            <span className="text-xs capitalize text-slate-500">{f}</span>
            <input name={f} type="date" defaultValue={filters[f]} className="rounded-md border border-slate-300 bg-white px-2 py-1 dark:border-slate-700 dark:bg-slate-900" />
          </label>
        ))}
        <button type="submit" className="rounded-md bg-slate-900 px-3 py-1 text-white dark:bg-slate-100 dark:text-slate-900">
          Apply
        </button>
        <span className="ml-auto flex gap-2">
          <a href={`/api/audit?${exportQuery}&format=csv`} className="rounded-md border border-slate-300 px-3 py-1 hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800">
            Export CSV
          </a>
          <a href={`/api/audit?${exportQuery}&format=json`} download="chainsight-audit.json" className="rounded-md border border-slate-300 px-3 py-1 hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800">
            Export JSON
          </a>
        </span>
      </form>
      {trail.isPending ? (
        <Loading label="Loading the audit trail" lines={8} />
      ) : trail.isError ? (
        <ErrorPanel error={trail.error} what="the audit trail" />
      ) : rows.length === 0 ? (
        <EmptyState title="No audit entries match these filters" />
      ) : (
        <>
          <div className="overflow-x-auto rounded-lg border border-slate-200 dark:border-slate-800">
            <table className="w-full text-left text-xs">
              <thead className="bg-slate-50 uppercase tracking-wide text-slate-500 dark:bg-slate-900">
                <tr>
                  {["Time", "User", "Action", "Registry", "Repository", "Reference", "Outcome", "Status", "Upstream", "ms"].map((h) => (
                    <th key={h} className="px-2 py-2">
                      {h}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
                {rows.map((r) => (
                  <tr key={r.id} title={r.message}>
                    <td className="whitespace-nowrap px-2 py-1 tabular-nums">{formatDate(r.time)}</td>
                    <td className="px-2 py-1">{r.user}</td>
                    <td className="px-2 py-1 font-mono">{r.action}</td>
                    <td className="px-2 py-1">{r.registry ?? "—"}</td>
                    <td className="max-w-[14rem] truncate px-2 py-1 font-mono">{r.repository ?? "—"}</td>
                    <td className="max-w-[10rem] truncate px-2 py-1 font-mono">{r.reference ?? "—"}</td>
                    <td className="px-2 py-1">
                      <Chip tone={r.outcome === "success" ? "green" : r.outcome === "denied" ? "amber" : "red"}>{r.outcome}</Chip>
                    </td>
                    <td className="px-2 py-1 tabular-nums">{r.status}</td>
                    <td className="px-2 py-1 tabular-nums">{r.upstreamStatus ?? ""}</td>
                    <td className="px-2 py-1 tabular-nums">{r.durationMs}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {trail.hasNextPage && (
            <button type="button" onClick={() => trail.fetchNextPage()} className="rounded-md border border-slate-300 px-3 py-1 text-sm hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800">
              {trail.isFetchingNextPage ? "Loading…" : "Load older entries"}
            </button>
          )}
        </>
      )}
    </div>
  );
}
