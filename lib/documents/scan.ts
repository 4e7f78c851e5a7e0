import { arr, httpUrl, isObject, num, objects, severityOfScore, severityWord, str, time, type Json } from "./fields";
import type { Finding, Scan, Severity } from "./model";

/**
 * Vulnerability scans: SARIF 2.1.0 as Trivy and Grype write it, Trivy JSON,
 * Grype JSON, the cosign vulnerability predicate, and CycloneDX documents
 * with vulnerabilities. Severity is the scanner's own word wherever it says
 * one (Trivy: a rule tag and the text; Grype: the text); else the
 * `security-severity` score in GitHub's buckets; else SARIF's `level`.
 */

const LEVELS: Record<string, Severity> = { error: "high", warning: "medium", note: "low" };

export function parseSarif(doc: Json): Scan {
  const runs = objects(doc.runs);
  const first = runs[0] ?? {};
  const driver = isObject(first.tool) && isObject(first.tool.driver) ? first.tool.driver : {};
  const findings: Finding[] = [];
  let scannedAt: string | undefined;
  for (const run of runs) {
    const d = isObject(run.tool) && isObject(run.tool.driver) ? run.tool.driver : {};
    const rules = objects(d.rules);
    const byId = new Map(rules.map((r) => [str(r.id), r]));
    for (const inv of objects(run.invocations)) scannedAt ??= time(inv.endTimeUtc) ?? time(inv.startTimeUtc);
    for (const r of objects(run.results)) {
      const index = num(r.ruleIndex);
      const rule = (index !== undefined ? rules[index] : undefined) ?? byId.get(str(r.ruleId)) ?? {};
      const props = isObject(rule.properties) ? rule.properties : {};
      const text = [str(isObject(r.message) ? r.message.text : undefined), str(isObject(rule.help) ? rule.help.text : undefined), str(isObject(rule.fullDescription) ? rule.fullDescription.text : undefined)].filter(Boolean).join("\n");
      const field = (label: string) => new RegExp(`^${label}:[ \\t]*(.*)$`, "mi").exec(text)?.[1]?.trim() || undefined;
      const tagSeverity = arr(props.tags).map(str).map((t) => (t && t === t.toUpperCase() ? severityWord(t) : undefined)).find(Boolean);
      const score = num(props["security-severity"]) ?? num(props.cvssv3_baseScore);
      const severity = tagSeverity ?? severityWord(field("Severity")) ?? severityOfScore(score) ?? LEVELS[str(r.level) ?? str(isObject(rule.defaultConfiguration) ? rule.defaultConfiguration.level : undefined) ?? ""] ?? "unknown";
      const id = /^Vulnerability[ \t]+(\S+)/m.exec(text)?.[1] ?? str(r.ruleId) ?? str(rule.id) ?? "unknown";
      const link = /\((https?:\/\/[^)\s]+)\)/.exec(field("Link") ?? "")?.[1];
      findings.push({
        id,
        severity,
        score,
        title: str(isObject(rule.shortDescription) ? rule.shortDescription.text : undefined),
        packageName: field("Package"),
        installedVersion: field("Installed Version") ?? field("Version"),
        fixedVersion: field("Fixed Version") ?? field("Fix Version"),
        purl: str(arr(props.purls)[0]),
        url: httpUrl(link) ?? httpUrl(rule.helpUri),
      });
    }
  }
  return { kind: "scan", format: "sarif", scanner: { name: str(driver.name) ?? "unknown", version: str(driver.version) }, scannedAt, findings };
}

/** A Trivy JSON report (SchemaVersion 2): Results[].Vulnerabilities[]. */
export function parseTrivy(doc: Json, format: Scan["format"] = "trivy"): Scan {
  const findings: Finding[] = [];
  for (const result of objects(doc.Results)) {
    for (const v of objects(result.Vulnerabilities)) {
      const cvss = isObject(v.CVSS) ? Object.values(v.CVSS).filter(isObject) : [];
      const score = cvss.map((c) => num(c.V3Score) ?? num(c.V40Score) ?? num(c.V2Score)).find((x) => x !== undefined);
      findings.push({
        id: str(v.VulnerabilityID) ?? "unknown",
        severity: severityWord(v.Severity) ?? "unknown",
        score,
        title: str(v.Title),
        packageName: str(v.PkgName),
        installedVersion: str(v.InstalledVersion),
        fixedVersion: str(v.FixedVersion),
        purl: str(isObject(v.PkgIdentifier) ? v.PkgIdentifier.PURL : undefined),
        url: httpUrl(v.PrimaryURL),
      });
    }
  }
  const trivy = isObject(doc.Trivy) ? doc.Trivy : {};
  return { kind: "scan", format, scanner: { name: "Trivy", version: str(trivy.Version) }, scannedAt: time(doc.CreatedAt), target: str(doc.ArtifactName), findings };
}

