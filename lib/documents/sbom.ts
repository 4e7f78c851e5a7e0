import { arr, isObject, objects, purlType, str, time, type Json } from "./fields";
import type { Sbom, SbomPackage, Tool } from "./model";

/**
 * SPDX 2.2 / 2.3 JSON and CycloneDX 1.2 – 1.7 JSON, the subset an SBOM view
 * needs: packages with versions, purls, licences and suppliers; the
 * dependency edges; what the document describes; who made it and when.
 */

const NO_VALUE = new Set(["NOASSERTION", "NONE", ""]);

export function parseSpdx(doc: Json): Sbom {
  const creation = isObject(doc.creationInfo) ? doc.creationInfo : {};
  const tools: Tool[] = arr(creation.creators)
    .map(str)
    .filter((c): c is string => !!c && c.startsWith("Tool:"))
    .map((c) => toolOf(c.slice(5).trim()));
  const packages: SbomPackage[] = objects(doc.packages).map((p, i) => {
    const purl = objects(p.externalRefs).find((r) => str(r.referenceType)?.toLowerCase() === "purl")?.referenceLocator as string | undefined;
    const licenses = [str(p.licenseConcluded), str(p.licenseDeclared)].filter((l): l is string => !!l && !NO_VALUE.has(l));
    return {
      id: str(p.SPDXID) ?? `package-${i}`,
      name: str(p.name) ?? "(unnamed)",
      version: str(p.versionInfo),
      purl: str(purl),
      ecosystem: purlType(str(purl)),
      licenses: [...new Set(licenses)],
      supplier: party(str(p.supplier)) ?? party(str(p.originator)),
    };
  });
  const ids = new Set(packages.map((p) => p.id));
  const dependencies: [string, string][] = [];
  const roots = new Set<string>(arr(doc.documentDescribes).map(str).filter((x): x is string => !!x && ids.has(x)));
  for (const r of objects(doc.relationships)) {
    const a = str(r.spdxElementId);
    const b = str(r.relatedSpdxElement);
    const type = str(r.relationshipType)?.toUpperCase();
    if (!a || !b) continue;
    if (type === "DESCRIBES" && ids.has(b)) roots.add(b);
    else if (type === "DESCRIBED_BY" && ids.has(a)) roots.add(a);
    // Edges only between packages of this document (syft writes CONTAINS to files it does not list).
    else if ((type === "DEPENDS_ON" || type === "CONTAINS") && ids.has(a) && ids.has(b)) dependencies.push([a, b]);
    else if ((type === "DEPENDENCY_OF" || type === "CONTAINED_BY") && ids.has(a) && ids.has(b)) dependencies.push([b, a]);
  }
  return {
    kind: "sbom",
    format: "spdx",
    specVersion: (str(doc.spdxVersion) ?? "SPDX").replace(/^SPDX-/, ""),
    name: str(doc.name),
    tools,
    created: time(creation.created),
    packages,
    dependencies: dedupe(dependencies),
    roots: [...roots],
  };
}

export function parseCycloneDx(doc: Json): Sbom {
  const metadata = isObject(doc.metadata) ? doc.metadata : {};
  const packages: SbomPackage[] = [];
  const roots: string[] = [];
  const seen = new Set<string>();
  let n = 0;
  const nested: [string, string][] = [];
  /** Adds a component and its nested components (parts of it); returns its id. */
  const add = (c: Json): string => {
    const id = str(c["bom-ref"]) ?? `component-${n++}`;
    if (!seen.has(id)) {
      seen.add(id);
      const group = str(c.group);
      const name = str(c.name) ?? "(unnamed)";
      packages.push({
        id,
        name: group ? `${group}/${name}` : name,
        version: str(c.version),
        purl: str(c.purl),
        ecosystem: purlType(str(c.purl)),
        licenses: cycloneDxLicenses(c.licenses),
        supplier: str(isObject(c.supplier) ? c.supplier.name : undefined) ?? str(c.publisher) ?? str(c.author),
      });
    }
    for (const child of objects(c.components)) nested.push([id, add(child)]);
    return id;
  };
  if (isObject(metadata.component)) roots.push(add(metadata.component));
  for (const c of objects(doc.components)) add(c);
  const ids = new Set(packages.map((p) => p.id));
  const dependencies: [string, string][] = [...nested];
  for (const d of objects(doc.dependencies)) {
    const from = str(d.ref);
    if (!from || !ids.has(from)) continue;
    for (const to of arr(d.dependsOn).map(str)) if (to && ids.has(to)) dependencies.push([from, to]);
  }
  return {
    kind: "sbom",
    format: "cyclonedx",
    specVersion: str(doc.specVersion) ?? (typeof doc.specVersion === "number" ? String(doc.specVersion) : "?"),
    name: str(isObject(metadata.component) ? metadata.component.name : undefined),
    tools: cycloneDxTools(metadata.tools),
    created: time(metadata.timestamp),
    packages,
    dependencies: dedupe(dependencies),
    roots,
  };
}

/** Tools: an array of {vendor, name, version} (≤ 1.4), or {components, services} (1.5+). */
export function cycloneDxTools(tools: unknown): Tool[] {
  const list = Array.isArray(tools) ? objects(tools) : isObject(tools) ? [...objects(tools.components), ...objects(tools.services)] : [];
  return list.map((t) => ({ name: str(t.name) ?? str(t.vendor) ?? "unknown", version: str(t.version) })).filter((t) => t.name !== "unknown" || t.version);
}

function cycloneDxLicenses(v: unknown): string[] {
  const out: string[] = [];
  for (const l of objects(v)) {
    const expression = str(l.expression);
    if (expression) out.push(expression);
    const lic = isObject(l.license) ? l.license : undefined;
    const id = str(lic?.id) ?? str(lic?.name);
    if (id) out.push(id);
  }
  return [...new Set(out)];
}

/** "Tool: syft-v0.42.0" → syft, v0.42.0; "Tool: trivy-dev" → trivy, dev. */
function toolOf(text: string): Tool {
  const m = /^(.+?)-(v?\d[\w.+-]*|dev|\[not provided\])$/.exec(text);
  return m ? { name: m[1], version: m[2] } : { name: text };
}

/** SPDX "Organization: Acme (mail)" / "Person: Jo" → "Acme". */
function party(v: string | undefined): string | undefined {
  if (!v || NO_VALUE.has(v)) return undefined;
  return v.replace(/^(Organization|Person|Tool):\s*/, "").replace(/\s*\([^)]*\)\s*$/, "") || undefined;
}

function dedupe(edges: [string, string][]): [string, string][] {
  const seen = new Set<string>();
  return edges.filter(([a, b]) => {
    const k = `${a}\u0000${b}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
