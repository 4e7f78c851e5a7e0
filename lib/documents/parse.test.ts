import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Provenance, Sbom, Scan, Vex } from "./model";
import { DocumentError, parseDocumentBytes } from "./parse";
import { severityCounts } from "./scan";
import { vexFor } from "./vex";

// Every expected value is computed here from the raw document (its own arrays and fields), not by the parser.

const F = join(__dirname, "../../e2e/fixtures");
const bytes = (p: string) => new Uint8Array(readFileSync(join(F, p)));
const raw = (p: string) => JSON.parse(readFileSync(join(F, p), "utf8"));
const parse = (p: string) => parseDocumentBytes(bytes(p));

/** Every component of a CycloneDX document, nested ones and the metadata component included. */
function cdxComponents(doc: { metadata?: { component?: unknown }; components?: unknown[] }): { "bom-ref"?: string; name: string; purl?: string; components?: unknown[] }[] {
  const out: { "bom-ref"?: string; name: string; purl?: string; components?: unknown[] }[] = [];
  const walk = (list: unknown[] | undefined) => {
    for (const c of (list ?? []) as { components?: unknown[]; name: string }[]) {
      out.push(c);
      walk(c.components);
    }
  };
  if (doc.metadata?.component) walk([doc.metadata.component]);
  walk(doc.components);
  return out;
}

describe("SBOMs", () => {
  it("SPDX 2.2 from Trivy (centos-7): every package, its purl and ecosystem", () => {
    const doc = raw("content/trivy/centos-7-spdx.json");
    const sbom = parse("content/trivy/centos-7-spdx.json").document as Sbom;
    expect(sbom).toMatchObject({ kind: "sbom", format: "spdx", specVersion: doc.spdxVersion.replace("SPDX-", "") });
    expect(sbom.packages.map((p) => p.name)).toEqual(doc.packages.map((p: { name: string }) => p.name));
    const purls = doc.packages.flatMap((p: { externalRefs?: { referenceType: string; referenceLocator: string }[] }) => (p.externalRefs ?? []).filter((r) => r.referenceType === "purl").map((r) => r.referenceLocator));
    expect(sbom.packages.map((p) => p.purl).filter(Boolean)).toEqual(purls);
    expect(sbom.packages.filter((p) => p.purl).every((p) => p.ecosystem === p.purl!.slice(4, p.purl!.indexOf("/")))).toBe(true);
    expect(sbom.tools[0].name).toBe("trivy");
    expect(sbom.created).toBe(new Date(doc.creationInfo.created).toISOString());
  });

  it("SPDX 2.2 from syft (alpine 3.10): relationships to files it does not list are not package edges", () => {
    const doc = raw("content/syft/alpine-3.10.syft.spdx.json");
    const sbom = parse("content/syft/alpine-3.10.syft.spdx.json").document as Sbom;
    expect(sbom.packages).toHaveLength(doc.packages.length);
    const ids = new Set(doc.packages.map((p: { SPDXID: string }) => p.SPDXID));
    const packageEdges = doc.relationships.filter((r: { spdxElementId: string; relatedSpdxElement: string; relationshipType: string }) => ["CONTAINS", "DEPENDS_ON"].includes(r.relationshipType) && ids.has(r.spdxElementId) && ids.has(r.relatedSpdxElement));
    expect(sbom.dependencies).toHaveLength(new Set(packageEdges.map((r: { spdxElementId: string; relatedSpdxElement: string }) => `${r.spdxElementId}>${r.relatedSpdxElement}`)).size);
    expect(sbom.packages.find((p) => p.name === "busybox")?.licenses).toEqual([doc.packages.find((p: { name: string }) => p.name === "busybox").licenseConcluded].filter((l: string) => l !== "NOASSERTION"));
  });

  it("CycloneDX 1.4 (laravel, cyclonedx-php-composer): every component, licences and dependencies", () => {
    const doc = raw("documents/cyclonedx/SBOM_laravel-7.12.0_bom.1.4.json");
    const sbom = parse("documents/cyclonedx/SBOM_laravel-7.12.0_bom.1.4.json").document as Sbom;
    const components = cdxComponents(doc);
    expect(sbom.packages).toHaveLength(new Set(components.map((c) => c["bom-ref"] ?? c.name)).size);
    const edges = (doc.dependencies ?? []).reduce((n: number, d: { dependsOn?: string[] }) => n + (d.dependsOn?.length ?? 0), 0);
    expect(sbom.dependencies.length).toBe(edges);
    expect(sbom.specVersion).toBe(doc.specVersion);
    expect(sbom.roots).toEqual([doc.metadata.component["bom-ref"]]);
    const withLicense = components.filter((c) => ((c as { licenses?: unknown[] }).licenses ?? []).length > 0).length;
    expect(sbom.packages.filter((p) => p.licenses.length > 0)).toHaveLength(withLicense);
  });

  it("CycloneDX 1.7 with a vulnerability (trivy fs): an SBOM and a scan of the same document", () => {
    const doc = raw("content/trivy/npm-cyclonedx.json.golden");
    const parsed = parse("content/trivy/npm-cyclonedx.json.golden");
    expect((parsed.document as Sbom).packages).toHaveLength(cdxComponents(doc).length);
    const affected = doc.vulnerabilities.flatMap((v: { affects: { ref: string }[] }) => v.affects);
    expect(parsed.scan?.findings).toHaveLength(affected.length);
    const byRef = new Map(cdxComponents(doc).map((c) => [c["bom-ref"], c]));
    expect(parsed.scan?.findings[0].packageName).toBe(byRef.get(affected[0].ref)?.name);
  });

  it("the CycloneDX 1.4 BOM inside a cosign attestation (DSSE, in-toto statement)", () => {
    const envelope = JSON.parse(readFileSync(join(F, "content/trivy/centos-7-cyclonedx.intoto.jsonl"), "utf8").trim());
    const statement = JSON.parse(Buffer.from(envelope.payload, "base64").toString());
    const parsed = parse("content/trivy/centos-7-cyclonedx.intoto.jsonl");
    expect(parsed.wrappers).toEqual(["DSSE envelope", `in-toto statement (${statement.predicateType})`]);
    expect(parsed.statementSubjects?.[0].digest.sha256).toBe(statement.subject[0].digest.sha256);
    expect((parsed.document as Sbom).packages).toHaveLength(cdxComponents(statement.predicate).length);
  });
});

