/**
 * What is attached, read into plain values whatever produced it: an SBOM's
 * packages, a scan's findings, a build's provenance, VEX statements. Every
 * parser of lib/documents returns one of these.
 */

export const SEVERITIES = ["critical", "high", "medium", "low", "unknown"] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface Tool {
  name: string;
  version?: string;
}

export interface SbomPackage {
  /** The document's own id (SPDXID, bom-ref), or a synthesized one. */
  id: string;
  name: string;
  version?: string;
  purl?: string;
  /** The purl type (npm, deb, apk, golang, maven …). */
  ecosystem?: string;
  licenses: string[];
  supplier?: string;
}

export interface Sbom {
  kind: "sbom";
  format: "spdx" | "cyclonedx";
  specVersion: string;
  name?: string;
  tools: Tool[];
  created?: string;
  packages: SbomPackage[];
  /** Dependency edges, package id → package id. */
  dependencies: [string, string][];
  /** What the document describes (its top-level components). */
  roots: string[];
}

export interface Finding {
  /** CVE-…, GHSA-…, or the scanner's rule id. */
  id: string;
  severity: Severity;
  /** CVSS base score, when given. */
  score?: number;
  title?: string;
  packageName?: string;
  installedVersion?: string;
  fixedVersion?: string;
  purl?: string;
  /** An advisory URL (http(s) only). */
  url?: string;
}

export interface Scan {
  kind: "scan";
  format: "sarif" | "trivy" | "grype" | "cosign-vuln" | "cyclonedx";
  scanner: Tool;
  /** When the scanner's vulnerability database was built, when known. */
  databaseTime?: string;
  /** When the scan ran. */
  scannedAt?: string;
  target?: string;
  findings: Finding[];
}

export interface Provenance {
  kind: "provenance";
  predicateType: string;
  slsaVersion: "v0.1" | "v0.2" | "v1" | "unknown";
  builderId?: string;
  buildType?: string;
  /** Where the source came from: repository URI and commit. */
  source?: { uri: string; commit?: string };
  entryPoint?: string;
  materials: { uri: string; digest?: Record<string, string> }[];
  startedOn?: string;
  finishedOn?: string;
  /** The statement's subjects (name and digests). */
  subjects: { name: string; digest: Record<string, string> }[];
}

export type VexStatus = "not_affected" | "affected" | "fixed" | "under_investigation";

export interface VexStatement {
  vulnerability: string;
  /** Product identifiers (purls, OCI purls, BOM refs) the statement is about. */
  products: string[];
  status: VexStatus;
  justification?: string;
  impact?: string;
}

export interface Vex {
  kind: "vex";
  format: "openvex" | "cyclonedx";
  author?: string;
  timestamp?: string;
  statements: VexStatement[];
}

export type AttachedDocument = Sbom | Scan | Provenance | Vex;

/** How the document was wrapped, outermost first (e.g. ["sigstore bundle", "DSSE", "in-toto statement"]). */
export interface ParsedDocument {
  document: AttachedDocument;
  wrappers: string[];
  /** The in-toto statement's subjects, when it came in one. */
  statementSubjects?: { name: string; digest: Record<string, string> }[];
  predicateType?: string;
  /** A second view of the same document: the findings of a CycloneDX SBOM that lists vulnerabilities too. */
  scan?: Scan;
}
