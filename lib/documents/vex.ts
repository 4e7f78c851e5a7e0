import { isObject, objects, str, time, type Json } from "./fields";
import type { Finding, Vex, VexStatement, VexStatus } from "./model";

/** OpenVEX (v0.0.1 – v0.2.0) and CycloneDX VEX, as statements: this vulnerability, in these products, has this status. */

const STATUSES = new Set<VexStatus>(["not_affected", "affected", "fixed", "under_investigation"]);
/** CycloneDX analysis.state to the VEX status it means. */
const CDX_STATE: Record<string, VexStatus> = {
  not_affected: "not_affected",
  false_positive: "not_affected",
  resolved: "fixed",
  resolved_with_pedigree: "fixed",
  exploitable: "affected",
  in_triage: "under_investigation",
};

export function parseOpenVex(doc: Json): Vex {
  const statements: VexStatement[] = [];
  for (const s of objects(doc.statements)) {
    const status = str(s.status) as VexStatus | undefined;
    if (!status || !STATUSES.has(status)) continue;
    const vulnerability = typeof s.vulnerability === "string" ? s.vulnerability : isObject(s.vulnerability) ? (str(s.vulnerability.name) ?? str(s.vulnerability["@id"])) : undefined;
    if (!vulnerability) continue;
    const products: string[] = [];
    for (const p of Array.isArray(s.products) ? s.products : []) {
      if (typeof p === "string") products.push(p);
      else if (isObject(p)) {
        const id = str(p["@id"]) ?? str(isObject(p.identifiers) ? p.identifiers.purl : undefined);
        if (id) products.push(id);
        for (const sub of objects(p.subcomponents)) {
          const sid = str(sub["@id"]) ?? str(isObject(sub.identifiers) ? sub.identifiers.purl : undefined);
          if (sid) products.push(sid);
        }
      }
    }
    statements.push({ vulnerability, products, status, justification: str(s.justification), impact: str(s.impact_statement) ?? str(s.action_statement) });
  }
  return { kind: "vex", format: "openvex", author: str(doc.author), timestamp: time(doc.timestamp), statements };
}

export function parseCycloneDxVex(doc: Json): Vex {
  const statements: VexStatement[] = [];
  for (const v of objects(doc.vulnerabilities)) {
    const analysis = isObject(v.analysis) ? v.analysis : undefined;
    const status = analysis ? CDX_STATE[str(analysis.state) ?? ""] : undefined;
    const id = str(v.id);
    if (!status || !id) continue;
    // BOM-Links (urn:cdx:<serial>/<version>#<ref>) name a component of another document by its ref, often a purl.
    const products = objects(v.affects).map((a) => str(a.ref)).filter((r): r is string => !!r).map((r) => (r.startsWith("urn:cdx:") ? decodeURIComponent(r.slice(r.indexOf("#") + 1)) : r));
    statements.push({ vulnerability: id, products, status, justification: str(analysis!.justification), impact: str(analysis!.detail) });
  }
  const metadata = isObject(doc.metadata) ? doc.metadata : {};
  return { kind: "vex", format: "cyclonedx", timestamp: time(metadata.timestamp), statements };
}

/**
 * The VEX statement that applies to a finding, if any: same vulnerability,
 * and a product that is the finding's package (by purl, ignoring version
 * qualifiers) or the image itself (an OCI purl or any product when the
 * statement names no package). The latest document wins.
 */
export function vexFor(finding: Finding, documents: Vex[], imageDigest?: string): VexStatement | undefined {
  const base = (p: string | undefined) => p?.split(/[?#]/)[0].replace(/@[^/@]*$/, "").toLowerCase();
  const pkg = base(finding.purl);
  for (const doc of [...documents].sort((a, b) => (b.timestamp ?? "").localeCompare(a.timestamp ?? ""))) {
    for (const s of doc.statements) {
      if (s.vulnerability.toLowerCase() !== finding.id.toLowerCase()) continue;
      const matches =
        s.products.length === 0 ||
        s.products.some(
          (p) =>
            (pkg && base(p) === pkg) ||
            // SARIF findings often carry no purl: the package name is then compared with the purl's name.
            (!pkg && finding.packageName && p.startsWith("pkg:") && !p.startsWith("pkg:oci/") && base(p)?.split("/").pop() === finding.packageName.toLowerCase()) ||
            (imageDigest && decodeURIComponent(p).includes(imageDigest)) ||
            (p.startsWith("pkg:oci/") && !pkg && !finding.packageName),
        );
      if (matches) return s;
    }
  }
  return undefined;
}