describe("scans", () => {
  it("Trivy JSON (alpine-310): every vulnerability with Trivy's severity, fix and purl", () => {
    const doc = raw("content/trivy/alpine-310.json.golden");
    const vulns = doc.Results.flatMap((r: { Vulnerabilities?: unknown[] }) => r.Vulnerabilities ?? []) as { VulnerabilityID: string; Severity: string; FixedVersion?: string; PkgIdentifier: { PURL: string } }[];
    const scan = parse("content/trivy/alpine-310.json.golden").document as Scan;
    expect(scan.findings.map((f) => [f.id, f.severity, f.fixedVersion, f.purl])).toEqual(vulns.map((v) => [v.VulnerabilityID, v.Severity.toLowerCase(), v.FixedVersion, v.PkgIdentifier.PURL]));
    expect(scan.scanner).toEqual({ name: "Trivy", version: doc.Trivy.Version });
  });

  it("Trivy SARIF of the same scan gives the same findings: severity from the tags, package and fix from the text", () => {
    const json = raw("content/trivy/alpine-310.json.golden").Results.flatMap((r: { Vulnerabilities?: unknown[] }) => r.Vulnerabilities ?? []) as { VulnerabilityID: string; PkgName: string; InstalledVersion: string; FixedVersion: string; Severity: string }[];
    const sarif = raw("content/trivy/alpine-310.sarif.golden");
    const scan = parse("content/trivy/alpine-310.sarif.golden").document as Scan;
    expect(scan.findings).toHaveLength(sarif.runs[0].results.length);
    const key = (id: string, pkg: string | undefined) => `${id} ${pkg}`;
    expect(new Set(scan.findings.map((f) => `${key(f.id, f.packageName)} ${f.installedVersion} ${f.fixedVersion} ${f.severity}`))).toEqual(new Set(json.map((v) => `${key(v.VulnerabilityID, v.PkgName)} ${v.InstalledVersion} ${v.FixedVersion} ${v.Severity.toLowerCase()}`)));
    expect(scan.scanner.name).toBe(sarif.runs[0].tool.driver.name);
  });

  it("Grype SARIF: the scanner's severity word wins over security-severity (Low with a score of 8.2)", () => {
    const sarif = raw("content/grype/TestSarifPresenter_image.golden");
    const rule = sarif.runs[0].tool.driver.rules.find((r: { id: string }) => r.id.startsWith("CVE-1999-0001"));
    const scan = parse("content/grype/TestSarifPresenter_image.golden").document as Scan;
    const f = scan.findings.find((x) => x.id === "CVE-1999-0001")!;
    expect(f.severity).toBe(/Severity: (\w+)/.exec(rule.help.text)![1].toLowerCase());
    expect(f.score).toBe(Number(rule.properties["security-severity"]));
    expect(f.fixedVersion).toBe(/Fix Version: (.*)/.exec(rule.help.text)![1].trim());
  });

  it("Grype JSON: one finding per match, severity and fix versions as grype reports them", () => {
    const doc = raw("content/grype/TestJsonImgsPresenter.golden");
    const scan = parse("content/grype/TestJsonImgsPresenter.golden").document as Scan;
    expect(scan.findings.map((f) => [f.id, f.severity, f.packageName, f.fixedVersion ?? ""])).toEqual(
      doc.matches.map((m: { vulnerability: { id: string; severity: string; fix: { versions: string[] } }; artifact: { name: string } }) => [m.vulnerability.id, m.vulnerability.severity.toLowerCase(), m.artifact.name, m.vulnerability.fix.versions.join(", ")]),
    );
    expect(severityCounts(scan.findings).critical).toBe(doc.matches.filter((m: { vulnerability: { severity: string } }) => m.vulnerability.severity === "Critical").length);
  });

  it("the cosign vulnerability predicate with Trivy's report inside; zero scan times read as unknown", () => {
    const doc = raw("content/trivy/cosign-vuln.alpine-3.10.docs-example.json");
    const scan = parse("content/trivy/cosign-vuln.alpine-3.10.docs-example.json").document as Scan;
    const inner = doc.scanner.result.Results.flatMap((r: { Vulnerabilities?: { VulnerabilityID: string }[] }) => r.Vulnerabilities ?? []);
    expect(scan.findings.map((f) => f.id)).toEqual(inner.map((v: { VulnerabilityID: string }) => v.VulnerabilityID));
    expect(scan.scannedAt).toBe(new Date(doc.metadata.scanFinishedOn).toISOString());
    const zero = parse("content/cosign/policy-testdata-valid-vuln.dsse.json").document as Scan;
    expect(zero.scannedAt).toBeUndefined();
    expect(zero.findings).toEqual([]);
  });

  it("a misspelt predicate type (cosign's malformed example) is refused by name, not guessed", () => {
    expect(() => parse("content/cosign/policy-testdata-malformed-vuln.dsse.json")).toThrow(/predicate type "cosign\.sigstore\.dev\/attestation\/vuln\/v1"/);
  });
});

