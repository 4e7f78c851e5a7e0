"use client";

import { Background, Controls, MiniMap, ReactFlow, useReactFlow, type Edge } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { useEffect, useMemo } from "react";
import type { SupplyChainGraph } from "@/lib/supply-chain/discover";
import { layoutGraph } from "@/lib/graph-view/layout";
import { useIsDark } from "../theme";
import { NODE_TYPES, type ArtifactFlowNode } from "./artifact-node";
import { KIND_STYLES, METHOD_LABELS } from "./kinds";

/** Fit the graph, but never below a zoom where nodes stay legible: large graphs open centred on the subject's column. */
const FIT = { padding: 0.15, maxZoom: 1, minZoom: 0.45 };

/** The graph drawn with React Flow: layout computed once per graph, nodes not draggable, viewport fitted. */
export function GraphCanvas({ graph, selected, onSelect }: { graph: SupplyChainGraph; selected?: string; onSelect: (digest: string) => void }) {
  const dark = useIsDark();
  const layout = useMemo(() => layoutGraph(graph), [graph]);
  const nodes = useMemo<ArtifactFlowNode[]>(
    () =>
      layout.nodes.map((p) => ({
        id: p.id,
        type: "artifact",
        position: { x: p.x, y: p.y },
        data: { node: p.node, isRoot: p.id === graph.root },
        selected: p.id === selected,
        draggable: false,
        connectable: false,
        width: p.width,
        height: p.height,
        ariaLabel: `${p.node.classification.label} ${p.node.artifactType ?? ""} ${p.node.digest}`,
      })),
    [layout, graph.root, selected],
  );
  const edges = useMemo<Edge[]>(
    () =>
      layout.edges.map((e) => ({
        id: e.id,
        source: e.source,
        target: e.target,
        label: e.edge.relation === "platform" ? "platform" : e.edge.methods.map((m) => METHOD_LABELS[m]).join(" + "),
        style: e.edge.relation === "platform" ? { strokeDasharray: "4 4" } : undefined,
        labelStyle: { fontSize: 10 },
        labelBgPadding: [3, 1] as [number, number],
        focusable: false,
      })),
    [layout],
  );
  return (
    <div className="h-[34rem] w-full overflow-hidden rounded-lg border border-slate-200 dark:border-slate-800" data-testid="graph-canvas">
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        onNodeClick={(_, n) => onSelect(n.id)}
        fitView
        fitViewOptions={FIT}
        minZoom={0.05}
        maxZoom={2}
        onlyRenderVisibleElements
        nodesDraggable={false}
        nodesConnectable={false}
        colorMode={dark ? "dark" : "light"}
      >
        <Background />
        <FitWhenResized wide={!selected} />
        <Controls showInteractive={false} />
        <MiniMap pannable zoomable ariaLabel="Overview of the graph" nodeColor={(n) => KIND_STYLES[(n as ArtifactFlowNode).data.node.classification.kind].color} />
      </ReactFlow>
    </div>
  );
}

/** The canvas narrows when the side panel opens: fit the graph again. */
function FitWhenResized({ wide }: { wide: boolean }) {
  const flow = useReactFlow();
  useEffect(() => {
    const t = setTimeout(() => void flow.fitView({ ...FIT, duration: 200 }), 60);
    return () => clearTimeout(t);
  }, [wide, flow]);
  return null;
}
