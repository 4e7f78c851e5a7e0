import { expect, test } from "@playwright/test";
import type { RunningApp } from "../support/app-server";
import { pushImage, pushReferrer } from "../support/artifacts";
import { PASSWORDS, startAuthApp } from "../support/auth-app";
import { startDistribution, type RunningDistribution } from "../support/distribution";
import { clickGraphNode } from "./graph";

// Sign-in on: a local user signs in, sees what the role allows, finds forbidden actions disabled with the reason, signs out.

let dist: RunningDistribution;
let app: RunningApp;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  dist = await startDistribution();
  const target = { url: dist.url };
  const image = await pushImage(target, "teama/app", "v1", { created: "2026-01-01T00:00:00Z" });
  await pushReferrer(target, "teama/app", image, { artifactType: "application/spdx+json", content: { mediaType: "application/spdx+json", bytes: Buffer.from('{"spdxVersion":"SPDX-2.3"}') } });
  await pushImage(target, "teamb/web", "1.0", {});
  app = await startAuthApp(dist.host);
});
test.afterAll(async () => {
  await app?.stop();
  await dist?.stop();
});

test("sign-in errors are clear", async ({ page }) => {
  await page.goto(`${app.url}/signin`);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByTestId("signin-error")).toHaveText("Enter your user name and password.");
  await page.getByLabel("User name").fill("bob");
  await page.getByLabel("Password").fill("not-his-password");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByTestId("signin-error")).toHaveText("Wrong user name or password.");
  await page.screenshot({ path: test.info().outputPath("signin-error.png") });
});

test("a reader signs in, browses what the role allows, sees pull disabled, and signs out", async ({ page }) => {
  // A deep link without a session goes to sign-in, and comes back after it.
  await page.goto(`${app.url}/r/local/teama/app/@v1`);
  await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Fr%2Flocal%2Fteama%2Fapp%2F%40v1/);
  await page.getByLabel("User name").fill("bob");
  await page.getByLabel("Password").fill(PASSWORDS.bob);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/r\/local\/teama\/app\/@v1$/);
  await expect(page.getByTestId("signed-in-user")).toHaveText("Signed in as bob");
  await expect(page.getByTestId("graph-node")).toHaveCount(2);

  // bob may read but not pull: blob previews are disabled, with the reason.
  const layer = page.getByRole("button", { name: /^sha256:/ }).first();
  await expect(layer).toBeDisabled();
  await expect(page.getByText('bob lacks the "pull" right on local/teama/app: blob previews are off.')).toBeVisible();
  await clickGraphNode(page.getByTestId("graph-node").filter({ hasText: "SBOM" }));
  const panel = page.getByTestId("node-panel");
  await expect(panel.getByRole("button", { name: /^Preview sha256:/ }).first()).toBeDisabled();
  await page.screenshot({ path: test.info().outputPath("reader-artifact.png"), fullPage: true });

  // The catalog shows only teama/; teamb/ is not listed, and a direct link is refused with the missing right.
  await page.goto(`${app.url}/r/local`);
  await expect(page.getByRole("link", { name: "teama/app" })).toBeVisible();
  await expect(page.getByRole("link", { name: "teamb/web" })).toHaveCount(0);
  await page.goto(`${app.url}/r/local/teamb/web`);
  await expect(page.getByTestId("error")).toContainText('bob lacks the "list" right on local/teamb/web');
  // No audit trail for a non-admin.
  await expect(page.getByRole("link", { name: "Audit trail" })).toHaveCount(0);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin/);
  await page.goto(`${app.url}/`);
  await expect(page).toHaveURL(/\/signin\?callbackUrl=%2F$/);
});

test("an administrator reads the audit trail, filters it and exports it", async ({ page }) => {
  await page.goto(`${app.url}/signin?callbackUrl=%2Fadmin%2Faudit`);
  await page.getByLabel("User name").fill("alice");
  await page.getByLabel("Password").fill(PASSWORDS.alice);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/admin\/audit$/);
  await expect(page.getByRole("table")).toBeVisible();
  await page.getByLabel("Outcome").selectOption("denied");
  await page.getByLabel("User").fill("bob");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/outcome=denied/);
  const rows = page.getByRole("table").locator("tbody tr");
  await expect(rows.first()).toContainText("bob");
  await expect(rows.first()).toContainText("denied");
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export CSV" }).click();
  expect((await download).suggestedFilename()).toBe("chainsight-audit.csv");
  await page.screenshot({ path: test.info().outputPath("audit.png"), fullPage: true });
});

test("after sign-in the browser stays on this server, whatever the callback URL says", async ({ page }) => {
  const origin = new URL(app.url).origin;
  for (const callback of ["/%09/evil.example/", "/%09%5Cevil.example/", "/%09//evil.example/", "//evil.example/", "https://evil.example/"]) {
    await page.context().clearCookies();
    await page.goto(`${app.url}/signin?callbackUrl=${callback}`);
    await page.getByLabel("User name").fill("alice");
    await page.getByLabel("Password").fill(PASSWORDS.alice);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.waitForURL((u) => !u.pathname.startsWith("/signin"));
    // The browser's own URL parser decided where it went.
    expect(new URL(page.url()).origin, callback).toBe(origin);
  }
});

test("repeated wrong passwords make the next try wait, and the form says for how long", async ({ browser }) => {
  // Its own client address, so that the other specs' sign-ins from this machine are not slowed.
  const context = await browser.newContext({ extraHTTPHeaders: { "x-forwarded-for": "198.51.100.77" } });
  const page = await context.newPage();
  await page.goto(`${app.url}/signin`);
  for (let i = 0; i < 4; i++) {
    await page.getByLabel("User name").fill("carol");
    await page.getByLabel("Password").fill(`wrong-${i}`);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page.getByTestId("signin-error")).toHaveText("Wrong user name or password.");
    await expect(page.getByRole("button", { name: "Sign in", exact: true })).toBeEnabled();
  }
  await page.getByLabel("Password").fill(PASSWORDS.carol);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByTestId("signin-error")).toHaveText(/^Too many failed sign-ins for this user name\. Try again in \d+ seconds?\.$/);
  await page.screenshot({ path: test.info().outputPath("signin-throttled.png") });
  await context.close();
});
