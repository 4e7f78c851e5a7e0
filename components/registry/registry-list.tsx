"use client";

import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import type { RegistryStatus } from "@/lib/server/registries";
import { api, href } from "../api";
import { Chip, EmptyState, ErrorPanel, Skeleton } from "../ui/primitives";

/** The home page: each configured registry with whether it answers and what it can do. */
export function RegistryList() {
  const q = useQuery({ queryKey: ["registries"], queryFn: ({ signal }) => api.registries(signal) });
  if (q.isPending) {
    return (
      <ul role="status" aria-label="Loading registries" className="grid gap-4 sm:grid-cols-2">
        {[0, 1].map((i) => (
          <li key={i} className="rounded-lg border border-slate-200 p-4 dark:border-slate-800">
            <Skeleton className="h-5 w-40" />
            <Skeleton className="mt-3 h-4 w-64" />
            <Skeleton className="mt-3 h-4 w-52" />
          </li>
        ))}
      </ul>
    );
  }
  if (q.isError) return <ErrorPanel error={q.error} what="the registries" />;
  if (q.data.registries.length === 0) {
    return (
      <EmptyState title="No registries are configured">
        Point <code>CHAINSIGHT_CONFIG</code> at a YAML file that lists them, or set <code>CHAINSIGHT_REGISTRY_&lt;ID&gt;_URL</code>; README, section
        Configuration, shows how.
      </EmptyState>
    );
  }
  return (
    <ul className="grid gap-4 sm:grid-cols-2">
      {q.data.registries.map((r) => (
        <RegistryCard key={r.id} registry={r} />
      ))}
    </ul>
  );
}

const CATALOG_LABEL = { supported: "catalog listed", configured: "repositories from config", unsupported: "no catalog", unknown: "catalog unknown" } as const;
const REFERRERS_LABEL = { supported: "referrers API", unsupported: "no referrers API (tag schema)", unknown: "referrers API unknown" } as const;

function RegistryCard({ registry: r }: { registry: RegistryStatus }) {
  return (
    <li className="rounded-lg border border-slate-200 p-4 hover:border-slate-400 dark:border-slate-800 dark:hover:border-slate-600">
      <div className="flex items-start gap-2">
        <div className="min-w-0">
          <h2 className="truncate text-base font-semibold">
            <Link href={href.registry(r.id)} className="hover:underline">
              {r.name}
            </Link>
          </h2>
          <p className="truncate font-mono text-xs text-slate-500 dark:text-slate-400" title={r.path}>
            {r.kind === "oci-layout" ? (r.path ? `OCI layouts in ${r.path}` : "OCI layouts on the server") : r.url}
          </p>
        </div>
        <span className="ml-auto">{r.reachable ? <Chip tone="green">reachable</Chip> : <Chip tone="red">unreachable</Chip>}</span>
      </div>
      <div className="mt-3 flex flex-wrap gap-1.5">
        <Chip tone={r.capabilities.referrersApi === "supported" ? "blue" : "slate"}>{REFERRERS_LABEL[r.capabilities.referrersApi]}</Chip>
        <Chip tone={r.capabilities.catalog === "unsupported" ? "amber" : "slate"} title={r.capabilities.catalogMessage}>
          {CATALOG_LABEL[r.capabilities.catalog]}
        </Chip>
        <Chip>{r.authentication === "anonymous" ? "anonymous" : `signed in (${r.authentication})`}</Chip>
      </div>
      {r.error && <p className="mt-3 break-words text-sm text-red-700 dark:text-red-300">{r.error.message}</p>}
      {r.capabilities.catalog === "unsupported" && r.capabilities.catalogMessage && (
        <p className="mt-2 break-words text-xs text-amber-800 dark:text-amber-200">{r.capabilities.catalogMessage}</p>
      )}
    </li>
  );
}
