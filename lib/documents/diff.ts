import { appendTo } from "../supply-chain/append";
import { purlBase } from "./fields";
import type { Finding, Provenance, SbomPackage } from "./model";

/**
 * What changed between two versions of an image, from their documents:
 * packages added, removed and changed version (matched by purl without
 * version, else by ecosystem and name), findings new and fixed (matched by
 * vulnerability and package), and provenance source or builder changed.
 */

export interface PackageChange {
  name: string;
  ecosystem?: string;
  from?: string;
  to?: string;
}

export interface PackageDiff {
  added: PackageChange[];
  removed: PackageChange[];
  changed: PackageChange[];
  unchanged: number;
}

export function packageKey(p: SbomPackage): string {
  return purlBase(p.purl) ?? `${p.ecosystem ?? ""}/${p.name}`.toLowerCase();
}

export function diffPackages(from: SbomPackage[], to: SbomPackage[]): PackageDiff {
  const group = (list: SbomPackage[]) => {
    const m = new Map<string, SbomPackage[]>();
    for (const p of list) appendTo(m, packageKey(p), p);
    return m;
  };
  const a = group(from);
  const b = group(to);
  const out: PackageDiff = { added: [], removed: [], changed: [], unchanged: 0 };
  // The purl's version is the canonical one: producers write versionInfo differently (SPDX "4.2.46" and
  // CycloneDX "4.2.46-31.el7" for the same rpm, both with purl …@4.2.46-31.el7).
  const versions = (l: SbomPackage[]) => [...new Set(l.map((p) => purlVersion(p.purl) ?? p.version ?? ""))].sort();
  for (const [key, list] of b) {
    const before = a.get(key);
    const p = list[0];
    if (!before) out.added.push({ name: p.name, ecosystem: p.ecosystem, to: versions(list).join(", ") });
    else if (versions(before).join() !== versions(list).join()) out.changed.push({ name: p.name, ecosystem: p.ecosystem, from: versions(before).join(", "), to: versions(list).join(", ") });
    else out.unchanged++;
  }
  for (const [key, list] of a) if (!b.has(key)) out.removed.push({ name: list[0].name, ecosystem: list[0].ecosystem, from: versions(list).join(", ") });
  const byName = (x: PackageChange, y: PackageChange) => x.name.localeCompare(y.name);
  out.added.sort(byName);
  out.removed.sort(byName);
  out.changed.sort(byName);
  return out;
}

function purlVersion(purl: string | undefined): string | undefined {
  const m = purl ? /@([^?#@/]+)(?:[?#]|$)/.exec(purl) : null;
  return m ? decodeURIComponent(m[1]) : undefined;
}

export function findingKey(f: Finding): string {
  return `${f.id.toLowerCase()}|${(purlBase(f.purl) ?? f.packageName ?? "").toLowerCase()}`;
}

export interface FindingDiff {
  /** In the newer scan, not in the older. */
  added: Finding[];
  /** In the older scan, no longer in the newer. */
  fixed: Finding[];
  unchanged: number;
}

export function diffFindings(from: Finding[], to: Finding[]): FindingDiff {
  const a = new Map(from.map((f) => [findingKey(f), f]));
  const b = new Map(to.map((f) => [findingKey(f), f]));
  const rank = ["critical", "high", "medium", "low", "unknown"];
  const order = (x: Finding, y: Finding) => rank.indexOf(x.severity) - rank.indexOf(y.severity) || x.id.localeCompare(y.id);
  return {
    added: [...b].filter(([k]) => !a.has(k)).map(([, f]) => f).sort(order),
    fixed: [...a].filter(([k]) => !b.has(k)).map(([, f]) => f).sort(order),
    unchanged: [...b.keys()].filter((k) => a.has(k)).length,
  };
}

export interface ProvenanceDiff {
  sourceChanged: boolean;
  builderChanged: boolean;
  from?: { source?: string; commit?: string; builder?: string };
  to?: { source?: string; commit?: string; builder?: string };
}

export function diffProvenance(from: Provenance | undefined, to: Provenance | undefined): ProvenanceDiff {
  const view = (p: Provenance | undefined) => p && { source: p.source?.uri, commit: p.source?.commit, builder: p.builderId || p.buildType };
  const a = view(from);
  const b = view(to);
  return {
    sourceChanged: (a?.source ?? "") !== (b?.source ?? "") || (a?.commit ?? "") !== (b?.commit ?? ""),
    builderChanged: (a?.builder ?? "") !== (b?.builder ?? ""),
    from: a,
    to: b,
  };
}
