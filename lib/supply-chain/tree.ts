import { appendTo } from "./append";
import type { Platform } from "../oci/schemas";
import type { DiscoveryMethod, GraphEdge, GraphNode, SupplyChainGraph } from "./discover";

/**
 * The graph as `oras discover` shows it: a text tree grouped by artifact
 * type, or a nested JSON document.
 *
 * A node's referrers are written out once, at its first place nearest the
 * subject (see expansionDepths); anywhere else it appears (referrers that
 * point at each other, one signature on two subjects) it is listed without
 * them and marked. Expanding every path instead grows with the number of
 * paths, which a registry can make astronomically large with a few dozen
 * manifests that refer to each other; expanding at the first place met
 * depth-first would nest such a graph as deep as it has nodes.
 */

export interface DiscoverJsonEntry {
  reference: string;
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
  discoveredBy: DiscoveryMethod;
  /** Every method that found it, when more than one did. */
  alsoDiscoveredBy?: DiscoveryMethod[];
  /** Listed earlier in the document with its referrers; they are not repeated here. */
  shownAbove?: boolean;
  kind: string;
  created?: string;
  manifests: DiscoverJsonEntry[];
  platformManifests?: DiscoverJsonPlatform[];
}

export interface DiscoverJsonPlatform {
  reference: string;
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  manifests: DiscoverJsonEntry[];
  platformManifests?: DiscoverJsonPlatform[];
}

export interface DiscoverJson {
  reference: string;
  mediaType: string;
  digest: string;
  size: number;
  manifests: DiscoverJsonEntry[];
  platformManifests?: DiscoverJsonPlatform[];
  warnings?: string[];
  truncated?: { depth: boolean; count: boolean };
}

/**
 * How far each node is from the subject (edges of either relation): the
 * depth at which a tree writes out its referrers. Every node has a parent one
 * level nearer that is itself expanded at its own depth, so every node is
 * expanded exactly once, and the tree is no deeper than the graph.
 */
export function expansionDepths(graph: Pick<SupplyChainGraph, "root" | "edges">): Map<string, number> {
  const out = new Map<string, string[]>();
  for (const e of graph.edges) appendTo(out, e.from, e.to);
  const depth = new Map<string, number>([[graph.root, 0]]);
  let level = [graph.root];
  for (let d = 1; level.length > 0; d++) {
    const next: string[] = [];
    for (const from of level) {
      for (const to of out.get(from) ?? []) {
        if (depth.has(to)) continue;
        depth.set(to, d);
        next.push(to);
      }
    }
    level = next;
  }
  return depth;
}

/** Whether to write out a node's referrers at this place: at its expansion depth, the first time. */
export function expander(graph: Pick<SupplyChainGraph, "root" | "edges">): (digest: string, depth: number) => boolean {
  const depths = expansionDepths(graph);
  const expanded = new Set<string>();
  return (digest, depth) => {
    if (expanded.has(digest) || depths.get(digest) !== depth) return false;
    expanded.add(digest);
    return true;
  };
}

export function platformString(p: Platform | undefined): string {
  if (!p) return "unknown platform";
  return [p.os, p.architecture, p.variant].filter(Boolean).join("/") + (p["os.version"] ? ` (${p["os.version"]})` : "");
}

class GraphIndex {
  readonly nodes: Map<string, GraphNode>;
  readonly out = new Map<string, GraphEdge[]>();
  constructor(readonly graph: SupplyChainGraph) {
    this.nodes = new Map(graph.nodes.map((n) => [n.digest, n]));
    for (const e of graph.edges) appendTo(this.out, e.from, e);
  }
  children(digest: string, relation: GraphEdge["relation"]): { edge: GraphEdge; node: GraphNode }[] {
    return (this.out.get(digest) ?? [])
      .filter((e) => e.relation === relation && this.nodes.has(e.to))
      .map((edge) => ({ edge, node: this.nodes.get(edge.to)! }))
      .sort(
        (a, b) =>
          (a.node.artifactType ?? "").localeCompare(b.node.artifactType ?? "") ||
          (a.node.created ?? "").localeCompare(b.node.created ?? "") ||
          a.node.digest.localeCompare(b.node.digest),
      );
  }
}

