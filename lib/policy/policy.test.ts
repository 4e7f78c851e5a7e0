import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDemoStore } from "../demo/build";
import { demoFindings } from "../demo/documents";
import { readDocuments } from "../documents/read";
import { LayoutWriter } from "../demo/layout-writer";
import { MediaType } from "../oci/media-types";
import { LayoutStore } from "../oci/layout-store";
import { issueCertificate } from "../verification/issue-certificate";
import { signJws } from "../verification/notary/sign";
import { EKU } from "../verification/x509";
import { discover } from "../supply-chain/discover";
import { loadTrust, type VerificationTrust } from "../verification/trust-config";
import { verifyGraph } from "../verification/verify-graph";
import { crawlRegistry, type IndexSource } from "../index/crawler";
import { computeCoverage, saveSnapshot, trend } from "../index/coverage";
import { openIndexDatabase } from "../index/database";
import { imageDigests } from "../supply-chain/status";
import { checkPolicies, type ImagePolicies } from "./check";
import { policySchema, type PolicyInput } from "./schema";

// Policies judged on the demo store (net-monitor with its Notary and cosign signatures, SBOMs, Trivy and Grype
// SARIF scans, a VEX statement and provenance; the team repositories with one signature verdict each) and on a
// generated image. Expected values come from the demo's finding lists and the fixtures' annotations,
// not from the evaluator.

const root = mkdtempSync(join(tmpdir(), "chainsight-policy-"));
const fixtures = join(__dirname, "../../e2e/fixtures");
let store: LayoutStore;
let trust: VerificationTrust;

