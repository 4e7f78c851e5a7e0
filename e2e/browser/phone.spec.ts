import { expect, test, type Page } from "@playwright/test";
import { graphSettled } from "./graph";

// The main walk at phone width (390 × 844): nothing wider than the screen, the header legible,
// tag badges on screen, the graph usable by touch.

test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });

const shot = async (page: Page, name: string) => {
  await page.screenshot({ path: test.info().outputPath(`${name}.png`), fullPage: true });
};

async function noHorizontalOverflow(page: Page, where: string) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width, `${where}: the page is ${width} px wide`).toBeLessThanOrEqual(390);
}

const box = async (page: Page, locator: ReturnType<Page["locator"]>) => (await locator.boundingBox())!;
const overlaps = (a: { x: number; y: number; width: number; height: number }, b: typeof a) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

test("home, registry, repository, tag and graph fit a phone", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByText("Local Distribution")).toBeVisible();
  const brand = await box(page, page.getByRole("link", { name: "Chainsight" }));
  const nav = await box(page, page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Registries" }));
  expect(overlaps(brand, nav)).toBe(false);
  await noHorizontalOverflow(page, "home");
  await shot(page, "phone-home");

  await page.getByRole("link", { name: "Local Distribution" }).click();
  await expect(page.getByRole("navigation", { name: "Namespaces" })).toBeVisible();
  await noHorizontalOverflow(page, "registry");
  await shot(page, "phone-registry");

  await page.goto("/r/local/regclient/testrepo");
  const v2 = page.getByRole("row").filter({ has: page.getByRole("link", { name: "v2", exact: true }) });
  // The signature slot: its verdict (no trust is configured for regclient's signature, so "unverified").
  const signed = v2.locator("[data-verdict]");
  await expect(signed).toBeVisible();
  const badge = await box(page, signed);
  expect(badge.x + badge.width).toBeLessThanOrEqual(390);
  await noHorizontalOverflow(page, "repository");
  await shot(page, "phone-repository");

  await v2.getByRole("link", { name: "v2", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("regclient/testrepo:v2");
  await expect(page.getByTestId("graph-node").first()).toBeVisible();
  await noHorizontalOverflow(page, "artifact");
  // The overview map would cover nodes on a phone: it is not shown.
  await expect(page.getByLabel("Overview of the graph")).toBeHidden();
  // The subject is whole, at the left of the canvas.
  await page.getByTestId("graph-canvas").scrollIntoViewIfNeeded();
  await graphSettled(page);
  const canvas = await box(page, page.getByTestId("graph-canvas"));
  const subject = await box(page, page.locator('[data-testid="graph-node"]', { hasText: "subject" }));
  expect(subject.x).toBeGreaterThanOrEqual(canvas.x);
  expect(subject.x + subject.width).toBeLessThanOrEqual(canvas.x + canvas.width);
  await shot(page, "phone-artifact");
});

test("a scan node can be tapped on a phone and opens its panel", async ({ page }) => {
  await page.goto("/r/local/teama/app/@v1");
  await page.getByTestId("graph-canvas").scrollIntoViewIfNeeded();
  await graphSettled(page);
  const canvas = await box(page, page.getByTestId("graph-canvas"));
  // Every scan that is drawn inside the canvas can be tapped: nothing lies over it.
  const scans = page.locator('[data-kind="vulnerability-scan"]');
  await expect(scans.first()).toBeVisible();
  let tapped = 0;
  for (let i = 0; i < (await scans.count()); i++) {
    const b = await box(page, scans.nth(i));
    const cx = b.x + Math.min(b.width, 40) / 2;
    const cy = b.y + b.height / 2;
    if (cx < canvas.x || cx > canvas.x + canvas.width || cy < canvas.y || cy > canvas.y + canvas.height) continue;
    const hit = await page.evaluate(([x, y]) => document.elementFromPoint(x, y)?.closest('[data-testid="graph-node"]')?.getAttribute("data-kind"), [cx, cy]);
    expect(hit).toBe("vulnerability-scan");
    tapped++;
  }
  expect(tapped).toBeGreaterThan(0);
  const first = await box(page, scans.first());
  await page.touchscreen.tap(first.x + 20, first.y + first.height / 2);
  await expect(page.getByTestId("node-panel")).toBeVisible();
  await noHorizontalOverflow(page, "artifact with panel");
  await shot(page, "phone-node-panel");
});

test("signatures and their checks fit a phone, digests and all", async ({ page }) => {
  await page.goto("/r/local/notation/e2e-valid-multiple-signatures/@v1");
  const section = page.getByTestId("signatures-section");
  await expect(section.locator('[data-testid="signature"]')).toHaveCount(2);
  for (const s of await section.locator('[data-testid="signature"] summary').all()) await s.click();
  await expect(section.getByTestId("check-table").first()).toBeVisible();
  await noHorizontalOverflow(page, "signatures with their checks open");
  await section.scrollIntoViewIfNeeded();
  await page.screenshot({ path: test.info().outputPath("phone-signatures.png") });
});
