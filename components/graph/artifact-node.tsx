"use client";

import { Handle, Position, type Node, type NodeProps } from "@xyflow/react";
import { memo } from "react";
import type { GraphNode } from "@/lib/supply-chain/discover";
import type { NodeGroup } from "@/lib/graph-view/groups";
import { formatDate, platformLabel, shortDigest } from "../format";
import { KIND_STYLES, KindIcon } from "./kinds";
import { metadataSummary } from "@/lib/metadata/summary";
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
  // Metadata added afterwards says what it says, not its artifact type.
  const summary = metadataSummary(n.artifactType, n.annotations);
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
        <span className="block truncate text-xs text-slate-600 dark:text-slate-300" title={n.artifactType ?? n.mediaType} data-testid={summary ? "metadata-summary" : undefined}>
          {summary ?? n.artifactType ?? n.mediaType}
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

export type GroupNodeData = { group: NodeGroup };
export type GroupFlowNode = Node<GroupNodeData, "artifactGroup">;

/** Many siblings of one kind, drawn as one node; clicking it opens the group. */
function GroupNodeView({ data }: NodeProps<GroupFlowNode>) {
  const g = data.group;
  const style = KIND_STYLES[g.kind];
  const label = g.label === g.artifactType ? "artifacts" : g.label;
  return (
    <div
      data-testid="graph-group"
      data-kind={g.kind}
      title="Open the group to draw each of them"
      className={`relative flex h-[84px] w-[260px] cursor-pointer gap-2 rounded-lg border-l-4 bg-white p-2 text-left shadow-[4px_4px_0_-1px_rgb(203_213_225),8px_8px_0_-2px_rgb(226_232_240)] ring-1 ring-slate-200 dark:bg-slate-900 dark:shadow-[4px_4px_0_-1px_rgb(51_65_85),8px_8px_0_-2px_rgb(30_41_59)] dark:ring-slate-700 ${style.accent}`}
    >
      <Handle type="target" position={Position.Left} className="!opacity-0" isConnectable={false} />
      <span className={`flex h-7 w-7 shrink-0 items-center justify-center rounded text-white ${style.iconBg}`}>
        <KindIcon kind={g.kind} />
      </span>
      <span className="min-w-0 flex-1">
        <span className="block truncate text-sm font-semibold text-slate-900 dark:text-slate-100">
          {g.members.length} × {label}
        </span>
        <span className="block truncate text-xs text-slate-600 dark:text-slate-300" title={g.artifactType}>
          {g.artifactType ?? ""}
        </span>
        <span className="mt-0.5 flex justify-between gap-2 text-[11px] text-slate-500 dark:text-slate-400">
          <span>{g.below > 0 ? `+ ${g.below} attached to them` : ""}</span>
          <span className="font-medium text-blue-700 dark:text-blue-300">open ▸</span>
        </span>
      </span>
      <Handle type="source" position={Position.Right} className="!opacity-0" isConnectable={false} />
    </div>
  );
}

export const GroupNode = memo(GroupNodeView);

/** Declared once, outside any component, as React Flow asks. */
export const NODE_TYPES = { artifact: ArtifactNode, artifactGroup: GroupNode };