describe("provenance", () => {
  it("slsa-github-generator (v0.2, DSSE): builder, source repository and commit, entry point", () => {
    const envelope = raw("content/slsa-verifier/slsa-github-generator-container-v1.10.0.provenance-v0.2.dsse.json");
    const predicate = JSON.parse(Buffer.from(envelope.payload, "base64").toString()).predicate;
    const p = parse("content/slsa-verifier/slsa-github-generator-container-v1.10.0.provenance-v0.2.dsse.json").document as Provenance;
    expect(p.builderId).toBe(predicate.builder.id);
    expect(p.source?.commit).toBe(predicate.invocation.configSource.digest.sha1);
    expect(p.source?.uri).toBe(predicate.invocation.configSource.uri.replace(/^git\+/, ""));
    expect(p.entryPoint).toBe(predicate.invocation.configSource.entryPoint);
  });

  it("BuildKit v0.2 (mode=min): its materials, two subjects", () => {
    const statement = raw("content/slsa-verifier/buildkit-provenance-v0.2.mode-min.intoto.json");
    const parsed = parse("content/slsa-verifier/buildkit-provenance-v0.2.mode-min.intoto.json");
    const p = parsed.document as Provenance;
    expect(p.buildType).toBe(statement.predicate.buildType);
    expect(p.materials.map((m) => m.uri)).toEqual(statement.predicate.materials.map((m: { uri: string }) => m.uri));
    expect(parsed.statementSubjects).toHaveLength(statement.subject.length);
  });

  it("SLSA v1 from a Sigstore bundle (container-based generator): builder and resolved dependencies", () => {
    const bundle = raw("verification/slsa-verifier/gha_container-based/v1.10.0/binary-linux-amd64-workflow_dispatch.intoto.build.slsa");
    const predicate = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, "base64").toString()).predicate;
    const p = parse("verification/slsa-verifier/gha_container-based/v1.10.0/binary-linux-amd64-workflow_dispatch.intoto.build.slsa").document as Provenance;
    expect(p.slsaVersion).toBe("v1");
    expect(p.builderId).toBe(predicate.runDetails.builder.id);
    expect(p.materials).toHaveLength(predicate.buildDefinition.resolvedDependencies.length);
  });
});