beforeAll(async () => {
  const trustDir = join(root, "trust");
  await buildDemoStore(join(root, "store"), { fixtures, trustDir });
  store = new LayoutStore({ root: join(root, "store"), name: "demo" });
  trust = loadTrust({
    notation: { trustPolicy: join(trustDir, "trustpolicy.json"), trustStore: join(trustDir, "truststore"), crls: {} },
    sigstore: { trustedRoot: join(trustDir, "trusted_root.json") },
    cosign: { keys: [{ name: "wabbit-networks cosign key", path: join(trustDir, "cosign.pub"), scopes: ["local/monitoring/**"] }], identities: [] },
  });
}, 60_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

async function judge(repository: string, tag: string, policies: PolicyInput[], now: string): Promise<ImagePolicies> {
  const graph = await discover(store, repository, tag, { maxDepth: 2 });
  // Verified as of today (the demo's certificates are made when it is built); the policy's clock is the test's.
  const verification = await verifyGraph(store, graph, trust, { scope: `local/${repository}` });
  return checkPolicies(
    policies.map((p) => policySchema.parse(p)),
    graph,
    verification,
    (digest) => readDocuments(store, repository, digest, { maxBytes: 16 * 1024 * 1024 }),
    { registry: "demo", repository, tags: [tag], now: new Date(now) },
  );
}
const rule = (r: ImagePolicies, name: string) => r.results[0].rules.find((x) => x.rule === name)!;

// net-monitor v1's newest scan is the Trivy one of 2026-01-27; the demo's VEX statement says CVE-2024-2961 does not
// affect net-monitor.
const SCANNED = "2026-01-27";
const VEXED = "CVE-2024-2961";
const v1Trivy = demoFindings("v1", "trivy");
const highOrAbove = v1Trivy.filter((f) => f.severity === "HIGH" || f.severity === "CRITICAL");

describe("signature rule", () => {
  it("passes a verified signature from the named trust policy, and counts distinct signers by trust root", async () => {
    const byPolicy = await judge("monitoring/net-monitor", "v1", [{ name: "p", require: { signature: { trustedBy: [{ notation: "wabbit-networks-images" }] } } }], "2026-02-01T00:00:00Z");
    expect(byPolicy.outcome).toBe("pass");
    expect(rule(byPolicy, "signature").reason).toContain("O=Wabbit Networks");
    // v1 carries a Notary signature (the demo CA) and a cosign signature (the demo key): two roots.
    const two = await judge("monitoring/net-monitor", "v1", [{ name: "p", require: { signature: { minSigners: 2 } } }], "2026-02-01T00:00:00Z");
    expect(rule(two, "signature")).toMatchObject({ outcome: "pass", reason: expect.stringContaining("2 distinct signers") });
    // Only the Notary one is accepted by this policy: one signer short.
    const notaryOnly = await judge("monitoring/net-monitor", "v1", [{ name: "p", require: { signature: { trustedBy: [{ notation: "wabbit-networks-images" }], minSigners: 2 } } }], "2026-02-01T00:00:00Z");
    expect(rule(notaryOnly, "signature")).toMatchObject({ outcome: "fail", reason: expect.stringContaining("1 distinct signer") });
  });

  it("counts two signatures by the same root once", async () => {
    // A generated image: two Notary signatures by one CA's signer, then a third by a second CA.
    const dir = join(root, "twice");
    const ca = async (org: string) => {
      const subject = (cn: string): [string, string][] => [["C", "US"], ["O", org], ["CN", cn]];
      const rootCert = await issueCertificate({ subject: subject(`${org} Root`), ca: true, keyUsage: ["keyCertSign"] });
      const leaf = await issueCertificate({ subject: subject(`${org} signer`), issuer: rootCert, ca: false, keyUsage: ["digitalSignature"], extendedKeyUsage: [EKU.codeSigning] });
      mkdirSync(join(dir, "trust", "truststore", "x509", "ca", org), { recursive: true });
      writeFileSync(join(dir, "trust", "truststore", "x509", "ca", org, "root.crt"), rootCert.pem);
      return { root: rootCert, leaf };
    };
    const [a, b] = [await ca("a"), await ca("b")];
    writeFileSync(join(dir, "trust", "trustpolicy.json"), JSON.stringify({ version: "1.0", trustPolicies: [{ name: "twice", registryScopes: ["local/policy/twice"], signatureVerification: { level: "strict" }, trustStores: ["ca:a", "ca:b"], trustedIdentities: ["*"] }] }));
    const w = new LayoutWriter(join(dir, "store", "policy", "twice"));
    const image = w.manifest({ schemaVersion: 2, mediaType: MediaType.OciManifest, config: w.json({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } }, MediaType.OciConfig), layers: [] }, "v1");
    const sign = (signer: typeof a, signedAt: string) => {
      const envelope = signJws({ subject: { mediaType: image.mediaType, digest: image.digest, size: image.size }, chain: [signer.leaf.der, signer.root.der], privateKey: signer.leaf.privateKey, alg: "PS256", signingTime: new Date(signedAt) });
      w.manifest({ schemaVersion: 2, mediaType: MediaType.OciManifest, artifactType: "application/vnd.cncf.notary.signature", config: w.empty(), layers: [w.blob(envelope, "application/jose+json")], subject: { mediaType: image.mediaType, digest: image.digest, size: image.size } });
    };
    sign(a, "2026-01-01T00:00:00Z");
    sign(a, "2026-01-02T00:00:00Z");
    w.save();
    const own = loadTrust({ notation: { trustPolicy: join(dir, "trust", "trustpolicy.json"), trustStore: join(dir, "trust", "truststore"), crls: {} }, sigstore: {}, cosign: { keys: [], identities: [] } });
    const judgeTwice = async () => {
      const s = new LayoutStore({ root: join(dir, "store"), name: "twice" });
      const graph = await discover(s, "policy/twice", "v1", { maxDepth: 2 });
      const verification = await verifyGraph(s, graph, own, { scope: "local/policy/twice" });
      return checkPolicies([policySchema.parse({ name: "p", require: { signature: { minSigners: 2 } } })], graph, verification, async () => [], { registry: "demo", repository: "policy/twice" });
    };
    expect(rule(await judgeTwice(), "signature")).toMatchObject({ outcome: "fail", reason: "1 distinct signer (CN=a signer, O=a, C=US; 2 verified signatures), 2 required" });
    sign(b, "2026-01-03T00:00:00Z");
    w.save();
    expect(rule(await judgeTwice(), "signature")).toMatchObject({ outcome: "pass", reason: expect.stringContaining("2 distinct signers") });
  });

  it("fails what nothing signs, fails a tampered signature, and is unknown when no trust applies", async () => {
    const unsigned = await judge("monitoring/net-monitor", "v0.9", [{ name: "p", require: { signature: {} } }], "2026-02-01T00:00:00Z");
    expect(rule(unsigned, "signature")).toMatchObject({ outcome: "fail", reason: "nothing signs this image" });
    const tampered = await judge("teama/payments/worker", "1.4.0", [{ name: "p", require: { signature: {} } }], "2026-02-01T00:00:00Z");
    expect(rule(tampered, "signature")).toMatchObject({ outcome: "fail", reason: expect.stringContaining("invalid") });
    // teamb/web is signed, but no trust policy statement covers it.
    const noPolicy = await judge("teamb/web", "2.3.1", [{ name: "p", require: { signature: {} } }], "2026-02-01T00:00:00Z");
    expect(rule(noPolicy, "signature").outcome).toBe("unknown");
  });
});

