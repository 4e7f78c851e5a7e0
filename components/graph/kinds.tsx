import type { ArtifactKind } from "@/lib/supply-chain/classify";
import type { DiscoveryMethod } from "@/lib/supply-chain/discover";

/** How each kind of artifact looks everywhere (graph, tree, badges), declared once. */

export interface KindStyle {
  label: string;
  /** Tailwind classes for the coloured accent (border and text). */
  accent: string;
  /** Background of the icon square. */
  iconBg: string;
  /** Colour for the minimap (plain CSS). */
  color: string;
  icon: string;
}

// Icons: 24x24 stroke paths.
const ICONS = {
  signature: "M12 3l7 3v5c0 4.5-3 8.5-7 10-4-1.5-7-5.5-7-10V6l7-3z M9 12l2 2 4-4",
  sbom: "M8 6h11 M8 12h11 M8 18h11 M4 6h.01 M4 12h.01 M4 18h.01",
  scan: "M11 4a7 7 0 100 14 7 7 0 000-14z M21 21l-5-5 M8 11h6",
  attestation: "M6 3h9l4 4v14H6z M14 3v5h5 M9 13h7 M9 17h5",
  image: "M3 7l9-4 9 4-9 4-9-4z M3 7v10l9 4 9-4V7 M12 11v10",
  index: "M4 4h7v7H4z M13 4h7v7h-7z M4 13h7v7H4z M13 13h7v7h-7z",
  other: "M12 3a9 9 0 100 18 9 9 0 000-18z M12 8v5 M12 16h.01",
};

export const KIND_STYLES: Record<ArtifactKind, KindStyle> = {
  signature: { label: "signature", accent: "border-emerald-500 text-emerald-700 dark:text-emerald-300", iconBg: "bg-emerald-600", color: "#059669", icon: ICONS.signature },
  sbom: { label: "SBOM", accent: "border-sky-500 text-sky-700 dark:text-sky-300", iconBg: "bg-sky-600", color: "#0284c7", icon: ICONS.sbom },
  "vulnerability-scan": { label: "scan", accent: "border-amber-500 text-amber-700 dark:text-amber-300", iconBg: "bg-amber-600", color: "#d97706", icon: ICONS.scan },
  attestation: { label: "attestation", accent: "border-violet-500 text-violet-700 dark:text-violet-300", iconBg: "bg-violet-600", color: "#7c3aed", icon: ICONS.attestation },
  image: { label: "image", accent: "border-slate-500 text-slate-700 dark:text-slate-300", iconBg: "bg-slate-700", color: "#475569", icon: ICONS.image },
  index: { label: "index", accent: "border-slate-500 text-slate-700 dark:text-slate-300", iconBg: "bg-slate-700", color: "#475569", icon: ICONS.index },
  other: { label: "other", accent: "border-pink-500 text-pink-700 dark:text-pink-300", iconBg: "bg-pink-600", color: "#db2777", icon: ICONS.other },
};

export function KindIcon({ kind, className = "h-4 w-4" }: { kind: ArtifactKind; className?: string }) {
  return (
    <svg viewBox="0 0 24 24" className={className} fill="none" stroke="currentColor" strokeWidth={2} strokeLinecap="round" strokeLinejoin="round" aria-hidden>
      <path d={KIND_STYLES[kind].icon} />
    </svg>
  );
}

export const METHOD_LABELS: Record<DiscoveryMethod, string> = {
  "referrers-api": "referrers API",
  "tag-schema": "tag schema",
  "cosign-tag": "cosign tag",
  "oras-draft": "ORAS draft",
  "index-attestation": "index attestation",
};

export const METHOD_DESCRIPTIONS: Record<DiscoveryMethod, string> = {
  "referrers-api": "OCI 1.1 referrers API",
  "tag-schema": "referrers tag schema (sha256-<hex> index tags)",
  "cosign-tag": "cosign tags (.sig, .att, .sbom)",
  "oras-draft": "ORAS artifacts draft endpoint",
  "index-attestation": "BuildKit attestations inside an index",
};

/** How an edge looks, by how it was found: declared once for the canvas and its legend. */
export const EDGE_STYLES: Record<DiscoveryMethod | "platform", { color: string; dash?: string; label: string }> = {
  // The common methods are solid lines: dashed strokes of hundreds of edges are slow to draw without a GPU.
  "referrers-api": { color: "#64748b", label: "referrers API" },
  "tag-schema": { color: "#2563eb", label: "referrers tag schema" },
  "cosign-tag": { color: "#d97706", dash: "2 3", label: "cosign tag" },
  "oras-draft": { color: "#9333ea", dash: "10 4", label: "ORAS draft" },
  "index-attestation": { color: "#0d9488", dash: "8 3 2 3", label: "index attestation" },
  platform: { color: "#94a3b8", dash: "4 4", label: "platform of an index" },
};

/** An edge found by several methods is drawn as the first (the methods come in a fixed order). */
export function edgeStyleOf(edge: { relation: "referrer" | "platform"; methods: DiscoveryMethod[] }) {
  return EDGE_STYLES[edge.relation === "platform" ? "platform" : (edge.methods[0] ?? "referrers-api")];
}