/** A Grype JSON report: matches[] of a vulnerability and the package it matched. */
export function parseGrype(doc: Json): Scan {
  const descriptor = isObject(doc.descriptor) ? doc.descriptor : {};
  const db = isObject(descriptor.db) ? descriptor.db : isObject(descriptor.configuration) && isObject(descriptor.configuration.db) ? descriptor.configuration.db : {};
  const findings: Finding[] = objects(doc.matches).map((m) => {
    const v = isObject(m.vulnerability) ? m.vulnerability : {};
    const a = isObject(m.artifact) ? m.artifact : {};
    const fix = isObject(v.fix) ? v.fix : {};
    const score = objects(v.cvss).map((c) => num(isObject(c.metrics) ? c.metrics.baseScore : undefined)).find((x) => x !== undefined);
    return {
      id: str(v.id) ?? "unknown",
      severity: severityWord(v.severity) ?? "unknown",
      score,
      title: str(v.description),
      packageName: str(a.name),
      installedVersion: str(a.version),
      fixedVersion: arr(fix.versions).map(str).filter(Boolean).join(", ") || undefined,
      purl: str(a.purl),
      url: httpUrl(arr(v.urls)[0]) ?? httpUrl(v.dataSource),
    };
  });
  const source = isObject(doc.source) && isObject(doc.source.target) ? doc.source.target : {};
  return {
    kind: "scan",
    format: "grype",
    scanner: { name: str(descriptor.name) ?? "grype", version: str(descriptor.version) },
    databaseTime: time(db.built),
    scannedAt: time(descriptor.timestamp),
    target: str(source.userInput),
    findings,
  };
}

/** cosign's vulnerability predicate (https://cosign.sigstore.dev/attestation/vuln/v1); the scanner's own report may be inside. */
export function parseCosignVuln(predicate: Json): Scan {
  const scanner = isObject(predicate.scanner) ? predicate.scanner : {};
  const metadata = isObject(predicate.metadata) ? predicate.metadata : {};
  const result = isObject(scanner.result) ? scanner.result : undefined;
  const inner = result && Array.isArray(result.Results) ? parseTrivy(result, "cosign-vuln") : undefined;
  const uri = str(scanner.uri);
  const name = uri ? uri.replace(/^pkg:[^/]+\//, "").split(/[@?]/)[0].split("/").pop() || uri : (inner?.scanner.name ?? "unknown");
  const db = isObject(scanner.db) ? scanner.db : {};
  return {
    kind: "scan",
    format: "cosign-vuln",
    scanner: { name, version: str(scanner.version) ?? inner?.scanner.version },
    databaseTime: time(db.version),
    scannedAt: time(metadata.scanFinishedOn) ?? time(metadata.scanStartedOn) ?? inner?.scannedAt,
    target: inner?.target,
    findings: inner?.findings ?? [],
  };
}

/** A CycloneDX document's vulnerabilities as findings, joined to its components by bom-ref. */
export function parseCycloneDxVulnerabilities(doc: Json, tools: { name: string; version?: string }[]): Scan {
  const components = new Map<string, Json>();
  const walk = (list: unknown) => {
    for (const c of objects(list)) {
      const ref = str(c["bom-ref"]);
      if (ref) components.set(ref, c);
      walk(c.components);
    }
  };
  walk(doc.components);
  if (isObject(doc.metadata) && isObject(doc.metadata.component)) walk([doc.metadata.component]);
  const findings: Finding[] = [];
  for (const v of objects(doc.vulnerabilities)) {
    const ratings = objects(v.ratings);
    const worst = ratings.map((r) => severityWord(r.severity)).filter((s): s is Severity => !!s && s !== "unknown").sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b))[0];
    const score = ratings.map((r) => (str(r.method)?.toUpperCase().startsWith("CVSS") ? num(r.score) : undefined)).find((x) => x !== undefined);
    const url = httpUrl(objects(v.advisories)[0]?.url) ?? httpUrl(isObject(v.source) ? v.source.url : undefined);
    const affects = objects(v.affects).map((a) => str(a.ref)).filter((r): r is string => !!r);
    for (const ref of affects.length ? affects : [undefined]) {
      const c = ref ? components.get(ref) : undefined;
      findings.push({
        id: str(v.id) ?? "unknown",
        severity: worst ?? severityOfScore(score) ?? "unknown",
        score,
        title: str(v.description)?.split("\n")[0],
        packageName: str(c?.name),
        installedVersion: str(c?.version),
        purl: str(c?.purl) ?? (ref?.startsWith("pkg:") ? ref : undefined),
        fixedVersion: undefined,
        url,
      });
    }
  }
  const metadata = isObject(doc.metadata) ? doc.metadata : {};
  return { kind: "scan", format: "cyclonedx", scanner: tools[0] ?? { name: "unknown" }, scannedAt: time(metadata.timestamp), findings };
}

const ORDER: Severity[] = ["critical", "high", "medium", "low", "unknown"];

export function severityCounts(findings: Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0, unknown: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}
