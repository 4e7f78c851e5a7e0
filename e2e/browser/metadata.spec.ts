import { expect, test } from "@playwright/test";

// "Add metadata…" in Chromium against the real Distribution from global-setup.ts: a deletion date written as an
// annotations-only artifact attached to teamc/meta v1; it shows in the graph and, the date being past, in the
// cleanup view.

test("a deletion date added from the artifact page shows in the graph and puts the image in the cleanup view", async ({ page }) => {
  await page.goto("/r/local/teamc/meta/@v1");
  await expect(page.getByText("No referrers found")).toBeVisible();
  await page.getByRole("button", { name: "Add metadata…" }).click();
  const dialog = page.getByTestId("metadata-dialog");
  await dialog.getByLabel("Delete after").fill("2026-11-15");
  await dialog.getByRole("button", { name: "Preview" }).click();
  const manifest = dialog.getByTestId("metadata-manifest");
  await expect(manifest).toContainText('"org.cncf.oras.artifact.deletion-date": "2026-11-15"');
  await expect(manifest).toContainText('"artifactType": "application/vnd.chainsight.deletion-date.v1"');
  await page.screenshot({ path: test.info().outputPath("metadata-preview.png"), fullPage: true });
  await dialog.getByRole("button", { name: "Write it" }).click();
  await expect(dialog.getByTestId("metadata-result")).toContainText("Written: 1 annotations artifact attached.");
  await dialog.getByRole("button", { name: "Close" }).last().click();
  await page.reload();
  await expect(page.getByTestId("metadata-summary")).toHaveText("deletion date 2026-11-15");

  await page.goto("/r/local/teamc/meta?view=cleanup&keep=0&days=36500");
  const v1 = page.getByRole("row").filter({ hasText: "v1" });
  await expect(v1).toContainText("deletion date passed");
  await expect(page.getByRole("row").filter({ hasText: "v2" })).toHaveCount(0);
});

test("a key that breaks the annotation rules is refused with what is wrong; nothing is written", async ({ page }) => {
  await page.goto("/r/local/teamc/meta/@v2");
  await page.getByRole("button", { name: "Add metadata…" }).click();
  const dialog = page.getByTestId("metadata-dialog");
  await dialog.getByLabel("Annotations", { exact: true }).check();
  await dialog.getByLabel("Annotations (key=value, one per line)").fill("reviewed=yes");
  await dialog.getByRole("button", { name: "Preview" }).click();
  await expect(dialog.getByRole("alert")).toContainText('annotations["reviewed"]: a key is reverse-domain notation');
  await expect(dialog.getByRole("button", { name: "Write it" })).toHaveCount(0);
});
