"use client";

import { useUrlParams } from "../use-url-params";
import Link from "next/link";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { api, href } from "../api";
import { formatAge } from "../format";
import { ImportDialog } from "../promotion/import-dialog";
import { EmptyState, ErrorPanel, Loading } from "../ui/primitives";

const PAGE = 100;

/**
 * A registry's repositories: the namespace tree one level at a time (prefix
 * in the URL), and a flat, filterable list of everything under the current
 * namespace, loaded a page at a time.
 */
export function RepositoryBrowser({ registry }: { registry: string }) {
  const { params, set } = useUrlParams();
  const prefix = params.get("prefix") ?? "";
  const q = params.get("q") ?? "";
  const [filter, setFilter] = useState(q);
  const [importing, setImporting] = useState(false);
  useEffect(() => setFilter(q), [q]);

  // Keep the filter in the URL (so it survives a reload), without a history entry per keystroke.
  useEffect(() => {
    const t = setTimeout(() => {
      if (filter !== q) set({ q: filter || undefined });
    }, 250);
    return () => clearTimeout(t);
  }, [filter, q, set]);

  const tree = useQuery({
    queryKey: ["repositories", registry, "tree", prefix],
    queryFn: ({ signal }) => api.repositories(registry, { view: "tree", prefix: prefix || undefined, n: 1 }, signal),
  });
  const list = useInfiniteQuery({
    queryKey: ["repositories", registry, "flat", prefix, q],
    queryFn: ({ pageParam, signal }) => api.repositories(registry, { prefix: prefix || undefined, q: q || undefined, n: PAGE, cursor: pageParam }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next,
  });

  const crumbs = prefix.split("/").filter(Boolean);
  const repositories = list.data?.pages.flatMap((p) => p.repositories) ?? [];
  const total = list.data?.pages[0]?.total;
  const age = list.data?.pages[0]?.catalogAgeSeconds;

  return (
    <div className="grid gap-6 lg:grid-cols-[18rem_1fr]">
      <nav aria-label="Namespaces" className="min-w-0">
        <h2 className="text-sm font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">Namespaces</h2>
        <ol className="mt-2 flex flex-wrap items-center gap-1 text-sm">
          <li>
            <Link href={href.registry(registry)} className="text-blue-700 hover:underline dark:text-blue-300">
              {registry}
            </Link>
          </li>
          {crumbs.map((c, i) => (
            <li key={i} className="flex items-center gap-1">
              <span aria-hidden>/</span>
              <Link href={href.registry(registry, { prefix: crumbs.slice(0, i + 1).join("/") + "/" })} className="text-blue-700 hover:underline dark:text-blue-300">
                {c}
              </Link>
            </li>
          ))}
        </ol>
        <div className="mt-3">
          {tree.isPending ? (
            <Loading label="Loading namespaces" lines={4} />
          ) : tree.isError ? (
            <ErrorPanel error={tree.error} what="the namespaces" />
          ) : tree.data.namespaces && tree.data.namespaces.length > 0 ? (
            <ul className="space-y-1 text-sm">
              {tree.data.namespaces.map((ns) => (
                <li key={ns.path}>
                  <Link
                    href={href.registry(registry, { prefix: ns.path })}
                    className="flex items-center justify-between rounded px-2 py-1 hover:bg-slate-100 dark:hover:bg-slate-800"
                  >
                    <span className="truncate font-mono">{ns.path.slice(prefix.length)}</span>
                    <span className="ml-2 text-xs text-slate-500 dark:text-slate-400">{ns.repositories}</span>
                  </Link>
                </li>
              ))}
            </ul>
          ) : (
            <p className="text-sm text-slate-500 dark:text-slate-400">No namespaces below this one.</p>
          )}
        </div>
      </nav>
      <section aria-labelledby="repositories-heading" className="min-w-0">
        <div className="flex flex-wrap items-center gap-3">
          <h2 id="repositories-heading" className="text-sm font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">
            Repositories{prefix ? ` under ${prefix}` : ""}
            {total !== undefined && <span className="ml-2 normal-case tracking-normal">({total})</span>}
          </h2>
          <button
            type="button"
            onClick={() => setImporting(true)}
            title="Upload an OCI layout tar (an image with its supply chain) into a repository here: the plan first"
            className="ml-auto rounded-md border border-slate-300 px-2 py-1 text-sm hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800"
          >
            Import an archive…
          </button>
          {importing && <ImportDialog registry={registry} defaultRepository={prefix ? `${prefix}/` : ""} onClose={() => setImporting(false)} />}
          <label className="flex items-center gap-2 text-sm">
            <span className="sr-only">Filter repositories</span>
            <input
              type="search"
              value={filter}
              onChange={(e) => setFilter(e.target.value)}
              placeholder="Filter repositories"
              className="w-64 rounded-md border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-900"
            />
          </label>
        </div>
        <div className="mt-3">
          {list.isPending ? (
            <Loading label="Loading repositories" lines={8} />
          ) : list.isError ? (
            <ErrorPanel error={list.error} what="the repositories" />
          ) : repositories.length === 0 ? (
            <EmptyState title={q ? `No repository matches "${q}"` : "No repositories here"}>
              {list.data.pages[0].source === "configured"
                ? "This registry does not list its catalog; the repositories shown come from its config entry."
                : "The registry's catalog lists nothing under this namespace."}
            </EmptyState>
          ) : (
            <>
              <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 dark:divide-slate-800 dark:border-slate-800">
                {repositories.map((r) => (
                  <li key={r}>
                    <Link href={href.repository(registry, r)} className="block truncate px-3 py-2 font-mono text-sm hover:bg-slate-50 dark:hover:bg-slate-900">
                      {r}
                    </Link>
                  </li>
                ))}
              </ul>
              <div className="mt-3 flex items-center gap-3 text-sm text-slate-500 dark:text-slate-400">
                <span>
                  Showing {repositories.length}
                  {total !== undefined ? ` of ${total}` : " (the rest of the catalog is being read)"}
                </span>
                {age !== undefined && age >= 60 && <span title="The catalog is re-read in the background; this is the last complete read.">catalog as of {formatAge(new Date(Date.now() - age * 1000).toISOString())}</span>}
                {list.hasNextPage && (
                  <button
                    type="button"
                    onClick={() => list.fetchNextPage()}
                    disabled={list.isFetchingNextPage}
                    className="rounded-md border border-slate-300 px-3 py-1 text-slate-700 hover:bg-slate-100 disabled:opacity-50 dark:border-slate-700 dark:text-slate-200 dark:hover:bg-slate-800"
                  >
                    {list.isFetchingNextPage ? "Loading…" : "Load more"}
                  </button>
                )}
              </div>
            </>
          )}
        </div>
      </section>
    </div>
  );
}
