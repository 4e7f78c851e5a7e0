"use client";

import { Handle, Position, type Node, type NodeProps } from "@xyflow/react";
import { memo } from "react";
import type { GraphNode } from "@/lib/supply-chain/discover";
import { formatDate, platformLabel, shortDigest } from "../format";
import { KIND_STYLES, KindIcon } from "./kinds";
import type { Verdict } from "@/lib/verification/verdict";
import { VERDICT_STYLES } from "../verification/verdict";

export type ArtifactNodeData = { node: GraphNode; isRoot: boolean; verdict?: Verdict };
export type ArtifactFlowNode = Node<ArtifactNodeData, "artifact">;

/** One artifact in the graph: kind (colour and icon), label, artifact type, short digest, created date. */
function ArtifactNodeView({ data, selected }: NodeProps<ArtifactFlowNode>) {
  const n = data.node;
  const style = KIND_STYLES[n.classification.kind];
  // For unknown kinds the label is the artifact type itself, which the next line shows already.
  const label = n.classification.label === n.artifactType ? "artifact" : n.classification.label;
  const title = data.isRoot ? (n.tags[0] ? `:${n.tags[0]}` : "subject") : n.role === "platform-manifest" ? platformLabel(n.platform) : label;
  return (
    <div
      data-testid="graph-node"
      data-kind={n.classification.kind}
      data-digest={n.digest}
      className={`flex h-[84px] w-[260px] gap-2 rounded-lg border-l-4 bg-white p-2 text-left shadow-sm ring-1 dark:bg-slate-900 ${style.accent} ${
        selected ? "ring-2 ring-blue-500" : "ring-slate-200 dark:ring-slate-700"
      } ${data.isRoot ? "ring-2 ring-slate-400" : ""}`}
    >
      <Handle type="target" position={Position.Left} className="!opacity-0" isConnectable={false} />
      <span className={`flex h-7 w-7 shrink-0 items-center justify-center rounded text-white ${style.iconBg}`}>
        <KindIcon kind={n.classification.kind} />
      </span>
      <span className="min-w-0 flex-1">
        <span className="flex items-center gap-1 text-sm font-semibold text-slate-900 dark:text-slate-100">
          {data.isRoot && <span className="text-xs font-normal text-slate-500">subject</span>}
          <span className="min-w-0 truncate">{title}</span>
          {data.verdict && <VerdictMark verdict={data.verdict} />}
        </span>
        <span className="block truncate text-xs text-slate-600 dark:text-slate-300" title={n.artifactType ?? n.mediaType}>
          {n.artifactType ?? n.mediaType}
        </span>
        <span className="mt-0.5 flex justify-between gap-2 font-mono text-[11px] text-slate-500 dark:text-slate-400">
          <span>{shortDigest(n.digest)}</span>
          <span>{n.created ? formatDate(n.created).slice(0, 10) : ""}</span>
        </span>
      </span>
      <Handle type="source" position={Position.Right} className="!opacity-0" isConnectable={false} />
    </div>
  );
}

/** A signature's verdict (or a signed node's) as a small mark; the words are in its title and the node panel. */
function VerdictMark({ verdict }: { verdict: Verdict }) {
  const s = VERDICT_STYLES[verdict];
  return (
    <span data-testid="node-verdict" data-verdict={verdict} title={s.label} className={`ml-auto inline-flex h-4 shrink-0 items-center rounded px-1 text-[10px] font-medium ${s.chip}`}>
      {s.mark} {s.label}
    </span>
  );
}

export const ArtifactNode = memo(ArtifactNodeView);

/** Declared once, outside any component, as React Flow asks. */
export const NODE_TYPES = { artifact: ArtifactNode };
