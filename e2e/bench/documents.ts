/**
 * Large documents for the bench: a CycloneDX SBOM of 20,000 components and a
 * SARIF of 5,000 findings, made the way syft and Trivy write them; and their
 * parse cost against the least any reader pays on the same bytes (JSON.parse).
 */
import { parseDocumentBytes } from "@/lib/documents/parse";
import { diffPackages } from "@/lib/documents/diff";
import type { SbomPackage } from "@/lib/documents/model";
import { pushImage, pushReferrer } from "../support/artifacts";
import type { LayoutManifest, PushTarget } from "../support/layout";

export function bigCycloneDx(components: number): Buffer {
  const list = Array.from({ length: components }, (_, i) => ({
    "bom-ref": `pkg:npm/package-${i}@1.${i % 50}.0`,
    type: "library",
    name: `package-${i}`,
    version: `1.${i % 50}.0`,
    purl: `pkg:npm/package-${i}@1.${i % 50}.0`,
    licenses: [{ license: { id: i % 3 ? "MIT" : "Apache-2.0" } }],
  }));
  return Buffer.from(
    JSON.stringify({
      bomFormat: "CycloneDX",
      specVersion: "1.5",
      metadata: { timestamp: "2026-01-01T00:00:00Z", tools: { components: [{ type: "application", name: "syft", version: "1.0.0" }] }, component: { "bom-ref": "root", type: "container", name: "bench/app" } },
      components: list,
      dependencies: [{ ref: "root", dependsOn: list.slice(0, 1000).map((c) => c["bom-ref"]) }],
    }),
  );
}

export function bigSarif(findings: number): Buffer {
  const severities = ["CRITICAL", "HIGH", "MEDIUM", "LOW"];
  const rules = Array.from({ length: findings }, (_, i) => ({
    id: `CVE-2026-${10000 + i}`,
    shortDescription: { text: `package-${i}: a vulnerability` },
    helpUri: `https://avd.aquasec.com/nvd/cve-2026-${10000 + i}`,
    properties: { "security-severity": String(9.5 - (i % 4) * 2.5), tags: ["vulnerability", "security", severities[i % 4]] },
  }));
  const results = rules.map((r, i) => ({
    ruleId: r.id,
    ruleIndex: i,
    level: "error",
    message: { text: `Package: package-${i}\nInstalled Version: 1.0.0\nVulnerability ${r.id}\nSeverity: ${severities[i % 4]}\nFixed Version: ${i % 2 ? "1.0.1" : ""}\nLink: [${r.id}](${r.helpUri})` },
  }));
  return Buffer.from(JSON.stringify({ version: "2.1.0", runs: [{ tool: { driver: { name: "Trivy", version: "0.60.0", rules } }, results }] }));
}

export interface BigDocuments {
  sbom: LayoutManifest;
  sarif: LayoutManifest;
  sbomBytes: Buffer;
  sarifBytes: Buffer;
}

export async function pushBigDocuments(target: PushTarget, repository: string): Promise<BigDocuments> {
  const image = await pushImage(target, repository, "v1", { created: "2026-01-01T00:00:00Z" });
  const sbomBytes = bigCycloneDx(20_000);
  const sarifBytes = bigSarif(5_000);
  const sbom = await pushReferrer(target, repository, image, { artifactType: "application/vnd.cyclonedx+json", content: { mediaType: "application/vnd.cyclonedx+json", bytes: sbomBytes } });
  const sarif = await pushReferrer(target, repository, image, { artifactType: "application/sarif+json", content: { mediaType: "application/sarif+json", bytes: sarifBytes } });
  return { sbom, sarif, sbomBytes, sarifBytes };
}

export interface ParseCost {
  what: string;
  bytes: number;
  parseMs: number;
  referenceMs: number;
}

function median(fn: () => unknown, runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(runs / 2)] * 10) / 10;
}

/** Two SBOMs of 5,000 packages, a tenth of them changed version, 50 added and 50 removed. */
function packageLists(): [SbomPackage[], SbomPackage[]] {
  const pkg = (i: number, v: string): SbomPackage => ({ id: `p${i}`, name: `package-${i}`, version: v, purl: `pkg:npm/package-${i}@${v}`, ecosystem: "npm", licenses: ["MIT"] });
  const a = Array.from({ length: 5000 }, (_, i) => pkg(i, "1.0.0"));
  const b = Array.from({ length: 5000 }, (_, i) => pkg(i + 50, (i + 50) % 10 === 0 ? "1.1.0" : "1.0.0"));
  return [a, b];
}

export function measureParse(docs: BigDocuments, runs = 9): ParseCost[] {
  const [a, b] = packageLists();
  // The reference: the least a diff must do, two maps of name to version and one pass over each.
  const reference = () => {
    const ma = new Map(a.map((p) => [p.name, p.version]));
    const mb = new Map(b.map((p) => [p.name, p.version]));
    let n = 0;
    for (const [k, v] of mb) if (ma.get(k) !== v) n++;
    for (const k of ma.keys()) if (!mb.has(k)) n++;
    return n;
  };
  const diff = { what: "diff of two SBOMs of 5,000 packages", bytes: 0, parseMs: median(() => diffPackages(a, b), runs), referenceMs: median(reference, runs) };
  return [
    diff,
    { what: "CycloneDX SBOM, 20,000 components", bytes: docs.sbomBytes.length, bytesOf: docs.sbomBytes },
    { what: "SARIF, 5,000 findings", bytes: docs.sarifBytes.length, bytesOf: docs.sarifBytes },
  ].map((x) => {
    if (!("bytesOf" in x)) return x;
    const u8 = new Uint8Array(x.bytesOf);
    return { what: x.what, bytes: x.bytes, parseMs: median(() => parseDocumentBytes(u8), runs), referenceMs: median(() => JSON.parse(new TextDecoder().decode(u8)), runs) };
  });
}

export function renderParse(costs: ParseCost[]): string {
  return [
    "Attached documents, in process (median of 9), against references measured on the same data in the same run: for parsing, JSON.parse alone (the least any reader pays); for the diff, two maps of name to version compared (the least any diff does).",
    "",
    "| work | size | ours | reference | ratio |",
    "|---|---|---|---|---|",
    ...costs.map((c) => `| ${c.what} | ${c.bytes ? `${(c.bytes / 1024 / 1024).toFixed(1)} MiB` : "5,000 + 5,000 packages"} | ${c.parseMs} ms | ${c.referenceMs} ms | ${(c.parseMs / Math.max(c.referenceMs, 0.1)).toFixed(1)}× |`),
  ].join("\n");
}
