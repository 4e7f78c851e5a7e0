/**
 * Playwright global setup: the real registry (CNCF Distribution) loaded with
 * the third-party fixtures and a few artifacts of our own (one with hostile
 * annotations), and the production build of Chainsight configured to browse
 * it, plus a registry that is not running. Torn down after the suite.
 */
import { startApp } from "../support/app-server";
import { pushImage, pushReferrer } from "../support/artifacts";
import { startDistribution } from "../support/distribution";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FIXTURES, pushFixtures } from "../support/fixtures";
import { freePort } from "../support/ports";
import { pushLargeChain } from "../support/large-chain";

export const E2E_PORT = Number(process.env.CHAINSIGHT_E2E_PORT ?? 3217);

/** Referrers on the image in teamb/big, each signed once more: 2 × this many nodes below the subject. */
export const BIG_CHAIN = 250;

/** notation's e2e layouts that a trust policy covers in the browser tests. */
export const NOTATION_WITH_POLICY = ["e2e-valid-signature", "e2e-expired-signature", "e2e-invalid-signature", "e2e-valid-multiple-signatures", "e2e-with-expired-cert"];

export const HOSTILE = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>';

export default async function globalSetup() {
  const dist = await startDistribution();
  const target = { url: dist.url };
  await pushFixtures(target);
  const image = await pushImage(target, "teama/app", "v1", { created: "2026-01-01T00:00:00Z" });
  for (const [day, name] of [["03", "scan-a"], ["05", "scan-b"], ["04", "scan-c"]]) {
    await pushReferrer(target, "teama/app", image, {
      artifactType: "application/sarif+json",
      created: `2026-01-${day}T00:00:00Z`,
      content: { mediaType: "application/sarif+json", bytes: Buffer.from(JSON.stringify({ version: "2.1.0", runs: [{ tool: { driver: { name: name } }, results: [] }] })) },
    });
  }
  await pushReferrer(target, "teama/app", image, {
    artifactType: "application/vnd.example.note+json",
    annotations: { "org.opencontainers.image.description": HOSTILE, [HOSTILE]: "key is hostile too", "org.opencontainers.image.url": "javascript:window.__xss=3" },
    content: { mediaType: "text/html", bytes: Buffer.from(`<script>window.__xss=4</script>${HOSTILE}`) },
  });
  await pushImage(target, "teama/sub/api", "1.0", {});
  // Metadata is added to this one from the artifact page (metadata.spec.ts); nothing else reads it.
  await pushImage(target, "teamc/meta", "v1", { created: "2026-11-20T00:00:00Z" });
  await pushImage(target, "teamc/meta", "v2", { created: "2026-11-25T00:00:00Z" });
  // For the delete spec: v1 with an SBOM that is itself signed, v2 with an SBOM and a scan.
  const c1 = await pushImage(target, "teamb/cleanup", "v1", { created: "2026-01-01T00:00:00Z" });
  const c1sbom = await pushReferrer(target, "teamb/cleanup", c1, { artifactType: "application/spdx+json", created: "2026-01-02T00:00:00Z" });
  await pushReferrer(target, "teamb/cleanup", c1sbom, { artifactType: "application/vnd.cncf.notary.signature" });
  const c2 = await pushImage(target, "teamb/cleanup", "v2", { created: "2026-02-01T00:00:00Z" });
  await pushReferrer(target, "teamb/cleanup", c2, { artifactType: "application/spdx+json", created: "2026-02-02T00:00:00Z" });
  await pushReferrer(target, "teamb/cleanup", c2, { artifactType: "application/sarif+json", created: "2026-02-03T00:00:00Z" });
  await pushLargeChain({ url: dist.url }, "teamb/big", BIG_CHAIN);
  await pushImage(target, "teamb/web", "1.0", {});
  // Real documents attached to an image: Trivy's SARIF of alpine 3.10, and the laravel CycloneDX SBOM.
  const scanned = await pushImage(target, "teamb/scanned", "3.10", { created: "2026-01-05T00:00:00Z" });
  await pushReferrer(target, "teamb/scanned", scanned, {
    artifactType: "application/sarif+json",
    created: "2026-01-06T00:00:00Z",
    content: { mediaType: "application/sarif+json", bytes: readFileSync(join(FIXTURES, "content", "trivy", "alpine-310.sarif.golden")) },
  });
  await pushReferrer(target, "teamb/scanned", scanned, {
    artifactType: "application/vnd.cyclonedx+json",
    created: "2026-01-06T00:00:00Z",
    content: { mediaType: "application/vnd.cyclonedx+json", bytes: readFileSync(join(FIXTURES, "documents", "cyclonedx", "SBOM_laravel-7.12.0_bom.1.4.json")) },
  });
  // A second version to compare with: Trivy's centos-7 SPDX and scan.
  const next = await pushImage(target, "teamb/scanned", "3.11", { created: "2026-01-07T00:00:00Z" });
  await pushReferrer(target, "teamb/scanned", next, { artifactType: "application/vnd.aquasec.trivy.report+json", created: "2026-01-08T00:00:00Z", content: { mediaType: "application/json", bytes: readFileSync(join(FIXTURES, "content", "trivy", "centos-7.json.golden")) } });
  await pushReferrer(target, "teamb/scanned", next, { artifactType: "application/spdx+json", created: "2026-01-08T00:00:00Z", content: { mediaType: "application/spdx+json", bytes: readFileSync(join(FIXTURES, "content", "trivy", "centos-7-spdx.json")) } });
  // Trust for notation's e2e layouts: their signing certificate in store ca:e2e, strict, for every
  // notation repository but e2e-with-timestamped-signature (no policy applies there, on purpose).
  const trust = mkdtempSync(join(tmpdir(), "chainsight-e2e-trust-"));
  mkdirSync(join(trust, "truststore", "x509", "ca", "e2e"), { recursive: true });
  cpSync(join(FIXTURES, "notation", "trust", "e2e.crt"), join(trust, "truststore", "x509", "ca", "e2e", "e2e.crt"));
  writeFileSync(
    join(trust, "trustpolicy.json"),
    JSON.stringify({
      version: "1.0",
      trustPolicies: [
        {
          name: "notation-e2e",
          registryScopes: NOTATION_WITH_POLICY.map((c) => `${dist.host}/notation/${c}`),
          signatureVerification: { level: "strict" },
          trustStores: ["ca:e2e"],
          trustedIdentities: ["*"],
        },
      ],
    }),
  );
  const app = await startApp(
    {
      registries: [
        { id: "local", name: "Local Distribution", url: `http://${dist.host}`, plainHttp: true },
        { id: "down", name: "Switched-off registry", url: `http://127.0.0.1:${await freePort()}`, plainHttp: true, timeoutSeconds: 2 },
        // Read-only OCI layouts (the regclient fixtures): deletion is refused, and the UI says so before the button.
        { id: "layouts", name: "Fixture layouts", kind: "oci-layout", path: join(FIXTURES, "regclient") },
      ],
      verification: { notation: { trustPolicy: join(trust, "trustpolicy.json"), trustStore: join(trust, "truststore") } },
    },
    {},
    { port: E2E_PORT },
  );
  return async () => {
    await app.stop();
    await dist.stop();
    rmSync(trust, { recursive: true, force: true });
  };
}