describe("scan rule", () => {
  it("fails on findings at or above the severity, after VEX, and says which", async () => {
    const r = await judge("monitoring/net-monitor", "v1", [{ name: "p", require: { scan: { failOn: "high" } } }], "2026-02-01T00:00:00Z");
    const expected = highOrAbove.filter((f) => f.id !== VEXED).map((f) => f.id);
    const scan = rule(r, "scan");
    expect(scan.outcome).toBe("fail");
    expect(scan.reason).toContain(`${expected.length} findings at high or above`);
    for (const id of expected.slice(0, 5)) expect(scan.reason).toContain(id);
    expect(scan.reason).not.toContain(`${VEXED},`);
    expect(scan.reason).toContain("1 not affected by VEX");
    // Only fixable ones: those the scanner gives a fixed version for.
    const fixable = await judge("monitoring/net-monitor", "v1", [{ name: "p", require: { scan: { failOn: "high", fixableOnly: true } } }], "2026-02-01T00:00:00Z");
    expect(rule(fixable, "scan").reason).toContain(`${highOrAbove.filter((f) => f.fixed).length} fixable findings`);
  });

  it("accepts allow-listed findings until their date, and not after", async () => {
    const allow = highOrAbove.filter((f) => f.id !== VEXED).map((f) => ({ id: f.id, until: "2026-02-15", reason: "fix scheduled" }));
    const policy: PolicyInput = { name: "p", require: { scan: { failOn: "high", allow } } };
    const before = await judge("monitoring/net-monitor", "v1", [policy], "2026-02-15T23:00:00Z");
    expect(rule(before, "scan")).toMatchObject({ outcome: "pass", reason: expect.stringContaining(`${allow.length} allow-listed`) });
    const after = await judge("monitoring/net-monitor", "v1", [policy], "2026-02-16T00:00:01Z");
    expect(rule(after, "scan")).toMatchObject({ outcome: "fail", reason: expect.stringContaining("allow-list entries expired") });
  });

  it("wants a fresh scan: the scan's own time decides", async () => {
    const days = (now: string) => Math.floor((Date.parse(now) - Date.parse(`${SCANNED}T12:00:00Z`)) / 86_400_000);
    const fresh = await judge("monitoring/net-monitor", "v1", [{ name: "p", require: { scan: { maxAgeDays: 7 } } }], "2026-01-30T00:00:00Z");
    expect(rule(fresh, "scan")).toMatchObject({ outcome: "pass", reason: expect.stringContaining(`${days("2026-01-30T00:00:00Z")} days ago`) });
    const stale = await judge("monitoring/net-monitor", "v1", [{ name: "p", require: { scan: { maxAgeDays: 7 } } }], "2026-02-10T00:00:00Z");
    expect(rule(stale, "scan")).toMatchObject({ outcome: "fail", reason: expect.stringContaining(`ran ${days("2026-02-10T00:00:00Z")} days ago, on ${SCANNED}`) });
    const none = await judge("monitoring/net-monitor", "v0.9", [{ name: "p", require: { scan: { maxAgeDays: 7 } } }], "2026-02-10T00:00:00Z");
    expect(rule(none, "scan")).toMatchObject({ outcome: "fail", reason: "no scan result is attached" });
  });
});

