import type { ParsedDocument, Severity } from "./model";

/**
 * One line a person reads before deciding to open a document: "CycloneDX 1.5
 * SBOM · 412 packages · trivy dev", "Trivy scan · 2 critical, 5 high",
 * "SLSA v1 provenance · GitHub Actions · acme/app@3f2c1e". Pure: the pages
 * use it too.
 */

export interface DocumentSummary {
  kind: "sbom" | "scan" | "provenance" | "vex";
  /** The line to show. */
  text: string;
  format: string;
  tool?: string;
  /** When it was made (created, scanned, built, issued). */
  time?: string;
  /** Scans: when the scanner's vulnerability database was built, when the scan says. */
  databaseTime?: string;
  packages?: number;
  counts?: Record<Severity, number>;
  fixable?: number;
  builder?: string;
  source?: string;
  statements?: Record<string, number>;
  /** How it was wrapped, outermost first. */
  wrappers: string[];
}

export function summarize(p: ParsedDocument): DocumentSummary {
  const d = p.document;
  switch (d.kind) {
    case "sbom": {
      const tool = d.tools[0] && `${d.tools[0].name}${d.tools[0].version ? ` ${d.tools[0].version}` : ""}`;
      const format = `${d.format === "spdx" ? "SPDX" : "CycloneDX"} ${d.specVersion}`;
      return { kind: "sbom", format, tool, time: d.created, packages: d.packages.length, wrappers: p.wrappers, text: `${format} SBOM · ${d.packages.length} package${d.packages.length === 1 ? "" : "s"}${tool ? ` · ${tool}` : ""}` };
    }
    case "scan": {
      const counts: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0, unknown: 0 };
      for (const f of d.findings) counts[f.severity]++;
      const fixable = d.findings.filter((f) => f.fixedVersion).length;
      const tool = `${d.scanner.name}${d.scanner.version ? ` ${d.scanner.version}` : ""}`;
      const parts = (["critical", "high", "medium", "low", "unknown"] as const).filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${s}`);
      return {
        kind: "scan",
        format: d.format,
        tool,
        time: d.scannedAt,
        databaseTime: d.databaseTime,
        counts,
        fixable,
        wrappers: p.wrappers,
        text: `${d.scanner.name} scan · ${d.findings.length === 0 ? "no findings" : parts.join(", ")}${d.findings.length ? ` · ${fixable} fixable` : ""}`,
      };
    }
    case "provenance": {
      const builder = builderName(d.builderId, d.buildType);
      const source = d.source ? `${shortRepo(d.source.uri)}${d.source.commit ? `@${d.source.commit.slice(0, 7)}` : ""}` : undefined;
      return { kind: "provenance", format: `SLSA ${d.slsaVersion}`, time: d.finishedOn ?? d.startedOn, builder, source, wrappers: p.wrappers, text: `SLSA ${d.slsaVersion} provenance · ${builder}${source ? ` · ${source}` : ""}` };
    }
    case "vex": {
      const statements: Record<string, number> = {};
      for (const s of d.statements) statements[s.status] = (statements[s.status] ?? 0) + 1;
      return {
        kind: "vex",
        format: d.format === "openvex" ? "OpenVEX" : "CycloneDX VEX",
        time: d.timestamp,
        statements,
        wrappers: p.wrappers,
        text: `${d.format === "openvex" ? "OpenVEX" : "CycloneDX VEX"} · ${Object.entries(statements).map(([k, v]) => `${v} ${k.replace(/_/g, " ")}`).join(", ") || "no statements"}`,
      };
    }
  }
}

/** "GitHub Actions", "BuildKit", "slsa-github-generator", else the builder id. */
export function builderName(id: string | undefined, buildType: string | undefined): string {
  const s = `${id ?? ""} ${buildType ?? ""}`;
  if (/slsa-github-generator/.test(s)) return "slsa-github-generator";
  if (/github\.com\/actions\/runner|actions\.github\.io|githubusercontent/.test(s)) return "GitHub Actions";
  if (/buildkit|mobyproject/i.test(s)) return "BuildKit";
  if (/gitlab/i.test(s)) return "GitLab CI";
  if (/tekton/i.test(s)) return "Tekton";
  return id || buildType || "unknown builder";
}

/** github.com/acme/app from https://github.com/acme/app.git or git+https://…@refs/heads/main. */
export function shortRepo(uri: string): string {
  return uri
    .replace(/^git\+/, "")
    .replace(/^[a-z]+:\/\//, "")
    .replace(/@refs\/.*$/, "")
    .replace(/[#@][^/]*$/, "")
    .replace(/\.git$/, "");
}
