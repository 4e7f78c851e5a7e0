import type { Platform } from "../oci/schemas";
import type { DiscoveryMethod, GraphEdge, GraphNode, SupplyChainGraph } from "./discover";

/**
 * The graph as `oras discover` shows it: a text tree grouped by artifact
 * type, or a nested JSON document.
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

export function platformString(p: Platform | undefined): string {
  if (!p) return "unknown platform";
  return [p.os, p.architecture, p.variant].filter(Boolean).join("/") + (p["os.version"] ? ` (${p["os.version"]})` : "");
}

class GraphIndex {
  readonly nodes: Map<string, GraphNode>;
  readonly out = new Map<string, GraphEdge[]>();
  constructor(readonly graph: SupplyChainGraph) {
    this.nodes = new Map(graph.nodes.map((n) => [n.digest, n]));
    for (const e of graph.edges) this.out.set(e.from, [...(this.out.get(e.from) ?? []), e]);
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
  const referrers = (digest: string, path: Set<string>): DiscoverJsonEntry[] =>
    index.children(digest, "referrer").map(({ edge, node }) => {
      const cyclic = path.has(node.digest);
      const next = new Set(path).add(node.digest);
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
        manifests: cyclic ? [] : referrers(node.digest, next),
      };
      const platforms = cyclic ? [] : platformsOf(node.digest, next);
      if (platforms.length) entry.platformManifests = platforms;
      return entry;
    });
  const platformsOf = (digest: string, path: Set<string>): DiscoverJsonPlatform[] =>
    index.children(digest, "platform").map(({ node }) => {
      const cyclic = path.has(node.digest);
      const next = new Set(path).add(node.digest);
      const p: DiscoverJsonPlatform = {
        reference: ref(node.digest),
        mediaType: node.mediaType,
        digest: node.digest,
        size: node.size,
        platform: node.platform,
        manifests: cyclic ? [] : referrers(node.digest, next),
      };
      const nested = cyclic ? [] : platformsOf(node.digest, next);
      if (nested.length) p.platformManifests = nested;
      return p;
    });
  const root = index.nodes.get(graph.root)!;
  const path = new Set([root.digest]);
  const out: DiscoverJson = {
    reference,
    mediaType: root.mediaType,
    digest: root.digest,
    size: root.size,
    manifests: referrers(root.digest, path),
  };
  const platforms = platformsOf(root.digest, path);
  if (platforms.length) out.platformManifests = platforms;
  if (graph.warnings.length) out.warnings = graph.warnings;
  if (graph.truncated.depth || graph.truncated.count) out.truncated = graph.truncated;
  return out;
}

export function toDiscoverTree(graph: SupplyChainGraph, reference: string): string {
  const index = new GraphIndex(graph);
  const lines: string[] = [reference];
  const walk = (digest: string, prefix: string, path: Set<string>) => {
    const rows: { label: string; sub: (p: string) => void }[] = [];
    // Referrers grouped by artifact type.
    const groups = new Map<string, { edge: GraphEdge; node: GraphNode }[]>();
    for (const c of index.children(digest, "referrer")) {
      const key = c.node.artifactType ?? c.node.mediaType;
      groups.set(key, [...(groups.get(key) ?? []), c]);
    }
    for (const [type, members] of groups) {
      rows.push({
        label: type,
        sub: (p) => {
          members.forEach(({ edge, node }, i) => {
            const last = i === members.length - 1;
            const cyclic = path.has(node.digest);
            const info = [node.classification.label, node.created ? `created ${node.created}` : undefined, `via ${edge.methods.join(", ")}`]
              .filter(Boolean)
              .join("; ");
            lines.push(`${p}${last ? "└── " : "├── "}${node.digest}  [${info}]${cyclic ? " (cycle)" : ""}`);
            if (!cyclic) walk(node.digest, p + (last ? "    " : "│   "), new Set(path).add(node.digest));
          });
        },
      });
    }
    for (const { node } of index.children(digest, "platform")) {
      const cyclic = path.has(node.digest);
      rows.push({
        label: `${platformString(node.platform)}  ${node.digest}${cyclic ? " (cycle)" : ""}`,
        sub: (p) => {
          if (!cyclic) walk(node.digest, p, new Set(path).add(node.digest));
        },
      });
    }
    rows.forEach((row, i) => {
      const last = i === rows.length - 1;
      lines.push(`${prefix}${last ? "└── " : "├── "}${row.label}`);
      row.sub(prefix + (last ? "    " : "│   "));
    });
  };
  walk(graph.root, "", new Set([graph.root]));
  if (graph.truncated.depth) lines.push("(more referrers exist below the depth limit; raise --depth to see them)");
  if (graph.truncated.count) lines.push("(stopped at the node limit; the graph is incomplete)");
  for (const w of graph.warnings) lines.push(`warning: ${w}`);
  return lines.join("\n");
}
