import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { diffFindings, diffPackages, diffProvenance } from "./diff";
import type { Provenance, Sbom, Scan } from "./model";
import { parseDocumentBytes } from "./parse";

const F = join(__dirname, "../../e2e/fixtures");
const parse = (p: string) => parseDocumentBytes(new Uint8Array(readFileSync(join(F, p)))).document;

describe("diff of two versions", () => {
  it("the same image described by Trivy in SPDX and in CycloneDX: nothing added or removed", () => {
    const spdx = parse("content/trivy/centos-7-spdx.json") as Sbom;
    const cdx = parse("content/trivy/centos-7-cyclonedx.json") as Sbom;
    const d = diffPackages(spdx.packages.filter((p) => p.purl), cdx.packages.filter((p) => p.purl));
    expect(d.added).toEqual([]);
    expect(d.removed).toEqual([]);
    expect(d.unchanged).toBe(cdx.packages.filter((p) => p.purl).length);
  });

  it("a version bump, a package removed and one added (laravel SBOM changed in the test)", () => {
    const before = JSON.parse(readFileSync(join(F, "documents/cyclonedx/SBOM_laravel-7.12.0_bom.1.4.json"), "utf8"));
    const after = structuredClone(before);
    const bumped = after.components[0];
    bumped.purl = bumped.purl.replace(`@${bumped.version}`, "@99.0.0");
    bumped.version = "99.0.0";
    const removed = after.components.splice(1, 1)[0];
    after.components.push({ type: "library", "bom-ref": "pkg:composer/acme/new@1.0.0", name: "new", group: "acme", version: "1.0.0", purl: "pkg:composer/acme/new@1.0.0" });
    const p = (doc: unknown) => (parseDocumentBytes(new TextEncoder().encode(JSON.stringify(doc))).document as Sbom).packages;
    const d = diffPackages(p(before), p(after));
    expect(d.changed).toEqual([{ name: `${bumped.group}/${bumped.name}`, ecosystem: "composer", from: before.components[0].version, to: "99.0.0" }]);
    expect(d.removed.map((x) => x.name)).toEqual([`${removed.group}/${removed.name}`]);
    expect(d.added.map((x) => x.name)).toEqual(["acme/new"]);
  });

  it("findings: alpine's scan against centos's: every one new or fixed, none shared", () => {
    const alpine = parse("content/trivy/alpine-310.json.golden") as Scan;
    const centos = parse("content/trivy/centos-7.json.golden") as Scan;
    const d = diffFindings(alpine.findings, centos.findings);
    expect(d.added).toHaveLength(centos.findings.length);
    expect(d.fixed).toHaveLength(alpine.findings.length);
    const same = diffFindings(alpine.findings, alpine.findings);
    expect([same.added.length, same.fixed.length, same.unchanged]).toEqual([0, 0, alpine.findings.length]);
  });

  it("provenance: another commit is a source change; the same builder is not a builder change", () => {
    const a = parse("content/slsa-verifier/slsa-github-generator-container-v1.10.0.provenance-v0.2.dsse.json") as Provenance;
    const b: Provenance = { ...a, source: { ...a.source!, commit: "0".repeat(40) } };
    expect(diffProvenance(a, b)).toMatchObject({ sourceChanged: true, builderChanged: false });
    expect(diffProvenance(a, a)).toMatchObject({ sourceChanged: false, builderChanged: false });
  });
});
