"use client";

import { useUrlParams } from "../use-url-params";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import { verdictsByNode } from "@/lib/verification/verdict";
import type { ArtifactKind } from "@/lib/supply-chain/classify";
import { api } from "../api";
import { EmptyState, ErrorPanel, Skeleton } from "../ui/primitives";
import { DiscoverTree } from "./discover-tree";
import dynamic from "next/dynamic";

// React Flow loads only when a graph is drawn: the tags page and the tree view never fetch them.
const GraphCanvas = dynamic(() => import("./graph-canvas").then((m) => m.GraphCanvas), {
  ssr: false,
  loading: () => <Skeleton className="h-[34rem] w-full" />,
});
import { EDGE_STYLES, KIND_STYLES, KindIcon } from "./kinds";
import type { GraphEdge } from "@/lib/supply-chain/discover";
import { NodePanel } from "./node-panel";
import { graphRequest, toInt } from "./graph-request";
import { GROUP_THRESHOLD } from "@/lib/graph-view/groups";

/**
 * Everything attached to the artifact: graph or tree, with the founding
 * talk's controls (artifact type, order by created date, newest N per type,
 * depth). Every control and the selected node live in the URL.
 */
/** The graph call the page makes for the controls in the address; the artifact page starts it before its manifest arrives. */
export function graphQuery(registry: string, repository: string, reference: string, params: URLSearchParams) {
  const { controls, query } = graphRequest(registry, repository, reference, params);
  return {
    controls,
    queryKey: ["graph", registry, repository, reference, controls.artifactType, controls.order, controls.top, controls.depth],
    queryFn: ({ signal }: { signal?: AbortSignal }) => api.graph(registry, query, signal),
  };
}

