"use client";

import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import type { SearchHit } from "@/lib/index/search";
import { appendTo } from "@/lib/supply-chain/append";
import { api, apiPath, href } from "../api";
import { formatAge, shortDigest } from "../format";
import { Chip, EmptyState, ErrorPanel, Loading } from "../ui/primitives";
import { useUrlParams } from "../use-url-params";

const EXAMPLES = ["zlib1g<1:1.2.13.dfsg-1+deb12u1", "CVE-2024-2961", "signer:wabbit", "type:application/spdx+json", "pkg:golang/golang.org/x/net"];

/** One box over the index of every registry: packages, vulnerabilities, signers, artifact types, annotations. */
export function SearchView() {
  const { params, set } = useUrlParams();
  const q = params.get("q") ?? "";
  const [text, setText] = useState(q);
  useEffect(() => setText(q), [q]);
  const result = useQuery({
    queryKey: ["search", q],
    queryFn: ({ signal }) => api.search(q, signal),
    enabled: q.trim() !== "",
    // Until the index has finished its first walk, ask again as it goes.
    refetchInterval: (query) => (query.state.data && !query.state.data.asOf ? 3_000 : false),
  });
  const groups = new Map<string, SearchHit[]>();
  for (const h of result.data?.hits ?? []) appendTo(groups, `${h.registry}/${h.repository}`, h);
  return (
    <div className="space-y-4">
      <form
        role="search"
        className="flex flex-wrap gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          set({ q: text.trim() || undefined });
        }}
      >
        <label className="min-w-0 flex-1">
          <span className="sr-only">Search every registry</span>
          <input
            type="search"
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder="log4j-core<2.17.0, CVE-2024-3094, signer:…, type:…, key=value"
            className="w-full rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-sm dark:border-slate-700 dark:bg-slate-900"
          />
        </label>
        <button type="submit" className="rounded-md bg-slate-800 px-4 py-2 text-sm text-white hover:bg-slate-700 dark:bg-slate-200 dark:text-slate-900">
          Search
        </button>
      </form>
      {!q ? (
        <div className="text-sm text-slate-600 dark:text-slate-300">
          <p>Which images contain a package, are affected by a vulnerability, are signed by someone, carry an artifact type or an annotation, in every registry the index has walked. For example:</p>
          <ul className="mt-2 flex flex-wrap gap-2">
            {EXAMPLES.map((e) => (
              <li key={e}>
                <button type="button" onClick={() => set({ q: e })} className="rounded border border-slate-300 px-2 py-0.5 font-mono text-xs hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800">
                  {e}
                </button>
              </li>
            ))}
          </ul>
        </div>
      ) : result.isPending ? (
        <Loading label="Searching the index" lines={4} />
      ) : result.isError ? (
        <ErrorPanel error={result.error} what="the search" />
      ) : (
        <section aria-label="Results" className="space-y-3" data-testid="search-results">
          <p className="flex flex-wrap items-center gap-3 text-sm text-slate-600 dark:text-slate-300">
            <span>
              {result.data.hits.length} match{result.data.hits.length === 1 ? "" : "es"} in {groups.size} repositor{groups.size === 1 ? "y" : "ies"}
              {result.data.truncated ? " (more matched than are shown: narrow the search)" : ""}
            </span>
            {result.data.asOf ? <span title={result.data.asOf}>index as of {formatAge(result.data.asOf)}</span> : <span>the index has not finished its first walk: results appear as it goes</span>}
            <a className="text-blue-700 hover:underline dark:text-blue-300" href={apiPath("/api/search", { q, format: "csv" })}>
              CSV
            </a>
            <a className="text-blue-700 hover:underline dark:text-blue-300" href={apiPath("/api/search", { q })}>
              JSON
            </a>
          </p>
          {groups.size === 0 ? (
            <EmptyState title={`Nothing in the index matches "${q}"`}>The index holds what its last walk of each registry found; the Index page says when that was.</EmptyState>
          ) : (
            [...groups.entries()].map(([key, hits]) => (
              <div key={key} className="rounded-lg border border-slate-200 dark:border-slate-800">
                <h2 className="border-b border-slate-200 px-3 py-2 font-mono text-sm font-semibold dark:border-slate-800">
                  <Link href={href.repository(hits[0].registry, hits[0].repository)} className="hover:underline">
                    {key}
                  </Link>
                </h2>
                <ul className="divide-y divide-slate-200 dark:divide-slate-800">
                  {hits.map((h, i) => (
                    <li key={i} className="flex flex-wrap items-center gap-x-3 gap-y-1 px-3 py-2 text-sm">
                      <Link href={href.artifact(h.registry, h.repository, h.tags[0] ?? h.digest)} className="font-mono font-medium text-blue-700 hover:underline dark:text-blue-300">
                        {h.tags.join(", ") || shortDigest(h.digest)}
                      </Link>
                      <span className="font-mono text-xs text-slate-500" title={h.digest}>
                        {shortDigest(h.digest)}
                      </span>
                      <span className="min-w-0 break-words">{h.matched}</span>
                      {h.notAffected && (
                        <Chip tone="green" title="A VEX statement attached to this image says it is not affected">
                          not affected (VEX)
                        </Chip>
                      )}
                      {h.evidence && (
                        <Link href={`${href.artifact(h.registry, h.repository, h.tags[0] ?? h.digest)}?node=${encodeURIComponent(h.evidence)}`} className="text-xs text-blue-700 hover:underline dark:text-blue-300">
                          evidence {shortDigest(h.evidence)}
                        </Link>
                      )}
                    </li>
                  ))}
                </ul>
              </div>
            ))
          )}
        </section>
      )}
    </div>
  );
}
