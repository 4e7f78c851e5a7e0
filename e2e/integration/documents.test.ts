import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DocumentsResponse, FindingsResponse, ProvenanceResponse, SbomResponse } from "@/lib/server/api/documents";
import { startApp, type RunningApp } from "../support/app-server";
import { pushImage, pushReferrer } from "../support/artifacts";
import { startDistribution, type RunningDistribution } from "../support/distribution";
import { FIXTURES } from "../support/fixtures";
import { pushLayout, readLayout, type LayoutManifest } from "../support/layout";

// Attached documents read through the API of a production build, against Distribution: third-party
// SBOMs, scans and provenance pushed as referrers; expected values from the documents' own JSON.

let dist: RunningDistribution;
let app: RunningApp;
const refs: Record<string, LayoutManifest> = {};
let image: LayoutManifest;
const file = (p: string) => readFileSync(join(FIXTURES, p));
const raw = (p: string) => JSON.parse(file(p).toString("utf8"));
const SLSA_INDEX = file("verification/slsa-verifier/gha_generic_container/v1.10.0/container_workflow_dispatch.digest").toString().trim();

beforeAll(async () => {
  dist = await startDistribution();
  const target = { url: dist.url };
  image = await pushImage(target, "apps/alpine", "3.10", { created: "2026-01-01T00:00:00Z" });
  const attach = async (name: string, artifactType: string, mediaType: string, path: string, subject = image, repo = "apps/alpine", created?: string) => {
    refs[name] = await pushReferrer(target, repo, subject, { artifactType, created, content: { mediaType, bytes: file(path) } });
  };
  await attach("sarif", "application/sarif+json", "application/sarif+json", "content/trivy/alpine-310.sarif.golden", image, "apps/alpine", "2026-01-03T00:00:00Z");
  await attach("trivy", "application/vnd.aquasec.trivy.report+json", "application/json", "content/trivy/alpine-310.json.golden", image, "apps/alpine", "2026-01-02T00:00:00Z");
  await attach("cyclonedx", "application/vnd.cyclonedx+json", "application/vnd.cyclonedx+json", "documents/cyclonedx/SBOM_laravel-7.12.0_bom.1.4.json", image, "apps/alpine", "2026-01-04T00:00:00Z");
  await attach("spdx", "application/spdx+json", "application/spdx+json", "content/trivy/centos-7-spdx.json", image, "apps/alpine", "2026-01-01T00:00:00Z");
  await attach("notjson", "application/spdx+json", "application/spdx+json", "content/trivy/LICENSE");
  // Larger than documents.maxMiB (0.2 MiB here): a generated SPDX document of 3,000 packages.
  refs.huge = await pushReferrer(target, "apps/alpine", image, {
    artifactType: "application/spdx+json",
    content: { mediaType: "application/spdx+json", bytes: Buffer.from(JSON.stringify({ spdxVersion: "SPDX-2.3", packages: Array.from({ length: 3000 }, (_, i) => ({ SPDXID: `SPDXRef-${i}`, name: `package-${i}`, versionInfo: "1.0.0", licenseConcluded: "MIT" })) })) },
  });
  // Our own VEX statement about the real scan's first finding: the image is not affected by it.
  const first = raw("content/trivy/alpine-310.json.golden").Results[0].Vulnerabilities[0];
  refs.vex = await pushReferrer(target, "apps/alpine", image, {
    artifactType: "application/vnd.openvex+json",
    content: {
      mediaType: "application/json",
      bytes: Buffer.from(JSON.stringify({ "@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.test/vex/1", author: "tests", timestamp: "2026-01-02T00:00:00Z", version: 1, statements: [{ vulnerability: { name: first.VulnerabilityID }, products: [{ "@id": first.PkgIdentifier.PURL.replace(/@.*/, "") }], status: "not_affected", justification: "vulnerable_code_not_in_execute_path" }] })),
    },
  });
  // slsa-verifier's cosign-saved layout, and the generator's signed provenance attached to its index.
  await pushLayout(target, "slsa/container", readLayout(join(FIXTURES, "verification/slsa-verifier/gha_generic_container/v1.10.0/container_workflow_dispatch")));
  const index = { digest: SLSA_INDEX, mediaType: "application/vnd.oci.image.index.v1+json", bytes: file(`verification/slsa-verifier/gha_generic_container/v1.10.0/container_workflow_dispatch/blobs/sha256/${SLSA_INDEX.slice(7)}`), json: {} } as LayoutManifest;
  await attach("provenance", "application/vnd.in-toto+json", "application/vnd.dsse.envelope.v1+json", "content/slsa-verifier/slsa-github-generator-container-v1.10.0.provenance-v0.2.dsse.json", index, "slsa/container");
  await attach("foreignProvenance", "application/vnd.in-toto+json", "application/vnd.dsse.envelope.v1+json", "content/slsa-verifier/slsa-github-generator-container-v1.10.0.provenance-v0.2.dsse.json");
  app = await startApp({ registries: [{ id: "local", url: `http://${dist.host}`, plainHttp: true }], documents: { maxMiB: 0.2 } });
}, 180_000);

