import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPolicy } from "@/lib/cli/policy";
import type { PolicyResponse } from "@/lib/server/api/policy";
import type { TagStatus } from "@/lib/server/api/graph";
import { startApp, type RunningApp } from "../support/app-server";
import { pushImage, pushReferrer } from "../support/artifacts";
import { startDistribution, type RunningDistribution } from "../support/distribution";
import { FIXTURES } from "../support/fixtures";
import { pushLayout, readLayout } from "../support/layout";
import { freePort } from "../support/ports";

// Policies judged live against Distribution, through the API (artifact and tag table) and the CI command: notation's
// e2e-valid-signature image with Trivy's alpine 3.10 report and a CycloneDX SBOM attached, next to an unsigned image.
// Expected findings come from the report's JSON.

let dist: RunningDistribution;
let app: RunningApp;
let work: string;
let configPath: string;
const trivy = JSON.parse(readFileSync(join(FIXTURES, "content/trivy/alpine-310.json.golden"), "utf8"));
const findings: { VulnerabilityID: string; Severity: string }[] = trivy.Results.flatMap((r: { Vulnerabilities?: unknown[] }) => r.Vulnerabilities ?? []);
const mediumIds = [...new Set(findings.filter((f) => f.Severity === "MEDIUM").map((f) => f.VulnerabilityID))];

const policies = [
  { name: "release", scope: { repositories: ["notation/**", "apps/**"] }, require: { signature: { trustedBy: [{ notation: "e2e" }] }, sbom: { formats: ["cyclonedx"] }, scan: { failOn: "high" } } },
  { name: "strict-scan", mode: "audit", scope: { repositories: ["notation/**"] }, require: { scan: { failOn: "medium", allow: [{ id: mediumIds[0], until: "2099-12-31", reason: "accepted for the test" }] } } },
];

beforeAll(async () => {
  dist = await startDistribution();
  const signed = readLayout(join(FIXTURES, "notation", "e2e-valid-signature"));
  await pushLayout({ url: dist.url }, "notation/e2e-valid-signature", signed);
  const subject = signed.manifests.get(signed.entries.find((e) => e.tag === "v1")!.descriptor.digest)!;
  await pushReferrer({ url: dist.url }, "notation/e2e-valid-signature", subject, { artifactType: "application/vnd.aquasec.trivy.report+json", created: "2026-01-02T00:00:00Z", content: { mediaType: "application/json", bytes: readFileSync(join(FIXTURES, "content/trivy/alpine-310.json.golden")) } });
  await pushReferrer({ url: dist.url }, "notation/e2e-valid-signature", subject, { artifactType: "application/vnd.cyclonedx+json", created: "2026-01-03T00:00:00Z", content: { mediaType: "application/vnd.cyclonedx+json", bytes: readFileSync(join(FIXTURES, "documents/cyclonedx/SBOM_laravel-7.12.0_bom.1.4.json")) } });
  await pushImage({ url: dist.url }, "apps/unsigned", "1.0", { created: "2026-01-01T00:00:00Z" });

  work = mkdtempSync(join(tmpdir(), "chainsight-policy-it-"));
  mkdirSync(join(work, "truststore/x509/ca/e2e"), { recursive: true });
  cpSync(join(FIXTURES, "notation/trust/e2e.crt"), join(work, "truststore/x509/ca/e2e/e2e.crt"));
  cpSync(join(FIXTURES, "notation/trust/trustpolicy.json"), join(work, "trustpolicy.json"));
  const config = {
    registries: [{ id: "local", url: dist.url, plainHttp: true }],
    verification: { notation: { trustPolicy: join(work, "trustpolicy.json"), trustStore: join(work, "truststore") } },
    policies,
  };
  configPath = join(work, "chainsight.yaml");
  writeFileSync(configPath, stringify(config));
  app = await startApp(config);
}, 120_000);

afterAll(async () => {
  await app?.stop();
  await dist?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("policies through the API", () => {
  it("judges each rule of each policy covering the image, with reasons and evidence", async () => {
    const res = await app.get("/api/registries/local/policy?repository=notation/e2e-valid-signature&reference=v1");
    expect(res.status).toBe(200);
    const body = res.body as PolicyResponse;
    expect(body.results.map((r) => [r.policy, r.outcome])).toEqual([["release", "pass"], ["strict-scan", "fail"]]);
    // The audit policy fails, the enforced one passes: the image may ship.
    expect(body.outcome).toBe("pass");
    const release = body.results[0];
    expect(release.rules.find((r) => r.rule === "signature")!.reason).toContain("CN=e2e");
    expect(release.rules.find((r) => r.rule === "scan")!.reason).toContain("no finding at high or above");
    const strict = body.results[1].rules[0];
    // Every medium finding but the allow-listed one.
    expect(strict.reason).toContain(`${mediumIds.length - 1} finding${mediumIds.length - 1 === 1 ? "" : "s"} at medium or above`);
    expect(strict.reason).toContain("1 allow-listed");
    expect(strict.reason).not.toContain(`${mediumIds[0]},`);
    expect(strict.evidence.length).toBeGreaterThan(0);
  });

  it("puts the outcome in the tag table's status, and refuses a policy that does not exist", async () => {
    const status = await app.get("/api/registries/local/status?repository=apps/unsigned&tags=1.0");
    const s = (status.body as { statuses: TagStatus[] }).statuses[0];
    expect(s.policy).toMatchObject({ outcome: "fail", results: [{ policy: "release", outcome: "fail" }] });
    expect(s.policy!.results[0].notPassed.map((x) => x.rule)).toEqual(["signature", "sbom", "scan"]);
    const unknown = await app.get("/api/registries/local/policy?repository=apps/unsigned&reference=1.0&policy=nope");
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ parameter: "policy", message: expect.stringContaining("release, strict-scan") });
  });
});

describe("npm run policy -- check", () => {
  it("exits 0 when every enforced policy passes, 1 when one fails, 2 when it cannot decide", async () => {
    const pass = await runPolicy(["check", `${dist.host}/notation/e2e-valid-signature:v1`, "--config", configPath]);
    expect(pass.stderr).toBe("");
    expect(pass.code).toBe(0);
    expect(pass.stdout).toContain('policy "release" (enforce): PASS');
    expect(pass.stdout).toContain('policy "strict-scan" (audit): FAIL');

    const fail = await runPolicy(["check", `${dist.host}/apps/unsigned:1.0`, "--config", configPath, "--output", "json"]);
    expect(fail.code).toBe(1);
    expect(JSON.parse(fail.stdout)).toMatchObject({ outcome: "fail", results: [{ policy: "release", rules: [{ rule: "signature", outcome: "fail", reason: "nothing signs this image" }, { rule: "sbom" }, { rule: "scan" }] }] });

    // Only the audit policy, named: it fails, but audit never fails the image.
    const audit = await runPolicy(["check", `${dist.host}/notation/e2e-valid-signature:v1`, "--config", configPath, "--policy", "strict-scan"]);
    expect(audit.code).toBe(0);

    const none = await runPolicy(["check", `${dist.host}/other/thing:1.0`, "--config", configPath]);
    expect(none.code).toBe(2);
    const missing = await runPolicy(["check", `${dist.host}/apps/unsigned:1.0`, "--config", configPath, "--policy", "nope"]);
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringContaining('no policy is named "nope"') });
    const down = await runPolicy(["check", `127.0.0.1:${await freePort()}/apps/unsigned:1.0`, "--config", configPath, "--plain-http"]);
    expect(down.code).toBe(2);
    expect(down.stderr).toContain("could not be judged");
  }, 60_000);
});