describe("VEX", () => {
  it("OpenVEX v0.2.0 (go-vex): every statement with its status", () => {
    const doc = raw("content/go-vex/v0.2.0.json");
    const vex = parse("content/go-vex/v0.2.0.json").document as Vex;
    expect(vex.statements.map((s) => [s.vulnerability, s.status])).toEqual(doc.statements.map((s: { vulnerability: { name: string }; status: string }) => [s.vulnerability.name, s.status]));
  });

  it("CycloneDX VEX (Trivy's): analysis states, products from BOM-Links", () => {
    const doc = raw("content/trivy/vex-cyclonedx.json");
    const vex = parse("content/trivy/vex-cyclonedx.json").document as Vex;
    expect(vex.statements.map((s) => s.vulnerability)).toEqual(doc.vulnerabilities.map((v: { id: string }) => v.id));
    const ref = doc.vulnerabilities[0].affects[0].ref as string;
    expect(vex.statements[0].products[0]).toBe(decodeURIComponent(ref.slice(ref.indexOf("#") + 1)));
  });

  it("a statement applies to a finding of the same vulnerability in the same package, whatever its version", () => {
    const vex = parse("content/trivy/openvex.json").document as Vex;
    const s = raw("content/trivy/openvex.json").statements[0];
    const product = (s.products[0].subcomponents?.[0]?.["@id"] ?? s.products[0]["@id"]) as string;
    const finding = { id: (s.vulnerability.name ?? s.vulnerability["@id"]) as string, severity: "high" as const, purl: `${product.split("@")[0]}@9.9.9` };
    expect(vexFor(finding, [vex])?.status).toBe(s.status);
    expect(vexFor({ ...finding, id: "CVE-0000-0000" }, [vex])).toBeUndefined();
  });
});

describe("what is not a document", () => {
  it("says so, naming what it expected", () => {
    expect(() => parseDocumentBytes(new TextEncoder().encode("not json"))).toThrow(DocumentError);
    expect(() => parseDocumentBytes(new TextEncoder().encode('{"hello": "world"}'))).toThrow(/none of the formats read here/);
    expect(() => parseDocumentBytes(new TextEncoder().encode('{"payloadType": "x", "payload": "!!", "signatures": []}'))).toThrow(/not base64 JSON/);
  });
});
