"use client";

import { Panel, useReactFlow, useStore } from "@xyflow/react";
import { useEffect, useMemo, useRef } from "react";
import type { GraphLayout } from "@/lib/graph-view/layout";
import { KIND_STYLES } from "./kinds";

const WIDTH = 200;
const HEIGHT = 140;

/**
 * The overview in the corner: every node as a dot of its kind's colour and
 * the part in view as a frame; click or drag in it to move there. Drawn on
 * one canvas (React Flow's minimap makes an SVG element per node, which at
 * thousands of nodes costs more than the graph itself), and the nodes are
 * painted once per layout, not once per frame.
 */
export function Overview({ layout }: { layout: GraphLayout }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const flow = useReactFlow();
  const [tx, ty, zoom] = useStore((s) => s.transform);
  const paneWidth = useStore((s) => s.width);
  const paneHeight = useStore((s) => s.height);

  // World → overview: the whole layout (and the view, when it lies outside) fitted into the box.
  const scale = useMemo(() => Math.min(WIDTH / Math.max(layout.width, 1), HEIGHT / Math.max(layout.height, 1)), [layout]);
  const offset = useMemo(() => ({ x: (WIDTH - layout.width * scale) / 2, y: (HEIGHT - layout.height * scale) / 2 }), [layout, scale]);

  const nodes = useMemo(() => {
    if (typeof document === "undefined") return null;
    const ratio = window.devicePixelRatio || 1;
    const off = document.createElement("canvas");
    off.width = WIDTH * ratio;
    off.height = HEIGHT * ratio;
    const ctx = off.getContext("2d");
    if (!ctx) return null;
    ctx.scale(ratio, ratio);
    const minSide = 1.5;
    for (const n of layout.nodes) {
      ctx.fillStyle = KIND_STYLES[n.node.classification.kind].color;
      ctx.fillRect(offset.x + n.x * scale, offset.y + n.y * scale, Math.max(minSide, n.width * scale), Math.max(minSide, n.height * scale));
    }
    for (const g of layout.groups) {
      ctx.fillStyle = KIND_STYLES[g.group.kind].color;
      ctx.fillRect(offset.x + g.x * scale, offset.y + g.y * scale, Math.max(minSide, g.width * scale), Math.max(minSide, g.height * scale));
    }
    return off;
  }, [layout, scale, offset]);

  useEffect(() => {
    const el = canvas.current;
    const ctx = el?.getContext("2d");
    if (!el || !ctx) return;
    const ratio = window.devicePixelRatio || 1;
    if (el.width !== WIDTH * ratio) {
      el.width = WIDTH * ratio;
      el.height = HEIGHT * ratio;
    }
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, el.width, el.height);
    if (nodes) ctx.drawImage(nodes, 0, 0);
    ctx.scale(ratio, ratio);
    // The view: the pane's rectangle in world coordinates, kept inside the box (a view larger than the graph
    // frames all of it).
    const x0 = Math.max(1, offset.x + (-tx / zoom) * scale);
    const y0 = Math.max(1, offset.y + (-ty / zoom) * scale);
    const x1 = Math.min(WIDTH - 1, offset.x + ((paneWidth - tx) / zoom) * scale);
    const y1 = Math.min(HEIGHT - 1, offset.y + ((paneHeight - ty) / zoom) * scale);
    ctx.strokeStyle = "#2563eb";
    ctx.lineWidth = 1.5;
    if (x1 > x0 && y1 > y0) ctx.strokeRect(x0, y0, x1 - x0, y1 - y0);
  }, [nodes, tx, ty, zoom, paneWidth, paneHeight, scale, offset]);

  const moveTo = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    const worldX = (e.clientX - rect.left - offset.x) / scale;
    const worldY = (e.clientY - rect.top - offset.y) / scale;
    void flow.setViewport({ x: paneWidth / 2 - worldX * zoom, y: paneHeight / 2 - worldY * zoom, zoom });
  };

  return (
    <Panel position="bottom-right" className="max-sm:!hidden">
      <canvas
        ref={canvas}
        role="img"
        aria-label="Overview of the graph"
        style={{ width: WIDTH, height: HEIGHT }}
        className="cursor-pointer rounded border border-slate-200 bg-white/90 dark:border-slate-700 dark:bg-slate-900/90"
        onPointerDown={(e) => {
          e.currentTarget.setPointerCapture(e.pointerId);
          moveTo(e);
        }}
        onPointerMove={(e) => {
          if (e.buttons === 1) moveTo(e);
        }}
      />
    </Panel>
  );
}
