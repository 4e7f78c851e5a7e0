import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { clickGraphNode } from "./graph";

// What attached documents say, read as a reviewer would: Trivy's SARIF of alpine 3.10 and the laravel
// CycloneDX SBOM on teamb/scanned:3.10. Expected values from the documents themselves.

const FIXTURES = join(__dirname, "..", "fixtures");
const trivy = JSON.parse(readFileSync(join(FIXTURES, "content/trivy/alpine-310.json.golden"), "utf8"));
const vulns = trivy.Results.flatMap((r: { Vulnerabilities?: { Severity: string; PkgName: string }[] }) => r.Vulnerabilities ?? []);

test("a scan shows its severity counts and findings, from the node panel's summary to the artifact page; search filters them", async ({ page }) => {
  await page.goto("/r/local/teamb/scanned/@3.10");
  await clickGraphNode(page.locator('[data-testid="graph-node"][data-kind="vulnerability-scan"]'));
  const panel = page.getByTestId("node-panel");
  await expect(panel.getByTestId("document-summary")).toContainText(`Trivy scan · ${vulns.length} medium`);
  await panel.getByRole("link", { name: "Open as an artifact page" }).click();
  const view = page.getByTestId("findings-view");
  await expect(view.getByTestId("severity-counts").locator('[data-severity="medium"]')).toContainText(String(vulns.filter((v: { Severity: string }) => v.Severity === "MEDIUM").length));
  await expect(view.getByTestId("findings-table").locator("tbody tr")).toHaveCount(vulns.length);
  await view.getByLabel("Search findings").fill("libssl");
  await expect(view.getByTestId("findings-table").locator("tbody tr")).toHaveCount(vulns.filter((v: { PkgName: string }) => v.PkgName === "libssl1.1").length);
  await page.screenshot({ path: test.info().outputPath("scan.png"), fullPage: true });
});

test("an SBOM lists its packages; search narrows them to one, with its version", async ({ page }) => {
  const sbom = JSON.parse(readFileSync(join(FIXTURES, "documents/cyclonedx/SBOM_laravel-7.12.0_bom.1.4.json"), "utf8"));
  const total = sbom.components.length + 1; // and the metadata component, laravel itself
  await page.goto("/r/local/teamb/scanned/@3.10");
  await clickGraphNode(page.locator('[data-testid="graph-node"][data-kind="sbom"]'));
  await page.getByTestId("node-panel").getByRole("link", { name: "Open as an artifact page" }).click();
  const view = page.getByTestId("sbom-view");
  await expect(view.getByTestId("package-total")).toHaveText(`${total} packages`);
  await view.getByLabel("Search packages").fill("symfony/console");
  await expect(view.getByTestId("packages-table").locator("tbody tr")).toHaveCount(1);
  await expect(view.getByTestId("packages-table")).toContainText(sbom.components.find((c: { name: string; group?: string }) => `${c.group}/${c.name}` === "symfony/console" || c.name === "console").version);
  await page.screenshot({ path: test.info().outputPath("sbom.png"), fullPage: false });
});

test("two versions compared: findings new and fixed, packages added and removed; the address survives a reload", async ({ page }) => {
  const centos = JSON.parse(readFileSync(join(FIXTURES, "content/trivy/centos-7.json.golden"), "utf8")).Results.flatMap((r: { Vulnerabilities?: unknown[] }) => r.Vulnerabilities ?? []);
  const laravel = JSON.parse(readFileSync(join(FIXTURES, "documents/cyclonedx/SBOM_laravel-7.12.0_bom.1.4.json"), "utf8"));
  const spdx = JSON.parse(readFileSync(join(FIXTURES, "content/trivy/centos-7-spdx.json"), "utf8"));
  await page.goto("/r/local/teamb/scanned");
  await page.getByRole("link", { name: "Compare" }).click();
  await page.getByLabel("From", { exact: true }).fill("3.10");
  await page.getByLabel("To", { exact: true }).fill("3.11");
  await page.getByRole("button", { name: "Compare" }).click();
  await expect(page).toHaveURL(/\/r\/local\/teamb\/scanned\/diff\?from=3\.10&to=3\.11/);
  const result = page.getByTestId("diff-result");
  await expect(result.getByTestId("diff-findings")).toContainText(`Findings: ${centos.length} new, ${vulns.length} fixed, 0 unchanged`);
  // No package of the laravel application is in centos: all removed, all of centos added.
  await expect(result.getByTestId("diff-packages")).toContainText(`Packages: ${spdx.packages.length} added, ${laravel.components.length + 1} removed, 0 changed version`);
  await page.reload();
  await expect(page.getByTestId("diff-result").getByTestId("findings-fixed").locator("li")).toHaveCount(vulns.length);
  await page.screenshot({ path: test.info().outputPath("diff.png"), fullPage: true });
});