export function SupplyChain({ registry, repository, reference }: { registry: string; repository: string; reference: string }) {
  const { params, set } = useUrlParams();
  const { controls, queryKey, queryFn } = graphQuery(registry, repository, reference, params);
  const { artifactType, order, top, depth } = controls;
  const view = params.get("view") === "tree" ? "tree" : "graph";
  const selected = params.get("node") ?? undefined;
  // Groups of many siblings the user opened; ids are parent|kind|type, listed with commas.
  const opened = useMemo(() => (params.get("open") ?? "").split(",").filter(Boolean), [params]);

  const graph = useQuery({ queryKey, queryFn });
  // Fetch the canvas's code while the graph is being discovered, not after it arrives.
  useEffect(() => {
    if (view === "graph") void import("./graph-canvas");
  }, [view]);
  // The unfiltered graph supplies the list of artifact types to filter by.
  const all = useQuery({
    queryKey: ["graph", registry, repository, reference, undefined, undefined, undefined, undefined],
    queryFn: ({ signal }) => api.graph(registry, { repository, reference, checks: "subject" }, signal),
    enabled: artifactType !== undefined || top !== undefined || depth !== undefined || order !== undefined,
  });
  const source = all.data ?? (artifactType === undefined && top === undefined && depth === undefined && order === undefined ? graph.data : undefined);
  const types = [...new Set((source?.graph.nodes ?? []).filter((n) => n.role === "referrer" && n.depth === 1 && n.artifactType).map((n) => n.artifactType!))].sort();
  if (artifactType && !types.includes(artifactType)) types.push(artifactType);

  const [topInput, setTopInput] = useState(top ? String(top) : "");
  useEffect(() => setTopInput(top ? String(top) : ""), [top]);

  const g = graph.data?.graph;
  const verification = graph.data?.verification;
  const verdicts = useMemo(() => (verification ? verdictsByNode(verification) : undefined), [verification]);
  const referrers = g?.nodes.filter((n) => n.role === "referrer") ?? [];
  const kinds = new Map<ArtifactKind, number>();
  for (const n of referrers) kinds.set(n.classification.kind, (kinds.get(n.classification.kind) ?? 0) + 1);

  return (
    <section aria-labelledby="supply-chain-heading" className="space-y-3">
      <div className="flex flex-wrap items-baseline gap-3">
        <h2 id="supply-chain-heading" className="text-lg font-semibold">
          Supply chain
        </h2>
        {g && (
          <p className="text-sm text-slate-600 dark:text-slate-300" data-testid="supply-chain-summary">
            {referrers.length} attached artifact{referrers.length === 1 ? "" : "s"}
            {[...kinds.entries()].map(([k, n]) => ` · ${n} ${KIND_STYLES[k].label}${n === 1 || k === "sbom" ? "" : "s"}`).join("")}
          </p>
        )}
      </div>
      <form className="flex flex-wrap items-end gap-3 text-sm" onSubmit={(e) => e.preventDefault()} aria-label="Graph controls">
        <label className="flex flex-col gap-1">
          <span className="text-xs text-slate-500 dark:text-slate-400">Artifact type</span>
          <select
            value={artifactType ?? ""}
            onChange={(e) => set({ artifactType: e.target.value || undefined, node: undefined })}
            className="max-w-[18rem] rounded-md border border-slate-300 bg-white px-2 py-1 dark:border-slate-700 dark:bg-slate-900"
          >
            <option value="">all types</option>
            {types.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col gap-1">
          <span className="text-xs text-slate-500 dark:text-slate-400">Order by created</span>
          <select
            value={order ?? ""}
            onChange={(e) => set({ order: e.target.value || undefined })}
            className="rounded-md border border-slate-300 bg-white px-2 py-1 dark:border-slate-700 dark:bg-slate-900"
          >
            <option value="">as found</option>
            <option value="desc">newest first</option>
            <option value="asc">oldest first</option>
          </select>
        </label>
        <label className="flex flex-col gap-1">
          <span className="text-xs text-slate-500 dark:text-slate-400">Newest per type</span>
          <input
            type="number"
            min={1}
            max={1000}
            inputMode="numeric"
            placeholder="all"
            value={topInput}
            onChange={(e) => setTopInput(e.target.value)}
            onBlur={() => set({ top: toInt(topInput, 1, 1000)?.toString(), node: undefined })}
            onKeyDown={(e) => {
              if (e.key === "Enter") set({ top: toInt(topInput, 1, 1000)?.toString(), node: undefined });
            }}
            className="w-20 rounded-md border border-slate-300 bg-white px-2 py-1 dark:border-slate-700 dark:bg-slate-900"
          />
        </label>
        <label className="flex flex-col gap-1">
          <span className="text-xs text-slate-500 dark:text-slate-400">Depth</span>
          <select
            value={depth ?? ""}
            onChange={(e) => set({ depth: e.target.value || undefined, node: undefined })}
            className="rounded-md border border-slate-300 bg-white px-2 py-1 dark:border-slate-700 dark:bg-slate-900"
          >
            <option value="">all levels</option>
            {[1, 2, 3, 4].map((d) => (
              <option key={d} value={d}>
                {d} level{d === 1 ? "" : "s"}
              </option>
            ))}
          </select>
        </label>
        <div role="group" aria-label="View" className="ml-auto flex overflow-hidden rounded-md border border-slate-300 dark:border-slate-700">
          {(["graph", "tree"] as const).map((v) => (
            <button
              key={v}
              type="button"
              aria-pressed={view === v}
              onClick={() => set({ view: v === "graph" ? undefined : v })}
              className={`px-3 py-1 ${view === v ? "bg-slate-800 text-white dark:bg-slate-200 dark:text-slate-900" : "hover:bg-slate-100 dark:hover:bg-slate-800"}`}
            >
              {v === "graph" ? "Graph" : "Tree"}
            </button>
          ))}
        </div>
      </form>
      <Legend edges={graph.data?.graph.edges} />
      {graph.isPending ? (
        <div role="status" aria-live="polite" className="relative">
          <Skeleton className="h-[34rem] w-full" />
          <span className="absolute inset-0 flex items-center justify-center text-sm text-slate-600 dark:text-slate-300">
            Discovering referrers: referrers API, referrers tags, cosign tags, ORAS draft, index attestations…
          </span>
        </div>
      ) : graph.isError ? (
        <ErrorPanel error={graph.error} what="the supply chain" />
      ) : (
        <>
          {g!.warnings.length > 0 && (
            <ul className="rounded-lg border border-amber-300 bg-amber-50 p-3 text-xs text-amber-900 dark:border-amber-800 dark:bg-amber-950/50 dark:text-amber-100">
              {g!.warnings.map((w, i) => (
                <li key={i}>{w}</li>
              ))}
            </ul>
          )}
          {(g!.truncated.depth || g!.truncated.count) && (
            <p className="text-xs text-amber-800 dark:text-amber-200">
              {g!.truncated.depth ? "More artifacts lie deeper than the depth shown; raise the depth to see them. " : ""}
              {g!.truncated.count ? "The graph was cut at the node limit." : ""}
            </p>
          )}
          {((referrers.length > 100 && !top) || opened.length > 0) && (
            <p className="text-xs text-slate-600 dark:text-slate-300">
              {referrers.length > 100 && !top && (
                <>
                  A large graph: more than {GROUP_THRESHOLD} artifacts of one kind under one node are drawn as a group (click it to open it); drag to pan, scroll to zoom, use the overview in the corner, or keep the newest
                  few per type with “Newest per type”.
                </>
              )}
              {opened.length > 0 && (
                <button type="button" onClick={() => set({ open: undefined })} className="ml-2 text-blue-700 hover:underline dark:text-blue-300">
                  Close the {opened.length} opened group{opened.length === 1 ? "" : "s"}
                </button>
              )}
            </p>
          )}
          {referrers.length === 0 ? (
            <EmptyState title={artifactType ? `Nothing of type ${artifactType} is attached` : "No referrers found"}>
              {g!.capabilities.referrersApi === "supported"
                ? "The registry's referrers API lists nothing for this digest, and no referrers tags or cosign tags exist for it."
                : "This registry has no referrers API, and no referrers tags (sha256-<hex>) or cosign tags exist for this digest."}
            </EmptyState>
          ) : (
            <div className={`grid gap-3 ${selected ? "lg:grid-cols-[1fr_24rem]" : ""}`}>
              {view === "graph" ? (
                <GraphCanvas
                  graph={g!}
                  verdicts={verdicts}
                  selected={selected}
                  onSelect={(d) => set({ node: d })}
                  opened={opened}
                  onOpen={(id) => set({ open: [...opened.filter((o) => o !== id), id].join(",") })}
                />
              ) : (
                <DiscoverTree graph={g!} selected={selected} onSelect={(d) => set({ node: d })} />
              )}
              {selected && <NodePanel registry={registry} repository={repository} graph={g!} verification={graph.data?.verification} digest={selected} onClose={() => set({ node: undefined })} />}
            </div>
          )}
        </>
      )}
    </section>
  );
}

/** Node kinds, and the edge styles present in this graph (hover an edge to read it). */
function Legend({ edges }: { edges?: GraphEdge[] }) {
  const shown: ArtifactKind[] = ["signature", "sbom", "vulnerability-scan", "attestation", "other"];
  const present = [...new Set((edges ?? []).map((e) => (e.relation === "platform" ? "platform" : (e.methods[0] ?? "referrers-api"))))];
  return (
    <div className="space-y-1">
      <ul aria-label="Legend" className="flex flex-wrap gap-3 text-xs text-slate-600 dark:text-slate-300">
        {shown.map((k) => (
          <li key={k} className="flex items-center gap-1">
            <span className={`flex h-4 w-4 items-center justify-center rounded text-white ${KIND_STYLES[k].iconBg}`}>
              <KindIcon kind={k} className="h-3 w-3" />
            </span>
            {KIND_STYLES[k].label}
          </li>
        ))}
      </ul>
      {present.length > 0 && (
        <ul aria-label="Edges: how each was found" className="flex flex-wrap gap-3 text-xs text-slate-600 dark:text-slate-300" data-testid="edge-legend">
          {present.map((m) => (
            <li key={m} className="flex items-center gap-1">
              <svg width="28" height="8" aria-hidden>
                <line x1="0" y1="4" x2="28" y2="4" stroke={EDGE_STYLES[m].color} strokeWidth="2" strokeDasharray={EDGE_STYLES[m].dash} />
              </svg>
              {EDGE_STYLES[m].label}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
