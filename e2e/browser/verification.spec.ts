import { expect, test } from "@playwright/test";
import { clickGraphNode } from "./graph";

// "Is it signed, by whom, and does the signature hold?" on notation's own e2e layouts in Distribution,
// with their signing certificate trusted (store ca:e2e) for every notation repository but
// e2e-with-timestamped-signature. Each verdict must look different, and say why.

const CASES: [repo: string, verdict: string, label: string][] = [
  ["e2e-valid-signature", "verified", "verified"],
  ["e2e-invalid-signature", "invalid", "invalid"],
  ["e2e-expired-signature", "expired", "expired"],
  ["e2e-with-expired-cert", "untrusted", "untrusted"],
  ["e2e-with-timestamped-signature", "no-policy", "unverified"],
];

test("the tag table's signature slot shows each verdict differently", async ({ page }) => {
  const looks = new Map<string, string>();
  for (const [repo, verdict, label] of CASES) {
    await page.goto(`/r/local/notation/${repo}`);
    const chip = page.getByRole("table").locator(`[data-verdict="${verdict}"]`);
    await expect(chip).toHaveText(new RegExp(label));
    looks.set(verdict, (await chip.getAttribute("class")) ?? "");
    if (verdict === "verified") await expect(chip).toHaveAttribute("title", /signed by CN=e2e, O=Notary, L=Seattle, ST=WA, C=US/);
    if (verdict === "no-policy") await expect(chip).toHaveAttribute("title", /no trust policy statement applies/);
  }
  // Four different looks for verified, invalid, untrusted and "no policy applies" (which is not red).
  expect(new Set(["verified", "invalid", "untrusted", "no-policy"].map((v) => looks.get(v))).size).toBe(4);
  expect(looks.get("no-policy")).not.toMatch(/red/);
  expect(looks.get("invalid")).toMatch(/red/);
});

test("the artifact page lists each signature with its signer, verdict and the failing check", async ({ page }) => {
  await page.goto("/r/local/notation/e2e-valid-multiple-signatures/@v1");
  const section = page.getByTestId("signatures-section");
  await expect(section.getByTestId("subject-verdict")).toContainText("by CN=e2e, O=Notary, L=Seattle, ST=WA, C=US · 1 of 2 signatures verified");
  const untrusted = section.locator('[data-testid="signature"][data-verdict="untrusted"]');
  await expect(untrusted).toContainText("CN=testcert11");
  await expect(untrusted.getByTestId("signature-summary")).toContainText("Trust store: no certificate of the chain");
  await untrusted.locator("summary").click();
  const checks = untrusted.getByTestId("check-table");
  await expect(checks.locator('[data-check="signature"]')).toHaveAttribute("data-result", "passed");
  await expect(checks.locator('[data-check="trustStore"]')).toHaveAttribute("data-result", "failed");
  await expect(checks.locator('[data-check="expiry"]')).toHaveAttribute("data-result", "skipped");
  await page.screenshot({ path: test.info().outputPath("signatures-multiple.png"), fullPage: false });

  await page.goto("/r/local/notation/e2e-expired-signature/@v1");
  await expect(page.getByTestId("signatures-section").getByTestId("signature-summary")).toContainText("Expiry: the signature expired on 2023-06-27");
});

test("graph nodes of signatures carry their verdict, and the node panel explains it", async ({ page }) => {
  await page.goto("/r/local/notation/e2e-invalid-signature/@v1");
  const node = page.locator('[data-testid="graph-node"][data-kind="signature"]');
  await expect(node.getByTestId("node-verdict")).toHaveAttribute("data-verdict", "invalid");
  await clickGraphNode(node);
  const panel = page.getByTestId("node-panel");
  await expect(panel.getByTestId("node-verification")).toContainText("invalid");
  await expect(panel.getByTestId("check-table").locator('[data-check="envelope"]')).toHaveAttribute("data-result", "failed");
  await expect(panel.getByTestId("check-table").locator('[data-check="envelope"]')).toContainText("application/vnd.oci.image.layer.v1.tar");
});

test("the trust page shows whom the server trusts and where each part is set", async ({ page }) => {
  await page.goto("/");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Trust" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Trust");
  const notary = page.getByRole("region", { name: "Notary Project" });
  await expect(notary).toContainText("set in the configuration file");
  await expect(notary.getByTestId("trust-statements")).toContainText("notation-e2e");
  await expect(notary.getByTestId("trust-store")).toContainText("CN=e2e, O=Notary, L=Seattle, ST=WA, C=US");
  // Open access: shown, not changeable, and no server folder named.
  await expect(page.getByTestId("trust-editor")).toContainText("sign-in is off");
  await expect(page.getByRole("button", { name: "Add" })).toHaveCount(0);
  await page.screenshot({ path: test.info().outputPath("trust.png"), fullPage: true });
});
