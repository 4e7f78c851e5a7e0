import { expect, test } from "@playwright/test";

// The production build, in Debian Chromium.

test("the start page says what Chainsight is and which attachment methods it discovers", async ({ page }, testInfo) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1, name: "Chainsight" })).toBeVisible();
  await expect(page.getByText("OCI 1.1 referrers API")).toBeVisible();
  await expect(page.getByText("cosign tags (.sig, .att, .sbom)")).toBeVisible();
  await expect(page.getByText("npm run discover --")).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath("home.png"), fullPage: true });
  expect(errors).toEqual([]);
});

test("an unknown address shows a not-found page with a way back", async ({ page }) => {
  const res = await page.goto("/no/such/page");
  expect(res?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await page.getByRole("link", { name: "Back to the start page" }).click();
  await expect(page).toHaveURL(/\/$/);
});
