import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { demoFindings, demoPackages } from "../../lib/demo/documents";
import { NIGHTLY_SCANS } from "../../lib/demo/build";
import { freePort } from "../support/ports";
import { clickGraphNode } from "./graph";

// `npm run demo` the way README says, in a fresh demo folder: open the URL it prints and walk to net-monitor:v1.

let demo: ChildProcess | undefined;
let demoDir = "";
test.afterAll(() => {
  if (demo?.pid) {
    try {
      process.kill(-demo.pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
  if (demoDir) rmSync(demoDir, { recursive: true, force: true });
});

test("npm run demo serves a realistic supply chain out of the box", async ({ page }) => {
  test.setTimeout(240_000);
  demoDir = mkdtempSync(join(tmpdir(), "chainsight-demo-"));
  const port = await freePort();
  demo = spawn("npm", ["run", "demo"], {
    env: { ...process.env, CHAINSIGHT_DEMO_DIR: demoDir, PORT: String(port), CHAINSIGHT_CONFIG: "" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm run demo printed no URL within 200 s:\n${output.slice(-2000)}`)), 200_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      const m = /\[demo\] Chainsight is ready: open (http:\/\/\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    demo!.stdout!.on("data", onData);
    demo!.stderr!.on("data", onData);
    demo!.on("exit", (code) => reject(new Error(`npm run demo exited with ${code}:\n${output.slice(-2000)}`)));
  });
  expect(output).toContain(`[demo] creating the demo store in ${join(demoDir, "store")}`);
  // A first run says nothing a newcomer cannot act on: no telemetry notice (the demo promises no network),
  // no log line that reads like an error.
  expect(output).not.toMatch(/telemetry/i);
  expect(output).not.toContain('"registries":[]');

  await page.goto(url);
  // Two stores: the demo supply chain and an empty, writable one to promote and import into.
  await expect(page.getByText("reachable", { exact: true })).toHaveCount(2);
  await expect(page.getByRole("link", { name: "Air-gap export (OCI layouts, writable)" })).toBeVisible();
  // The store is named, its folder on the server is not shown (open access: anyone could read it).
  await expect(page.getByText("OCI layouts on the server")).toHaveCount(2);
  expect(await page.content()).not.toContain(demoDir);
  await page.getByRole("link", { name: "Demo supply chain (OCI layouts)" }).click();
  const namespaces = page.getByRole("navigation", { name: "Namespaces" });
  for (const ns of ["monitoring/", "teama/", "teamb/", "regclient/", "oras/", "notation/"]) await expect(namespaces.getByRole("link", { name: new RegExp(`^${ns}`) })).toBeVisible();
  await namespaces.getByRole("link", { name: /^monitoring\// }).click();
  await page.getByRole("link", { name: "monitoring/net-monitor", exact: true }).click();
  const table = page.getByRole("table");
  for (const tag of ["v0.8", "v0.9", "v1", "v2"]) await expect(table.getByRole("link", { name: tag, exact: true })).toBeVisible();
  const v1Row = table.getByRole("row").filter({ has: page.getByRole("link", { name: "v1", exact: true }) });
  await expect(v1Row.getByText(/cosign signature sha256-/)).toBeVisible();
  // Signed means verified: the demo's own CA and cosign key, trusted by the demo's trust policy.
  await expect(v1Row.locator('[data-verdict="verified"]')).toHaveAttribute("title", /signed by CN=wabbit-networks\.io release signing, O=Wabbit Networks, L=Seattle, ST=WA, C=US and key "wabbit-networks cosign key" \(2 of 2 signatures verified\)/);
  await expect(table.getByRole("row").filter({ has: page.getByRole("link", { name: "v0.8", exact: true }) }).getByText("signed")).toHaveClass(/border-dashed/);
  await page.screenshot({ path: test.info().outputPath("demo-repository.png"), fullPage: true });

  await table.getByRole("link", { name: "v1", exact: true }).click();
  // Every kind is attached. The canvas draws only the nodes in view (12 do not all fit at a legible zoom),
  // so the kinds are read from the summary, which counts the whole graph, once the canvas has drawn.
  await expect(page.getByTestId("graph-node").first()).toBeVisible();
  const summary = page.getByTestId("supply-chain-summary");
  await expect(summary).toContainText("12 attached artifacts");
  for (const kind of ["signature", "SBOM", "scan", "attestation", "other"]) await expect(summary).toContainText(new RegExp(`\\d+ ${kind}`));
  // The signature on the SBOM hangs off the SBOM.
  await page.getByRole("button", { name: "Tree" }).click();
  const tree = page.getByTestId("discover-tree");
  const sbom = tree.locator("li").filter({ has: page.getByText("application/spdx+json", { exact: true }) }).last();
  await expect(sbom.getByRole("button", { name: /Notary Project signature/ })).toBeVisible();
  await page.getByRole("button", { name: "Graph" }).click();
  await page.screenshot({ path: test.info().outputPath("demo-net-monitor-v1.png"), fullPage: true });

  // The newest scan only, as in the founding talk.
  await page.getByLabel("Artifact type").selectOption("application/sarif+json");
  await page.getByLabel("Newest per type").fill("1");
  await page.getByLabel("Newest per type").press("Enter");
  await expect(page.locator('[data-kind="vulnerability-scan"]')).toHaveCount(1);
  await expect(page.locator('[data-kind="vulnerability-scan"]')).toContainText("2026-01-27");

  // Real verification in the demo: v2 carries a good COSE signature next to a tampered one, one by an
  // untrusted signer and an expired one; each says so, with the check that decided it.
  await page.goto(`${url}r/demo/monitoring/net-monitor/@v2`);
  const signatures = page.getByTestId("signatures-section");
  await expect(signatures.getByTestId("subject-verdict")).toContainText("verified");
  for (const verdict of ["verified", "invalid", "untrusted", "expired"]) await expect(signatures.locator(`[data-testid="signature"][data-verdict="${verdict}"]`).first()).toBeVisible();
  await expect(signatures.locator('[data-testid="signature"][data-verdict="invalid"]').filter({ hasText: "Notary Project" }).getByTestId("signature-summary")).toContainText("changed after signing");
  await page.screenshot({ path: test.info().outputPath("demo-net-monitor-v2-signatures.png"), fullPage: false });
  // What the documents say, computed here from the demo's own package and finding lists (not by our parsers).
  await page.goto(`${url}r/demo/monitoring/net-monitor/@v1`);
  const v1Findings = demoFindings("v1", "trivy");
  await expect(page.getByTestId("image-summary")).toContainText(`SBOM: ${demoPackages("v1").length + 1} packages (CycloneDX 1.5, syft 1.4.1)`);
  await expect(page.getByTestId("image-summary")).toContainText(`newest scan: ${v1Findings.filter((f) => f.severity === "CRITICAL").length} critical, ${v1Findings.filter((f) => f.severity === "HIGH").length} high (Trivy`);
  await expect(page.getByTestId("image-summary")).toContainText("provenance: GitHub Actions, github.com/wabbit-networks/net-monitor@3f2c1e9");
  // The demo's release policy: v1 fails on its critical finding (the demo's list), every other rule passes; v2,
  // which no longer carries it, passes in the tag table.
  const critical = v1Findings.filter((f) => f.severity === "CRITICAL").map((f) => f.id);
  const release = page.locator('[data-testid="policy-result"][data-policy="release"]');
  await expect(release.locator('[data-rule="scan"] [data-outcome="fail"]')).toBeVisible();
  await expect(release.locator('[data-rule="scan"]')).toContainText(`${critical.length} finding${critical.length === 1 ? "" : "s"} at critical or above: ${critical.join(", ")}`);
  for (const r of ["signature", "sbom", "provenance"]) await expect(release.locator(`[data-rule="${r}"] [data-outcome="pass"]`)).toBeVisible();
  await page.getByTestId("policy-section").scrollIntoViewIfNeeded();
  await page.screenshot({ path: test.info().outputPath("demo-policy.png"), fullPage: false });
  await page.goto(`${url}r/demo/monitoring/net-monitor`);
  const policyOf = (tag: string) => page.getByRole("table").getByRole("row").filter({ has: page.getByRole("link", { name: tag, exact: true }) }).getByTestId("policy-slot");
  await expect(policyOf("v2")).toContainText("policy pass");
  await expect(policyOf("v1")).toContainText("policy fail");
  // Coverage across the demo: into the monitoring namespace, the release policy, the images that do not pass it.
  await page.goto(`${url}coverage?registry=demo`);
  await page.getByTestId("coverage-row").filter({ hasText: "monitoring/" }).getByRole("button", { name: "monitoring/" }).click();
  await expect(page).toHaveURL(/prefix=monitoring%2F/);
  await page.getByLabel("Policy").selectOption("release");
  const notPassing = page.getByTestId("not-passing-image");
  await expect(notPassing).toHaveCount(3);
  for (const tag of ["v0.8", "v0.9", "v1"]) await expect(notPassing.filter({ hasText: `net-monitor:${tag}` })).toHaveCount(1);
  await expect(notPassing.filter({ hasText: "net-monitor:v1" })).toContainText(`Scanned (fail): ${critical.length} finding`);
  await expect(page.getByTestId("coverage-row").filter({ hasText: "monitoring/net-monitor" }).first()).toContainText("1 pass");
  await page.screenshot({ path: test.info().outputPath("demo-coverage.png"), fullPage: true });
  // The evidence link opens the scan in the graph.
  await notPassing.filter({ hasText: "net-monitor:v1" }).getByRole("link", { name: /^sha256:/ }).last().click();
  await expect(page).toHaveURL(/@v1\?node=sha256/);
  await page.goto(`${url}r/demo/monitoring/net-monitor/diff?from=v1&to=v2`);
  const v2Findings = demoFindings("v2", "trivy");
  const key = (f: { id: string; pkg: string }) => `${f.id} ${f.pkg}`;
  const fresh = v2Findings.filter((f) => !v1Findings.some((g) => key(g) === key(f))).length;
  const fixed = v1Findings.filter((f) => !v2Findings.some((g) => key(g) === key(f))).length;
  await expect(page.getByTestId("diff-findings")).toContainText(`Findings: ${fresh} new, ${fixed} fixed`);
  await page.screenshot({ path: test.info().outputPath("demo-diff.png"), fullPage: false });
  // A nightly-rescanned image: its 90 scans are one group until opened; "newest per type" keeps the last night's.
  await page.goto(`${url}r/demo/monitoring/net-monitor-nightly/@nightly`);
  await expect(page.getByTestId("supply-chain-summary")).toContainText(`${NIGHTLY_SCANS} attached artifacts`);
  const group = page.getByTestId("graph-group");
  await expect(group).toHaveCount(1);
  await expect(group).toContainText(`${NIGHTLY_SCANS} ×`);
  await page.screenshot({ path: test.info().outputPath("demo-nightly-grouped.png"), fullPage: false });
  await clickGraphNode(group);
  await expect(page).toHaveURL(/open=/);
  await expect(page.locator('[data-testid="graph-node"][data-kind="vulnerability-scan"]').first()).toBeVisible();
  await page.getByLabel("Newest per type").fill("1");
  await page.getByLabel("Newest per type").press("Enter");
  const lastNight = new Date(Date.UTC(2026, 2, 1, 3) + (NIGHTLY_SCANS - 1) * 86_400_000).toISOString().slice(0, 10);
  await expect(page.locator('[data-kind="vulnerability-scan"]')).toHaveCount(1);
  await expect(page.locator('[data-kind="vulnerability-scan"]')).toContainText(lastNight);

  // The index: the demo walks its store in the background; a CVE search answers across every repository, and the
  // demo's VEX statement marks net-monitor as not affected.
  await page.goto(`${url}search?q=CVE-2024-2961`);
  const results = page.getByTestId("search-results");
  await expect(results).toContainText("demo/monitoring/net-monitor", { timeout: 30_000 });
  await expect(results.getByRole("heading", { name: "demo/monitoring/net-monitor", exact: true }).locator("..")).toContainText("not affected (VEX)");
  await page.screenshot({ path: test.info().outputPath("demo-search.png"), fullPage: false });

  // One team repository per verdict, in the tag table's signature slot.
  for (const [repo, verdict] of [["teama/payments/api", "verified"], ["teama/payments/worker", "invalid"], ["teama/frontend", "untrusted"], ["teamb/web", "no-policy"], ["teamb/tools/scanner", "expired"]] as const) {
    await page.goto(`${url}r/demo/${repo}`);
    await expect(page.getByRole("table").locator(`[data-verdict="${verdict}"]`)).toBeVisible();
  }
});