export function toDiscoverJson(graph: SupplyChainGraph, reference: string, registry: string): DiscoverJson {
  const index = new GraphIndex(graph);
  const ref = (digest: string) => `${registry}/${graph.repository}@${digest}`;
  const expand = expander(graph);
  expand(graph.root, 0);
  const referrers = (digest: string, depth: number): DiscoverJsonEntry[] =>
    index.children(digest, "referrer").map(({ edge, node }) => {
      const repeated = !expand(node.digest, depth);
      const entry: DiscoverJsonEntry = {
        reference: ref(node.digest),
        mediaType: node.mediaType,
        digest: node.digest,
        size: node.size,
        artifactType: node.artifactType,
        annotations: Object.keys(node.annotations).length ? node.annotations : undefined,
        discoveredBy: edge.methods[0],
        alsoDiscoveredBy: edge.methods.length > 1 ? edge.methods.slice(1) : undefined,
        kind: node.classification.kind,
        created: node.created,
        manifests: repeated ? [] : referrers(node.digest, depth + 1),
      };
      if (repeated) entry.shownAbove = true;
      const platforms = repeated ? [] : platformsOf(node.digest, depth + 1);
      if (platforms.length) entry.platformManifests = platforms;
      return entry;
    });
  const platformsOf = (digest: string, depth: number): DiscoverJsonPlatform[] =>
    index.children(digest, "platform").map(({ node }) => {
      const repeated = !expand(node.digest, depth);
      const p: DiscoverJsonPlatform = {
        reference: ref(node.digest),
        mediaType: node.mediaType,
        digest: node.digest,
        size: node.size,
        platform: node.platform,
        manifests: repeated ? [] : referrers(node.digest, depth + 1),
      };
      const nested = repeated ? [] : platformsOf(node.digest, depth + 1);
      if (nested.length) p.platformManifests = nested;
      return p;
    });
  const root = index.nodes.get(graph.root)!;
  const out: DiscoverJson = {
    reference,
    mediaType: root.mediaType,
    digest: root.digest,
    size: root.size,
    manifests: referrers(root.digest, 1),
  };
  const platforms = platformsOf(root.digest, 1);
  if (platforms.length) out.platformManifests = platforms;
  if (graph.warnings.length) out.warnings = graph.warnings;
  if (graph.truncated.depth || graph.truncated.count) out.truncated = graph.truncated;
  return out;
}

/** `notes` adds a line under a node (e.g. the one-line summary of what it says). */
export function toDiscoverTree(graph: SupplyChainGraph, reference: string, notes?: (digest: string) => string | undefined): string {
  const index = new GraphIndex(graph);
  const lines: string[] = [reference];
  const expand = expander(graph);
  expand(graph.root, 0);
  const walk = (digest: string, prefix: string, depth: number) => {
    const rows: { label: string; sub: (p: string) => void }[] = [];
    // Referrers grouped by artifact type.
    const groups = new Map<string, { edge: GraphEdge; node: GraphNode }[]>();
    for (const c of index.children(digest, "referrer")) {
      const key = c.node.artifactType ?? c.node.mediaType;
      appendTo(groups, key, c);
    }
    for (const [type, members] of groups) {
      rows.push({
        label: type,
        sub: (p) => {
          members.forEach(({ edge, node }, i) => {
            const last = i === members.length - 1;
            const repeated = !expand(node.digest, depth);
            const info = [node.classification.label, node.created ? `created ${node.created}` : undefined, `via ${edge.methods.join(", ")}`]
              .filter(Boolean)
              .join("; ");
            lines.push(`${p}${last ? "└── " : "├── "}${node.digest}  [${info}]${repeated ? " (shown above)" : ""}`);
            const note = repeated ? undefined : notes?.(node.digest);
            if (note) lines.push(`${p}${last ? "    " : "│   "}  » ${note}`);
            if (!repeated) walk(node.digest, p + (last ? "    " : "│   "), depth + 1);
          });
        },
      });
    }
    for (const { node } of index.children(digest, "platform")) {
      const repeated = !expand(node.digest, depth);
      rows.push({
        label: `${platformString(node.platform)}  ${node.digest}${repeated ? " (shown above)" : ""}`,
        sub: (p) => {
          if (!repeated) walk(node.digest, p, depth + 1);
        },
      });
    }
    rows.forEach((row, i) => {
      const last = i === rows.length - 1;
      lines.push(`${prefix}${last ? "└── " : "├── "}${row.label}`);
      row.sub(prefix + (last ? "    " : "│   "));
    });
  };
  walk(graph.root, "", 1);
  if (graph.truncated.depth) lines.push("(more referrers exist below the depth limit; raise --depth to see them)");
  if (graph.truncated.count) lines.push("(stopped at the node limit; the graph is incomplete)");
  for (const w of graph.warnings) lines.push(`warning: ${w}`);
  return lines.join("\n");
}