describe("SBOM and provenance rules, modes and scope", () => {
  it("judges the SBOM's format and its own signature, and the provenance's builder", async () => {
    const signedSbom = await judge("monitoring/net-monitor", "v1", [{ name: "p", require: { sbom: { formats: ["spdx"], signed: true } } }], "2026-02-01T00:00:00Z");
    expect(rule(signedSbom, "sbom")).toMatchObject({ outcome: "pass", reason: expect.stringMatching(/^SPDX SBOM of \d+ packages, signed by .*Wabbit Networks/) });
    // Signed "under the signature rule": by a signer it accepts.
    const byKeyOnly = await judge("monitoring/net-monitor", "v1", [{ name: "p", require: { signature: { trustedBy: [{ key: "wabbit-networks cosign key" }] }, sbom: { formats: ["spdx"], signed: true } } }], "2026-02-01T00:00:00Z");
    expect(rule(byKeyOnly, "signature").outcome).toBe("pass");
    expect(rule(byKeyOnly, "sbom")).toMatchObject({ outcome: "fail", reason: expect.stringContaining("whom the signature rule does not accept") });
    // The CycloneDX SBOM is not signed in the demo.
    const cdx = await judge("monitoring/net-monitor", "v1", [{ name: "p", require: { sbom: { formats: ["cyclonedx"], signed: true } } }], "2026-02-01T00:00:00Z");
    expect(rule(cdx, "sbom")).toMatchObject({ outcome: "fail", reason: expect.stringContaining("nothing signs it") });
    const none = await judge("monitoring/net-monitor", "v0.9", [{ name: "p", require: { sbom: {} } }], "2026-02-01T00:00:00Z");
    expect(rule(none, "sbom").outcome).toBe("fail");
    const provenance = await judge("monitoring/net-monitor", "v1", [{ name: "p", require: { provenance: { builder: "https://github.com/**" } } }], "2026-02-01T00:00:00Z");
    const wrong = await judge("monitoring/net-monitor", "v1", [{ name: "p", require: { provenance: { builder: "https://builder.example/**" } } }], "2026-02-01T00:00:00Z");
    expect(rule(wrong, "provenance")).toMatchObject({ outcome: "fail", reason: expect.stringContaining("is not https://builder.example/**") });
    expect(rule(provenance, "provenance").outcome).toBe("pass");
  });

  it("an audit-mode failure is shown but does not fail the image; scope picks the policies", async () => {
    const r = await judge("monitoring/net-monitor", "v0.9", [{ name: "watch", mode: "audit", require: { signature: {} } }], "2026-02-01T00:00:00Z");
    expect(r.results[0].outcome).toBe("fail");
    expect(r.outcome).toBe("pass");
    const scoped = await judge("monitoring/net-monitor", "v1", [
      { name: "team-a", scope: { repositories: ["teama/**"] }, require: { signature: {} } },
      { name: "releases", scope: { tags: ["v*"] }, require: { signature: {} } },
      { name: "rc", scope: { tags: ["*-rc*"] }, require: { signature: {} } },
    ], "2026-02-01T00:00:00Z");
    expect(scoped.results.map((x) => x.policy)).toEqual(["releases"]);
  });

  it("names the key of a policy it cannot read", () => {
    const bad = policySchema.safeParse({ name: "p", require: { scan: { failOn: "severe" } } });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]).toMatchObject({ path: ["require", "scan", "failOn"], message: expect.stringContaining('"critical", "high"') });
    expect(policySchema.safeParse({ name: "p", require: {} }).error!.issues[0].message).toContain("require at least one");
  });
});

