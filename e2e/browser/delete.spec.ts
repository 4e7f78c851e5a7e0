import { expect, test } from "@playwright/test";
import { clickGraphNode } from "./graph";

// Delete with preview in Chromium, against the real registry (deletion enabled) from global-setup.ts.

test("the preview shows what will go, confirming deletes it, and the pages update", async ({ page }) => {
  await page.goto("/r/local/teamb/cleanup/@v1");
  await expect(page.getByTestId("graph-node")).toHaveCount(3);
  await page.getByRole("button", { name: "Delete…" }).first().click();
  const dialog = page.getByTestId("delete-dialog");
  await expect(dialog.getByText("Manifests that will be deleted (3), deepest referrers first")).toBeVisible();
  const items = dialog.getByTestId("plan-manifests").getByRole("listitem");
  await expect(items).toHaveCount(3);
  await expect(items.nth(0)).toContainText("Notary Project signature"); // deepest first
  await expect(items.nth(2)).toContainText("subject");
  await expect(dialog.getByTestId("plan-tags")).toHaveText("v1");
  await expect(dialog.getByText("garbage collection frees the storage")).toBeVisible();
  const confirm = dialog.getByRole("button", { name: "Delete 3 manifests" });
  await expect(confirm).toBeDisabled();
  await dialog.getByLabel("Type teamb/cleanup to confirm").fill("teamb/cleanup");
  await page.screenshot({ path: test.info().outputPath("delete-preview.png"), fullPage: true });
  await confirm.click();
  await expect(dialog.getByTestId("delete-results")).toContainText("Deleted.");
  // 3 manifests, then the referrers indexes of v1 and of its SBOM.
  const results = dialog.getByTestId("delete-results").getByRole("listitem");
  await expect(results).toHaveCount(5);
  for (let i = 0; i < 5; i++) await expect(results.nth(i)).toContainText("deleted");
  await dialog.getByRole("button", { name: "Close" }).last().click();

  // Back on the repository: v1 is gone, v2 stays.
  await expect(page).toHaveURL(/\/r\/local\/teamb\/cleanup$/);
  const table = page.getByRole("table");
  await expect(table.getByRole("link", { name: "v2", exact: true })).toBeVisible();
  await expect(table.getByRole("link", { name: "v1", exact: true })).toHaveCount(0);

  // A referrer from the graph: the scan of v2 goes, the graph updates.
  await page.goto("/r/local/teamb/cleanup/@v2");
  await expect(page.getByTestId("graph-node")).toHaveCount(3);
  // Under load a click can land while the canvas still moves to its opening viewport: click again, as a person would.
  await expect(async () => {
    await clickGraphNode(page.getByTestId("graph-node").filter({ hasText: "SARIF" }));
    await expect(page.getByTestId("node-panel")).toBeVisible({ timeout: 3_000 });
  }).toPass({ timeout: 30_000 });
  await page.getByTestId("node-panel").getByRole("button", { name: "Delete…" }).click();
  await expect(dialog.getByText("Manifests that will be deleted (1)")).toBeVisible();
  await expect(dialog.getByText(/rewritten without 1 entry \(1 stay\)/)).toBeVisible();
  await dialog.getByRole("button", { name: "Delete 1 manifest" }).click();
  await expect(dialog.getByTestId("delete-results")).toContainText("Deleted.");
  await dialog.getByRole("button", { name: "Close" }).last().click();
  await expect(page.getByTestId("graph-node")).toHaveCount(2);
  await expect(page.locator('[data-kind="vulnerability-scan"]')).toHaveCount(0);
});

test("the cleanup view lists old artifacts, and a selection opens the same delete plan", async ({ page }) => {
  // keep=0: teama/app has one image, its newest, which the view keeps by default.
  await page.goto("/r/local/teama/app?view=cleanup&days=30");
  await expect(page.getByTestId("retention-summary")).toContainText("1 kept as the newest 1 of their repository");
  await page.goto("/r/local/teama/app?view=cleanup&days=30&keep=0");
  const table = page.getByTestId("retention-table");
  const old = table.getByRole("row").filter({ hasText: "older than the limit" });
  await expect(old).toHaveCount(1);
  await expect(old).toContainText("v1");
  await page.screenshot({ path: test.info().outputPath("cleanup.png"), fullPage: true });
  await old.getByRole("checkbox").check();
  await page.getByRole("button", { name: "Delete selected (1)…" }).click();
  const dialog = page.getByTestId("delete-dialog");
  await expect(dialog.getByText(/Manifests that will be deleted \(5\)/)).toBeVisible(); // v1, three scans, the note
  await expect(dialog.getByRole("link", { name: "Download the plan (JSON, dry run)" })).toBeVisible();
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toHaveCount(0);

  // Across a namespace: rows name their repository; a selection opens that repository's plan.
  await page.goto("/r/local?view=cleanup&prefix=teama%2F&days=30&keep=0");
  const ns = page.getByTestId("retention-table");
  await expect(ns.getByRole("link", { name: "teama/app" }).first()).toBeVisible();
  await ns.getByRole("row").filter({ hasText: "teama/app" }).first().getByRole("checkbox").check();
  await page.getByRole("button", { name: "Delete selected (1)…" }).click();
  await expect(page.getByTestId("delete-dialog").getByRole("heading", { level: 2 })).toHaveText("Delete from teama/app");
  await page.getByTestId("delete-dialog").getByRole("button", { name: "Cancel" }).click();

  // The whole registry, from its page's link: no prefix at all.
  await page.goto("/r/local");
  await page.getByRole("link", { name: "Cleanup candidates in this registry" }).click();
  await expect(page.getByTestId("retention-summary")).toContainText(/\d+ candidates?/);
  await expect(page.getByTestId("error")).toHaveCount(0);
});

test("a store that does not delete says so in the preview, and the button is off", async ({ page }) => {
  await page.goto("/r/layouts/testrepo/@v1");
  await page.getByRole("button", { name: "Delete…" }).first().click();
  const dialog = page.getByTestId("delete-dialog");
  await expect(dialog.getByTestId("store-refusal")).toContainText("deleting manifests is disabled for this OCI layout store; set allowDelete: true");
  await expect(dialog.getByRole("button", { name: /^Delete \d+ manifests?$/ })).toBeDisabled();
  await page.screenshot({ path: test.info().outputPath("delete-refused.png"), fullPage: true });
});
