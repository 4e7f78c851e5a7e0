"use client";

import { Background, Controls, ReactFlow, useReactFlow, type Edge } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { useEffect, useMemo, useRef, useState } from "react";
import type { SupplyChainGraph } from "@/lib/supply-chain/discover";
import type { Verdict } from "@/lib/verification/verdict";
import { initialViewport, layoutGraph, type GraphLayout } from "@/lib/graph-view/layout";
import { groupSiblings } from "@/lib/graph-view/groups";
import { useIsDark } from "../theme";
import { NODE_TYPES, type ArtifactFlowNode, type GroupFlowNode } from "./artifact-node";
import { edgeStyleOf, METHOD_LABELS } from "./kinds";
import { Overview } from "./overview";

/**
 * The graph drawn with React Flow: large sibling groups of one kind drawn as
 * one node until opened (lib/graph-view groups), layout computed once per
 * graph and set of opened groups, nodes not draggable. It opens at a legible
 * zoom on the subject and its first level
 * (lib/graph-view initialViewport); edges are styled by how they were found
 * (see the legend) and say it in words only when hovered, so labels never
 * pile up where edges fan out.
 */
export function GraphCanvas({
  graph,
  verdicts,
  selected,
  onSelect,
  opened,
  onOpen,
}: {
  graph: SupplyChainGraph;
  verdicts?: Record<string, Verdict>;
  selected?: string;
  onSelect: (digest: string) => void;
  /** Groups the user opened (their ids). */
  opened: readonly string[];
  onOpen: (groupId: string) => void;
}) {
  const dark = useIsDark();
  const visible = useMemo(() => {
    const expanded = new Set(opened);
    let v = groupSiblings(graph, { expanded });
    // A selected node inside a closed group (a shared link): open the groups that hide it.
    for (let i = 0; i < 8 && selected && !v.graph.nodes.some((n) => n.digest === selected); i++) {
      const holder = v.groups.find((g) => g.hidden.includes(selected));
      if (!holder) break;
      expanded.add(holder.id);
      v = groupSiblings(graph, { expanded });
    }
    return v;
  }, [graph, opened, selected]);
  const layout = useMemo(() => layoutGraph(visible.graph, { groups: visible.groups }), [visible]);
  const nodes = useMemo<(ArtifactFlowNode | GroupFlowNode)[]>(
    () => [
      ...layout.nodes.map(
        (p): ArtifactFlowNode => ({
          id: p.id,
          type: "artifact",
          position: { x: p.x, y: p.y },
          data: { node: p.node, isRoot: p.id === graph.root, verdict: verdicts?.[p.id] },
          selected: p.id === selected,
          draggable: false,
          connectable: false,
          width: p.width,
          height: p.height,
          ariaLabel: `${p.node.classification.label} ${p.node.artifactType ?? ""} ${p.node.digest}`,
        }),
      ),
      ...layout.groups.map(
        (p): GroupFlowNode => ({
          id: p.id,
          type: "artifactGroup",
          position: { x: p.x, y: p.y },
          data: { group: p.group },
          draggable: false,
          connectable: false,
          width: p.width,
          height: p.height,
          ariaLabel: `${p.group.members.length} ${p.group.label}: open the group`,
        }),
      ),
    ],
    [layout, graph.root, selected, verdicts],
  );
  // Which opening view has finished moving: the canvas says "moving" from the render that changes the view on, so a
  // click (a test's, or a quick user's) can wait for nodes to stop before aiming at one.
  const narrow = !!selected;
  const view = useMemo<OpeningView>(() => ({ layout, root: graph.root, narrow }), [layout, graph.root, narrow]);
  const [settled, setSettled] = useState<OpeningView | undefined>(undefined);
  const large = layout.edges.length > LARGE_GRAPH_EDGES;
  const edges = useMemo<Edge[]>(
    () =>
      layout.edges.map((e) => {
        const style = edgeStyleOf(e.edge);
        const words = e.edge.relation === "platform" ? "platform" : e.edge.methods.length === 0 ? "referrers" : e.edge.methods.map((m) => METHOD_LABELS[m]).join(" + ");
        // The label is always there but shown only on hover (CSS, globals.css), so moving the pointer over
        // hundreds of edges re-renders nothing; the edges into the selected node keep theirs visible.
        return {
          id: e.id,
          source: e.source,
          target: e.target,
          // A large graph draws its edges plain: no label (each is measured by the browser), no wider invisible
          // path for the pointer, straight lines. The legend says what each style means; the node panel how it was found.
          label: large && e.target !== selected ? undefined : words,
          type: large ? "straight" : undefined,
          interactionWidth: large ? 0 : undefined,
          className: selected !== undefined && e.target === selected ? "chainsight-edge-named" : undefined,
          ariaLabel: `found by ${words}`,
          style: { stroke: style.color, strokeWidth: 1.5, strokeDasharray: style.dash },
          labelStyle: { fontSize: 12 },
          labelBgPadding: [4, 2] as [number, number],
          focusable: false,
        };
      }),
    [layout, selected, large],
  );
  return (
    <div className="h-[34rem] w-full overflow-hidden rounded-lg border border-slate-200 dark:border-slate-800" data-testid="graph-canvas" data-drawn={layout.nodes.length + layout.groups.length} data-view={settled === view ? "settled" : "moving"}>
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        onNodeClick={(_, n) => (n.type === "artifactGroup" ? onOpen(n.id) : onSelect(n.id))}
        minZoom={0.05}
        maxZoom={2}
        onlyRenderVisibleElements
        nodesDraggable={false}
        nodesConnectable={false}
        colorMode={dark ? "dark" : "light"}
      >
        <Background />
        <OpenView view={view} onSettled={setSettled} />
        <Controls showInteractive={false} fitViewOptions={{ padding: 0.1, maxZoom: 1 }} />
        {/* On a phone the overview would cover the nodes it summarises. */}
        <Overview layout={layout} />
      </ReactFlow>
    </div>
  );
}

/** Above this many edges, edges are drawn plain (see below). */
const LARGE_GRAPH_EDGES = 300;

/** What the opening view is computed from; a new one (a new object) moves the view again. */
interface OpeningView {
  layout: GraphLayout;
  root: string;
  /** The side panel is open: the canvas is narrower. */
  narrow: boolean;
}

/** Opens (and re-opens when the side panel changes the canvas width) on the legible initial view. */
function OpenView({ view, onSettled }: { view: OpeningView; onSettled: (view: OpeningView) => void }) {
  const flow = useReactFlow();
  const probe = useRef<HTMLSpanElement>(null);
  useEffect(() => {
    const t = setTimeout(() => {
      const pane = probe.current?.closest(".react-flow") as HTMLElement | null;
      if (!pane) return;
      const v = initialViewport(view.layout, view.root, { width: pane.clientWidth, height: pane.clientHeight });
      void flow.setViewport(v, { duration: 150 }).then(() => onSettled(view));
    }, 30);
    return () => clearTimeout(t);
  }, [view, onSettled, flow]);
  return <span ref={probe} hidden />;
}
