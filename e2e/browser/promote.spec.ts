import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test, type Page } from "@playwright/test";

// Promote in Chromium against the real registry from global-setup.ts: teama/app v1 with its supply chain copied to
// another repository of the same registry (blobs mounted), then the copy's graph matches the original's.

/** "Import an archive…" on the registry page: the file and the target repository, uploaded and planned. */
async function uploadArchive(page: Page, file: string, repository: string) {
  await page.goto("/r/local");
  await page.getByRole("button", { name: "Import an archive…" }).click();
  const dialog = page.getByTestId("import-dialog");
  await dialog.locator("input[type=file]").setInputFiles(file);
  await dialog.getByLabel("Into repository").fill(repository);
  await dialog.getByRole("button", { name: "Upload and plan" }).click();
  return dialog;
}

test("Promote… shows the plan, copies on confirmation, and the copy has the same supply chain", async ({ page }) => {
  await page.goto("/r/local/teama/app/@v1");
  await expect(page.getByTestId("graph-node").first()).toBeVisible();
  const attached = await page.getByTestId("supply-chain-summary").innerText();
  await page.getByRole("button", { name: "Promote…" }).click();
  const dialog = page.getByTestId("promote-dialog");
  // The same name by default; here another repository of the same registry.
  await expect(dialog.getByLabel("Repository")).toHaveValue("teama/app");
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
  await expect(result).toContainText("Complete: the target's graph holds every manifest of the plan", { timeout: 30_000 });
  // Within one registry the blobs are mounted: nothing moved.
  await expect(result).toContainText("0 B moved");
  await dialog.getByRole("button", { name: "Close" }).last().click();
  await page.goto("/r/local/prod/app/@v1");
  await expect(page.getByTestId("graph-node").first()).toBeVisible();
  await expect(page.getByTestId("supply-chain-summary")).toHaveText(attached);
});

test("Download archive, then Import an archive… carries the image with its supply chain through a file", async ({ page }) => {
  await page.goto("/r/local/teama/app/@v1");
  await expect(page.getByTestId("graph-node").first()).toBeVisible();
  const attached = await page.getByTestId("supply-chain-summary").innerText();
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download archive" }).click()]);
  expect(download.suggestedFilename()).toBe("teama_app_v1.tar");
  const file = test.info().outputPath("teama_app_v1.tar");
  await download.saveAs(file);
  // GNU tar reads it as an OCI layout.
  const names = execFileSync("tar", ["-tf", file], { encoding: "utf8" }).split("\n");
  expect(names.slice(0, 2)).toEqual(["oci-layout", "index.json"]);

  const dialog = await uploadArchive(page, file, "airgap/app");
  const plan = dialog.getByTestId("import-plan");
  await expect(plan).toContainText("1 image (v1)");
  await page.screenshot({ path: test.info().outputPath("import-plan.png"), fullPage: true });
  await plan.getByRole("button", { name: /^Import \d+ manifests and \d+ blobs$/ }).click();
  await expect(dialog.getByTestId("import-result")).toContainText("Complete: the target's graph holds every manifest of the plan", { timeout: 30_000 });
  await dialog.getByRole("button", { name: "Close" }).last().click();
  await page.goto("/r/local/airgap/app/@v1");
  await expect(page.getByTestId("graph-node").first()).toBeVisible();
  await expect(page.getByTestId("supply-chain-summary")).toHaveText(attached);
});

test("an archive that is not an OCI layout is refused with what was wrong, and nothing is imported", async ({ page }) => {
  const src = test.info().outputPath("src");
  mkdirSync(src, { recursive: true });
  writeFileSync(join(src, "notes.txt"), "release notes, not an image\n");
  const file = test.info().outputPath("notes.tar");
  execFileSync("tar", ["-cf", file, "-C", src, "notes.txt"]);
  const dialog = await uploadArchive(page, file, "airgap/nothing");
  await expect(dialog.getByRole("alert")).toContainText("the archive has no index.json: it is not an OCI image layout");
  expect((await page.request.get("/api/registries/local/tags?repository=airgap/nothing")).status()).toBe(404);
});