afterAll(async () => {
  await app?.stop();
  await dist?.stop();
});

const get = async <T>(route: string, params: Record<string, string>) => {
  const res = await fetch(`${app.url}/api/registries/local/${route}?${new URLSearchParams({ repository: "apps/alpine", ...params })}`);
  return { status: res.status, body: (await res.json()) as T & { error?: { code: string; message: string } } };
};

describe("scans", () => {
  it("Trivy SARIF: severity counts and findings as the scan has them", async () => {
    const vulns = raw("content/trivy/alpine-310.json.golden").Results.flatMap((r: { Vulnerabilities?: unknown[] }) => r.Vulnerabilities ?? []) as { VulnerabilityID: string; Severity: string; PkgName: string }[];
    const { status, body } = await get<FindingsResponse>("findings", { digest: refs.sarif.digest });
    expect(status).toBe(200);
    expect(body.summary.tool).toBe("Trivy dev");
    // One finding is marked not_affected by the attached VEX document: counted apart, shown with its statement.
    expect(body.suppressed).toBe(1);
    expect(body.counts.medium).toBe(vulns.filter((v) => v.Severity === "MEDIUM").length - 1);
    expect(body.vex).toEqual([{ digest: refs.vex.digest, statements: 1 }]);
    // Joined to the image's newest SBOM (laravel's, a PHP application): alpine's libssl and libcrypto are not in it.
    expect(body.sbom?.digest).toBe(refs.cyclonedx.digest);
    expect(body.findings.every((f) => f.inSbom === false)).toBe(true);
    const marked = body.findings.find((f) => f.vex);
    expect(marked?.vex?.status).toBe("not_affected");
    expect(marked?.id).toBe(vulns[0].VulnerabilityID);
    expect(body.total).toBe(vulns.length);
  });

  it("filters: search, fixable only, severity; pages with a cursor", async () => {
    const page1 = await get<FindingsResponse>("findings", { digest: refs.trivy.digest, n: "3" });
    expect(page1.body.findings).toHaveLength(3);
    const page2 = await get<FindingsResponse>("findings", { digest: refs.trivy.digest, n: "3", cursor: page1.body.next! });
    expect(page2.body.findings).toHaveLength(page1.body.total - 3);
    const search = await get<FindingsResponse>("findings", { digest: refs.trivy.digest, q: "libssl" });
    expect(search.body.findings.every((f) => f.packageName === "libssl1.1")).toBe(true);
    const none = await get<FindingsResponse>("findings", { digest: refs.trivy.digest, severity: "critical" });
    expect(none.body.total).toBe(0);
    const bad = await get<FindingsResponse>("findings", { digest: refs.trivy.digest, severity: "awful" });
    expect(bad.status).toBe(400);
  });
});

