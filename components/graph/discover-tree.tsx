"use client";

import type { GraphEdge, GraphNode, SupplyChainGraph } from "@/lib/supply-chain/discover";
import { expander } from "@/lib/supply-chain/tree";
import { formatDate, platformLabel, shortDigest } from "../format";
import { KIND_STYLES, KindIcon, METHOD_LABELS } from "./kinds";

/**
 * The graph as `oras discover` prints it: under each node its referrers,
 * grouped by artifact type. Plain nested lists of buttons: readable as text,
 * reachable with the keyboard, announced by screen readers.
 */
export function DiscoverTree({ graph, selected, onSelect }: { graph: SupplyChainGraph; selected?: string; onSelect: (digest: string) => void }) {
  const byDigest = new Map(graph.nodes.map((n) => [n.digest, n]));
  const children = new Map<string, GraphEdge[]>();
  for (const e of graph.edges) children.set(e.from, [...(children.get(e.from) ?? []), e]);
  const root = byDigest.get(graph.root);
  if (!root) return null;

  // Each node's referrers are shown once, at its place nearest the subject (lib/supply-chain/tree): expanding
  // every path of a graph whose referrers point at each other would never end.
  const expand = expander(graph);
  const render = (node: GraphNode, via: GraphEdge | undefined, depth: number) => {
    if (!expand(node.digest, depth)) {
      return (
        <li key={`${node.digest}-again-${via?.from ?? ""}`}>
          <Item node={node} via={via} isRoot={false} selected={selected === node.digest} onSelect={onSelect} />
          <span className="ml-2 text-xs text-slate-500">(shown above)</span>
        </li>
      );
    }
    const out = (children.get(node.digest) ?? []).filter((e) => byDigest.has(e.to));
    const platforms = out.filter((e) => e.relation === "platform");
    const groups = new Map<string, GraphEdge[]>();
    for (const e of out.filter((e) => e.relation === "referrer")) {
      const t = byDigest.get(e.to)!.artifactType ?? byDigest.get(e.to)!.mediaType;
      groups.set(t, [...(groups.get(t) ?? []), e]);
    }
    return (
      <li key={node.digest}>
        <Item node={node} via={via} isRoot={node.digest === graph.root} selected={selected === node.digest} onSelect={onSelect} />
        {(platforms.length > 0 || groups.size > 0) && (
          <ul className="ml-4 border-l border-slate-200 pl-3 dark:border-slate-800">
            {platforms.map((e) => render(byDigest.get(e.to)!, e, depth + 1))}
            {[...groups.entries()].map(([type, edges]) => (
              <li key={type}>
                <span className="block py-0.5 font-mono text-xs text-slate-500 dark:text-slate-400">{type}</span>
                <ul className="ml-2 border-l border-slate-200 pl-3 dark:border-slate-800">{edges.map((e) => render(byDigest.get(e.to)!, e, depth + 1))}</ul>
              </li>
            ))}
          </ul>
        )}
      </li>
    );
  };
  return (
    <ul aria-label="Supply chain as a tree" className="overflow-x-auto rounded-lg border border-slate-200 p-3 text-sm dark:border-slate-800" data-testid="discover-tree">
      {render(root, undefined, 0)}
    </ul>
  );
}

function Item({ node, via, isRoot, selected, onSelect }: { node: GraphNode; via?: GraphEdge; isRoot: boolean; selected: boolean; onSelect: (d: string) => void }) {
  const style = KIND_STYLES[node.classification.kind];
  const name = isRoot ? `subject${node.tags[0] ? ` :${node.tags[0]}` : ""}` : node.role === "platform-manifest" ? platformLabel(node.platform) : node.classification.label;
  return (
    <button
      type="button"
      onClick={() => onSelect(node.digest)}
      aria-pressed={selected}
      className={`flex w-full items-center gap-2 rounded px-1 py-0.5 text-left hover:bg-slate-100 dark:hover:bg-slate-800 ${selected ? "bg-blue-50 dark:bg-blue-950" : ""}`}
    >
      <span className={style.accent.split(" ").filter((c) => c.includes("text-")).join(" ")}>
        <KindIcon kind={node.classification.kind} />
      </span>
      <span className="font-medium">{name}</span>
      <span className="font-mono text-xs text-slate-500 dark:text-slate-400">{shortDigest(node.digest)}</span>
      {node.created && <span className="text-xs text-slate-500 dark:text-slate-400">{formatDate(node.created)}</span>}
      {via && via.relation === "referrer" && <span className="ml-auto text-xs text-slate-400">via {via.methods.map((m) => METHOD_LABELS[m]).join(" + ")}</span>}
    </button>
  );
}