describe("coverage from the index", () => {
  it("counts what the demo's data says, and judges every image as a live check does", async () => {
    const db = await openIndexDatabase({ location: ":memory:" });
    try {
      const source: IndexSource = {
        id: "demo",
        store,
        repositories: async () => (await store.catalogPage({ n: 1000 })).items,
        // Real verification; the image's verdict is "verified" when one of its own signatures verified.
        verify: async (s, graph) => {
          const verification = await verifyGraph(s, graph, trust, { scope: `local/${graph.repository}` });
          const own = imageDigests(graph);
          const mine = verification.signatures.filter((x) => x.kind === "signature" && own.has(x.subject));
          return { verification, verdict: mine.length ? { digest: graph.root, verdict: mine.some((x) => x.verdict === "verified") ? "verified" : mine[0].verdict, summary: "", signers: [], signatures: mine.length, verified: mine.filter((x) => x.verdict === "verified").length } : undefined };
        },
        documents: (s, repository, digest) => readDocuments(s, repository, digest, { maxBytes: 16 * 1024 * 1024 }),
      };
      expect((await crawlRegistry(db, source)).errors).toEqual([]);
      const release: PolicyInput = { name: "release", scope: { repositories: ["monitoring/**"], tags: ["v*"] }, require: { signature: { trustedBy: [{ notation: "wabbit-networks-images" }] }, sbom: {}, scan: { failOn: "critical" } } };
      const policies = [policySchema.parse(release)];
      const now = new Date("2026-04-01T00:00:00Z");
      const coverage = await computeCoverage(db, { registry: "demo", prefix: "monitoring/", policies, scanDays: 30, now, visible: () => true, policy: "release" });
      const repo = coverage.registries[0].namespaces[0].repositories.find((r) => r.repository === "monitoring/net-monitor")!;
      // Four release tags: v0.8 and v0.9 carry nothing; v1 has a critical finding in its newest scan, v2 has none.
      const critical = (v: "v1" | "v2") => demoFindings(v, "trivy").filter((f) => f.severity === "CRITICAL").length;
      expect(critical("v1")).toBeGreaterThan(0);
      expect(critical("v2")).toBe(0);
      expect(repo.counts).toMatchObject({ images: 4, signed: 2, sbom: 2, provenance: 2 });
      // Scanned within 30 days of 2026-04-01: only v2 (its newest scan is from March; v1's from January).
      expect(repo.counts.scanned).toBe(1);
      expect(repo.policies).toEqual([{ policy: "release", mode: "enforce", images: 4, pass: 1, fail: 3, unknown: 0 }]);
      expect(coverage.notPassing.filter((f) => f.repository === "monitoring/net-monitor").map((f) => f.tags[0]).sort()).toEqual(["v0.8", "v0.9", "v1"]);
      // The same judgement as a live check of each image, rule by rule.
      for (const f of coverage.notPassing) {
        const live = await judge(f.repository, f.tags[0], [release], now.toISOString());
        expect(live.results[0].rules.filter((r) => r.outcome !== "pass").map((r) => [r.rule, r.outcome])).toEqual(f.rules.map((r) => [r.rule, r.outcome]));
      }
      // newest: 2 keeps v1 and v2 only.
      const newest = await computeCoverage(db, { registry: "demo", prefix: "monitoring/net-monitor", policies: [policySchema.parse({ ...release, scope: { ...release.scope, newest: 2 } })], scanDays: 30, now, visible: () => true });
      expect(newest.totals.policies[0]).toMatchObject({ images: 2, pass: 1, fail: 1 });
      // Rights: a repository the caller may not read is not counted.
      const hidden = await computeCoverage(db, { registry: "demo", policies, scanDays: 30, now, visible: (_, r) => !r.startsWith("monitoring/") });
      expect(hidden.registries[0].namespaces.some((n) => n.namespace === "monitoring")).toBe(false);
      // A snapshot per namespace and policy, read back as a trend.
      await saveSnapshot(db, coverage, "2026-04-01");
      const points = await trend(db, { registry: "demo", namespace: "monitoring", policy: "release", days: 30, now, visibleNamespace: () => true });
      expect(points).toEqual([expect.objectContaining({ day: "2026-04-01", passing: coverage.registries[0].namespaces[0].policies[0].pass, failing: coverage.registries[0].namespaces[0].policies[0].fail })]);
    } finally {
      await db.destroy();
    }
  }, 120_000);
});
