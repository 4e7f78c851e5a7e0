import { expect, test } from "@playwright/test";

// Promote in Chromium against the real registry from global-setup.ts: teama/app v1 with its supply chain copied to
// another repository of the same registry (blobs mounted), then the copy's graph matches the original's.

test("Promote… shows the plan, copies on confirmation, and the copy has the same supply chain", async ({ page }) => {
  await page.goto("/r/local/teama/app/@v1");
  await expect(page.getByTestId("graph-node").first()).toBeVisible();
  const attached = await page.getByTestId("supply-chain-summary").innerText();
  await page.getByRole("button", { name: "Promote…" }).click();
  const dialog = page.getByTestId("promote-dialog");
  await dialog.getByLabel("Repository").fill("prod/app");
  await expect(dialog.getByLabel("Tag")).toHaveValue("v1");
  await dialog.getByRole("button", { name: "Plan the copy" }).click();
  const plan = dialog.getByTestId("promotion-plan");
  await expect(plan).toContainText("to move");
  const items = dialog.getByTestId("plan-manifest");
  const count = await items.count();
  expect(count).toBeGreaterThan(1);
  await expect(items.filter({ hasText: "already there" })).toHaveCount(0);
  await page.screenshot({ path: test.info().outputPath("promote-plan.png"), fullPage: true });
  await plan.getByRole("button", { name: /^Copy \d+ manifests and \d+ blobs$/ }).click();
  const result = dialog.getByTestId("promotion-result");
  await expect(result).toContainText("Complete: the target's graph holds every manifest of the plan.", { timeout: 30_000 });
  // Within one registry the blobs are mounted: nothing moved.
  await expect(result).toContainText("0 B moved");
  await dialog.getByRole("button", { name: "Close" }).last().click();
  await page.goto("/r/local/prod/app/@v1");
  await expect(page.getByTestId("graph-node").first()).toBeVisible();
  await expect(page.getByTestId("supply-chain-summary")).toHaveText(attached);
});