describe("SBOMs", () => {
  it("CycloneDX 1.4: the package count, ecosystems and a page of packages; search by name", async () => {
    const doc = raw("documents/cyclonedx/SBOM_laravel-7.12.0_bom.1.4.json");
    const count = (list: { components?: unknown[] }[]): number => list.reduce((n, c) => n + 1 + count((c.components ?? []) as { components?: unknown[] }[]), 0);
    const { status, body } = await get<SbomResponse>("sbom", { digest: refs.cyclonedx.digest, n: "10" });
    expect(status).toBe(200);
    expect(body.summary.packages).toBe(count(doc.components) + 1);
    expect(body.packages).toHaveLength(10);
    // The metadata component (laravel itself) is a package too.
    expect(body.ecosystems.find((e) => e.name === "composer")?.count).toBe([doc.metadata.component, ...doc.components].filter((c: { purl?: string }) => c.purl?.startsWith("pkg:composer/")).length);
    const search = await get<SbomResponse>("sbom", { digest: refs.cyclonedx.digest, q: "symfony/console" });
    expect(search.body.packages.map((p) => p.name)).toContain("symfony/console");
  });

  it("why is a package here: the shortest chain of dependencies from laravel itself, as the document's dependencies give it", async () => {
    const doc = raw("documents/cyclonedx/SBOM_laravel-7.12.0_bom.1.4.json");
    const root = doc.metadata.component["bom-ref"];
    const edges = new Map<string, string[]>(doc.dependencies.map((d: { ref: string; dependsOn?: string[] }) => [d.ref, d.dependsOn ?? []]));
    // Breadth-first from the root over the raw dependency list: the depth of every package.
    const depth = new Map<string, number>([[root, 0]]);
    const queue = [root];
    while (queue.length) {
      const cur = queue.shift()!;
      for (const next of edges.get(cur) ?? []) {
        if (depth.has(next)) continue;
        depth.set(next, depth.get(cur)! + 1);
        queue.push(next);
      }
    }
    const [deepest, d] = [...depth.entries()].sort((a, b) => b[1] - a[1])[0];
    const { body } = await get<SbomResponse>("sbom", { digest: refs.cyclonedx.digest, why: deepest });
    expect(body.path).toHaveLength(d + 1);
    expect(body.path![0].id).toBe(root);
    expect(body.path!.at(-1)!.id).toBe(deepest);
    for (let i = 1; i < body.path!.length; i++) expect(edges.get(body.path![i - 1].id)).toContain(body.path![i].id);
  });

  it("the dependency tree opens step by step: the roots, then a package's direct dependencies", async () => {
    const doc = raw("documents/cyclonedx/SBOM_laravel-7.12.0_bom.1.4.json");
    const root = doc.metadata.component["bom-ref"];
    const roots = await get<SbomResponse>("sbom", { digest: refs.cyclonedx.digest, children: "root" });
    expect(roots.body.children?.map((c) => c.id)).toEqual([root]);
    const direct = doc.dependencies.find((d: { ref: string }) => d.ref === root).dependsOn as string[];
    const level1 = await get<SbomResponse>("sbom", { digest: refs.cyclonedx.digest, children: root });
    expect(level1.body.children?.map((c) => c.id).sort()).toEqual([...direct].sort());
  });

  it("CSV export: a header and one quoted row per package", async () => {
    const res = await fetch(`${app.url}/api/registries/local/sbom?repository=apps/alpine&digest=${refs.cyclonedx.digest}&format=csv`);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    const lines = (await res.text()).trimEnd().split("\r\n");
    const doc = raw("documents/cyclonedx/SBOM_laravel-7.12.0_bom.1.4.json");
    expect(lines[0]).toBe("name,version,ecosystem,licenses,supplier,purl");
    expect(lines).toHaveLength(doc.components.length + 2);
    expect(lines.slice(1).every((l) => l.startsWith('"'))).toBe(true);
  });

  it("SPDX 2.2 from Trivy", async () => {
    const doc = raw("content/trivy/centos-7-spdx.json");
    const { body } = await get<SbomResponse>("sbom", { digest: refs.spdx.digest });
    expect(body.total).toBe(doc.packages.length);
    expect(body.summary.text).toContain("SPDX 2.2 SBOM");
  });

  it("what is not a document, or too large, is a 422 naming why; never a 500", async () => {
    const notJson = await get<SbomResponse>("sbom", { digest: refs.notjson.digest });
    expect(notJson.status).toBe(422);
    expect(notJson.body.error?.message).toMatch(/not JSON/);
    const huge = await get<SbomResponse>("sbom", { digest: refs.huge.digest });
    expect(huge.status).toBe(422);
    expect(huge.body.error?.code).toBe("document_too_large");
    expect(huge.body.error?.message).toMatch(/more than the 209715-byte limit \(documents\.maxMiB/);
    const sarifAsSbom = await get<SbomResponse>("sbom", { digest: refs.sarif.digest });
    expect(sarifAsSbom.status).toBe(422);
    expect(sarifAsSbom.body.error?.message).toMatch(/holds no SBOM \(it holds: scan\)/);
  });
});

describe("provenance", () => {
  it("the generator's provenance on its own image: builder, source, commit, and the subject matches", async () => {
    const predicate = JSON.parse(Buffer.from(raw("content/slsa-verifier/slsa-github-generator-container-v1.10.0.provenance-v0.2.dsse.json").payload, "base64").toString()).predicate;
    const res = await fetch(`${app.url}/api/registries/local/provenance?repository=slsa/container&digest=${refs.provenance.digest}`);
    const body = (await res.json()) as ProvenanceResponse;
    expect(body.provenance.builderId).toBe(predicate.builder.id);
    expect(body.provenance.source?.commit).toBe(predicate.invocation.configSource.digest.sha1);
    expect(body.subjectMatches).toBe(true);
    expect(body.summary.text).toMatch(/slsa-github-generator · github\.com\/slsa-framework\/example-package@d37a7f7/);
  });

  it("the same provenance attached to another image says it is not about it", async () => {
    const { body } = await get<ProvenanceResponse>("provenance", { digest: refs.foreignProvenance.digest });
    expect(body.subjectMatches).toBe(false);
  });
});

describe("BuildKit attestations inside an index", () => {
  it("the attestation manifest's in-toto layer reads as BuildKit provenance", async () => {
    const index = JSON.parse(file(`verification/slsa-verifier/gha_generic_container/v1.10.0/container_workflow_dispatch/blobs/sha256/${SLSA_INDEX.slice(7)}`).toString());
    const attestation = index.manifests.find((m: { annotations?: Record<string, string> }) => m.annotations?.["vnd.docker.reference.type"] === "attestation-manifest");
    const statement = raw("content/slsa-verifier/buildkit-provenance-v0.2.mode-min.intoto.json");
    const res = await fetch(`${app.url}/api/registries/local/provenance?repository=slsa/container&digest=${attestation.digest}`);
    const body = (await res.json()) as ProvenanceResponse;
    expect(res.status).toBe(200);
    expect(body.provenance.buildType).toBe(statement.predicate.buildType);
    expect(body.summary.text).toMatch(/^SLSA v0\.2 provenance · BuildKit/);
  });
});

describe("summaries", () => {
  it("per image: the newest SBOM's package count and the newest scan's counts, in the status call and /summary", async () => {
    const { body } = await get<{ statuses: { documents?: { sbom?: { packages: number; digest: string }; scan?: { counts: Record<string, number>; digest: string } } }[] }>("status", { tags: "3.10" });
    const docs = body.statuses[0].documents!;
    const laravel = raw("documents/cyclonedx/SBOM_laravel-7.12.0_bom.1.4.json");
    expect(docs.sbom).toMatchObject({ digest: refs.cyclonedx.digest, packages: laravel.components.length + 1 });
    expect(docs.scan?.digest).toBe(refs.sarif.digest);
    expect(docs.scan?.counts.medium).toBe(raw("content/trivy/alpine-310.sarif.golden").runs[0].results.length);
    const summary = await get<{ sbom?: { digest: string } }>("summary", { reference: "3.10" });
    expect(summary.body.sbom?.digest).toBe(refs.cyclonedx.digest);
  });

  it("every document of an artifact, summarised in a line", async () => {
    const { body } = await get<DocumentsResponse>("document", { digest: refs.trivy.digest });
    expect(body.documents).toHaveLength(1);
    expect(body.documents[0].summary?.text).toBe("Trivy scan · 4 medium · 4 fixable");
  });
});

describe("diff", () => {
  it("a version against itself: nothing new, nothing fixed, every package unchanged; a missing tag is 404", async () => {
    const laravel = raw("documents/cyclonedx/SBOM_laravel-7.12.0_bom.1.4.json");
    const { status, body } = await get<{ packages: { unchanged: number; totals: Record<string, number> }; findings: { unchanged: number; totals: Record<string, number> } }>("diff", { from: "3.10", to: "3.10" });
    expect(status).toBe(200);
    expect(body.packages.totals).toEqual({ added: 0, removed: 0, changed: 0 });
    expect(body.packages.unchanged).toBe(laravel.components.length + 1);
    expect(body.findings.totals).toEqual({ added: 0, fixed: 0 });
    const missing = await get<unknown>("diff", { from: "3.10", to: "no-such-tag" });
    expect(missing.status).toBe(404);
  });
});
