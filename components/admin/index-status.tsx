"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../api";
import { formatAge } from "../format";
import { EmptyState, ErrorPanel, Loading } from "../ui/primitives";

/** What the background walk of each registry has done, how fast, and what failed. */
export function IndexStatusView() {
  const status = useQuery({ queryKey: ["index-status"], queryFn: ({ signal }) => api.indexStatus(signal), refetchInterval: 5_000 });
  const client = useQueryClient();
  const [notice, setNotice] = useState<string>();
  const walk = useMutation({
    mutationFn: (registry?: string) => api.indexWalk(registry),
    onSuccess: (r) => {
      setNotice(r.state === "walking" ? `Walking ${r.registries.join(", ")} now.` : `Asked the replica that walks to walk ${r.registries.join(", ")}; it starts within a few seconds.`);
      void client.invalidateQueries({ queryKey: ["index-status"] });
    },
  });
  if (status.isPending) return <Loading label="Loading the index status" />;
  if (status.isError) return <ErrorPanel error={status.error} what="the index status" />;
  if (!status.data.enabled) {
    return <EmptyState title="The index is off">Set index.enabled: true in the configuration: the server then walks every registry in the background, and search answers from it.</EmptyState>;
  }
  return (
    <div className="space-y-2">
      <p className="text-sm text-slate-600 dark:text-slate-300" data-testid="index-role">
        Database: {status.data.database === "postgres" ? "PostgreSQL (shared with any other replicas)" : "SQLite"}.{" "}
        {status.data.crawler ? "This server walks the registries (it holds the crawler's lease)." : "Another replica walks the registries; this one serves search and passes events on."}
      </p>
      <div className="flex flex-wrap items-center gap-3">
        <button type="button" className="rounded border border-slate-300 px-3 py-1 text-sm hover:bg-slate-100 disabled:opacity-50 dark:border-slate-700 dark:hover:bg-slate-800" disabled={walk.isPending} onClick={() => walk.mutate(undefined)}>
          Walk every registry now
        </button>
        {notice && !walk.isError && <p role="status" className="text-sm text-slate-600 dark:text-slate-300">{notice}</p>}
        {walk.isError && <ErrorPanel error={walk.error} what="the walk" />}
      </div>
      <div className="overflow-x-auto">
        <table className="w-full text-left text-sm" data-testid="index-status">
          <thead className="text-xs uppercase text-slate-500">
            <tr>
              <th className="px-3 py-2">Registry</th>
              <th className="px-3 py-2">Repositories</th>
              <th className="px-3 py-2">Tags</th>
              <th className="px-3 py-2">Rate</th>
              <th className="px-3 py-2">Last complete</th>
              <th className="px-3 py-2">Problems</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
            {status.data.registries.map((r) => (
              <tr key={r.registry} className="align-top">
                <td className="px-3 py-2">
                  <span className="font-mono">{r.registry}</span>
                  {!r.running && (
                    <button type="button" className="ml-2 text-xs text-blue-700 underline disabled:opacity-50 dark:text-blue-300" disabled={walk.isPending} onClick={() => walk.mutate(r.registry)} aria-label={`Walk ${r.registry} now`}>
                      walk now
                    </button>
                  )}
                </td>
                <td className="px-3 py-2 tabular-nums">
                  {r.repositoriesDone} / {r.repositoriesTotal ?? "?"}
                  {r.running && <span className="ml-2 text-xs text-blue-700 dark:text-blue-300">walking{r.etaSeconds === undefined ? "" : r.etaSeconds < 60 ? ", less than a minute left" : `, about ${Math.round(r.etaSeconds / 60)} min left`}</span>}
                </td>
                <td className="px-3 py-2 tabular-nums">{r.tagsDone}</td>
                <td className="px-3 py-2 tabular-nums">{r.ratePerMinute !== undefined ? `${r.ratePerMinute} repositories/min` : "—"}</td>
                <td className="px-3 py-2" title={r.completedAt}>
                  {r.completedAt ? formatAge(r.completedAt) : "not yet"}
                </td>
                <td className="px-3 py-2 text-xs">
                  {r.rateLimitedUntil && (
                    <p className="text-amber-700 dark:text-amber-300">
                      The registry asked to slow down (429): the walk waits until {new Date(r.rateLimitedUntil).toLocaleTimeString()}, as its Retry-After says.
                    </p>
                  )}
                  {r.lastError && <p className="text-red-700 dark:text-red-300">{r.lastError}</p>}
                  {r.failing.slice(0, 5).map((f) => (
                    <p key={f.repository}>
                      <span className="font-mono">{f.repository}</span>: {f.error}
                    </p>
                  ))}
                  {r.failing.length > 5 && <p>and {r.failing.length - 5} more</p>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
