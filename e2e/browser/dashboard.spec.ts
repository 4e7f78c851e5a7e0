import { expect, test, type Page } from "@playwright/test";
import { fixtureLayouts } from "../support/fixtures";
import { readLayout } from "../support/layout";
import { BIG_CHAIN } from "./global-setup";
import { clickGraphNode, graphSettled } from "./graph";

/**
 * What pulling every platform of regclient testrepo:v2 transfers, from the fixture itself: each
 * platform image's config and layers, a blob shared between platforms counted once (in KiB, one decimal).
 */
function testrepoV2ContentKiB(): string {
  const layout = readLayout(fixtureLayouts()["regclient/testrepo"]);
  const index = layout.manifests.get(layout.entries.find((e) => e.tag === "v2")!.descriptor.digest)!;
  const blobs = new Map<string, number>();
  for (const child of index.json.manifests ?? []) {
    if (child.annotations?.["vnd.docker.reference.type"]) continue;
    const m = layout.manifests.get(child.digest)!.json;
    for (const b of [m.config!, ...(m.layers ?? [])]) blobs.set(b.digest, b.size);
  }
  return ([...blobs.values()].reduce((a, b) => a + b, 0) / 1024).toFixed(1);
}

// The dashboard, production build, in Debian Chromium, against the real registry loaded by global-setup.ts.

const shot = async (page: Page, name: string) => {
  await page.screenshot({ path: test.info().outputPath(`${name}.png`), fullPage: true });
};

function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  return errors;
}

const graphNodes = (page: Page) => page.getByTestId("graph-node");

test("home lists the registries with reachability and capabilities", async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto("/");
  const local = page.getByRole("listitem").filter({ hasText: "Local Distribution" });
  await expect(local.getByText("reachable", { exact: true })).toBeVisible();
  await expect(local.getByText("no referrers API (tag schema)")).toBeVisible();
  await expect(local.getByText("catalog listed")).toBeVisible();
  const down = page.getByRole("listitem").filter({ hasText: "Switched-off registry" });
  await expect(down.getByText("unreachable")).toBeVisible();
  await expect(down.getByText(/down: cannot reach 127\.0\.0\.1:\d+: connection refused/)).toBeVisible();
  await shot(page, "home");
  expect(errors).toEqual([]);
});

test("browse from the registry to a repository, a tag and its graph", async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto("/");
  await page.getByRole("link", { name: "Local Distribution" }).click();
  await expect(page).toHaveURL(/\/r\/local$/);
  const namespaces = page.getByRole("navigation", { name: "Namespaces" });
  for (const ns of ["regclient/", "oras/", "notation/", "teama/", "teamb/"]) await expect(namespaces.getByRole("link", { name: new RegExp(`^${ns}`) })).toBeVisible();
  await shot(page, "registry");
  await namespaces.getByRole("link", { name: /^regclient\// }).click();
  await expect(page).toHaveURL(/prefix=regclient%2F/);
  await page.getByRole("link", { name: "regclient/testrepo" }).click();
  await expect(page).toHaveURL(/\/r\/local\/regclient\/testrepo$/);

  // Tags: images only; digest tags appear under their subject.
  const table = page.getByRole("table");
  await expect(table.getByRole("link", { name: "v2", exact: true })).toBeVisible();
  await expect(table.getByRole("link", { name: /^sha256-/ })).toHaveCount(0);
  const v2 = table.getByRole("row").filter({ has: page.getByRole("link", { name: "v2", exact: true }) });
  await expect(v2.getByText(/referrers index sha256-dfae8f425735/)).toBeVisible();
  await expect(v2.getByText("index · 3 platforms")).toBeVisible();
  await expect(v2.locator("[data-verdict]")).toBeVisible(); // badges filled in: the signature's verdict in its slot
  await expect(v2.getByTitle(/1 SBOM attached/)).toBeVisible();
  await shot(page, "repository");

  // Sorting by created date puts the dated releases first and keeps the choice in the URL.
  await page.getByLabel("Sort by").selectOption("created");
  await expect(page).toHaveURL(/sort=created/);
  await expect(table.getByRole("row").nth(1)).toContainText("2021-01-01 00:00 UTC");
  await page.getByPlaceholder("Filter tags").fill("b");
  await expect(page).toHaveURL(/q=b/);
  await expect(table.getByRole("row")).toHaveCount(4); // header + b1, b2, b3
  await page.reload();
  await expect(table.getByRole("row")).toHaveCount(4);
  await expect(page.getByLabel("Sort by")).toHaveValue("created");
  await page.goto("/r/local/regclient/testrepo");

  await v2.getByRole("link", { name: "v2", exact: true }).click();
  await expect(page).toHaveURL(/\/r\/local\/regclient\/testrepo\/@v2$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("regclient/testrepo:v2");
  await expect(graphNodes(page)).toHaveCount(9); // subject, 3 platforms, SBOM, signature, 3 per-platform artifacts
  await expect(page.locator('[data-kind="sbom"]')).toHaveCount(1);
  await expect(page.locator('[data-kind="signature"]')).toHaveCount(1);
  await expect(page.getByTestId("graph-canvas").getByText("application/example.arms")).toHaveCount(3);
  await expect(page.getByText("linux/arm64").first()).toBeVisible();
  await expect(page.getByText("The same from a command line")).toBeVisible();
  await shot(page, "artifact-regclient-v2");
  expect(errors).toEqual([]);
});

test("the oras artifacts layout shows its two-level chains, in the graph and in the tree", async ({ page }) => {
  await page.goto("/r/local/oras/artifacts/@foobar");
  await expect(graphNodes(page)).toHaveCount(3);
  await expect(page.locator('[data-kind="sbom"]')).toHaveCount(1);
  await expect(page.locator('[data-kind="signature"]')).toHaveCount(1);
  await page.getByRole("button", { name: "Tree" }).click();
  const tree = page.getByTestId("discover-tree");
  await expect(tree.getByText("test/sbom.file")).toBeVisible();
  await expect(tree.getByText("test/signature.file")).toBeVisible();
  // The signature hangs off the SBOM: it is nested inside the SBOM's list item.
  const sbomItem = tree.locator("li").filter({ has: page.getByText("test/sbom.file", { exact: true }) }).last();
  await expect(sbomItem.getByText("test/signature.file")).toBeVisible();
  await shot(page, "tree-oras-foobar");

  // Keyboard: the tree's entries are buttons; Enter opens the side panel.
  await tree.getByRole("button", { name: /signature/ }).focus();
  await page.keyboard.press("Enter");
  const panel = page.getByTestId("node-panel");
  await expect(panel.getByRole("heading", { name: "signature" })).toBeVisible();
  await expect(panel.getByText(/referrers tag schema/)).toBeVisible();
  await panel.getByRole("button", { name: /^Preview sha256:/ }).last().click();
  await expect(panel.getByLabel(/Preview of blob/)).toBeVisible();
  await panel.getByRole("link", { name: "Open as an artifact page" }).click();
  await expect(page).toHaveURL(/\/oras\/artifacts\/@sha256:0cb8c4da7e9f/);
});

test("filters, order and top change what is shown, and a reload keeps them", async ({ page }) => {
  await page.goto("/r/local/teama/app/@v1");
  await expect(graphNodes(page)).toHaveCount(5); // subject, 3 scans, 1 note
  await page.getByLabel("Artifact type").selectOption("application/sarif+json");
  await expect(graphNodes(page)).toHaveCount(4);
  await page.getByLabel("Order by created").selectOption("desc");
  await page.getByLabel("Newest per type").fill("1");
  await page.getByLabel("Newest per type").press("Enter");
  await expect(graphNodes(page)).toHaveCount(2);
  await expect(page).toHaveURL(/artifactType=application%2Fsarif%2Bjson/);
  await expect(page).toHaveURL(/top=1/);
  // The newest scan (Jan 5) is the one kept.
  await clickGraphNode(graphNodes(page).filter({ hasText: "SARIF" }));
  await expect(page.getByTestId("node-panel").getByText("2026-01-05 00:00 UTC")).toBeVisible();
  const url = page.url();
  await shot(page, "graph-filtered");

  await page.reload();
  await expect(graphNodes(page)).toHaveCount(2);
  await expect(page.getByLabel("Artifact type")).toHaveValue("application/sarif+json");
  await expect(page.getByLabel("Newest per type")).toHaveValue("1");
  await expect(page.getByTestId("node-panel")).toBeVisible();
  expect(page.url()).toBe(url);

  await page.getByLabel("Depth").selectOption("1");
  await expect(page).toHaveURL(/depth=1/);
});

test("untrusted annotations and blob text are shown as text and never run", async ({ page }) => {
  const dialogs: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto("/r/local/teama/app/@v1");
  await clickGraphNode(graphNodes(page).filter({ hasText: "application/vnd.example.note+json" }));
  const panel = page.getByTestId("node-panel");
  await expect(panel.getByText('<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>').first()).toBeVisible();
  // A javascript: URL stays text, not a link.
  await expect(panel.getByText("javascript:window.__xss=3", { exact: true })).toBeVisible();
  await expect(panel.getByRole("link", { name: "javascript:window.__xss=3" })).toHaveCount(0);
  await panel.getByRole("button", { name: /^Preview sha256:/ }).last().click();
  await expect(panel.getByTestId("blob-text")).toContainText("<script>window.__xss=4</script>");
  await shot(page, "hostile-annotations");
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  expect(await page.locator("img[src=x]").count()).toBe(0);
  expect(dialogs).toEqual([]);
});

test("an artifact with nothing attached says what was looked for", async ({ page }) => {
  await page.goto("/r/local/teama/sub/api/@1.0");
  await expect(page.getByText("No referrers found")).toBeVisible();
  await expect(page.getByText("This registry has no referrers API, and no referrers tags (sha256-<hex>) or cosign tags exist for this digest.")).toBeVisible();
});

test("a missing repository, tag or registry answers 404 and a malformed name 400, each saying what is wrong", async ({ page }) => {
  const error = page.getByTestId("error");
  let res = await page.goto("/r/local/teama/nothing");
  expect(res?.status()).toBe(404);
  await expect(error).toContainText(/repository teama\/nothing|not found \(NAME_UNKNOWN/);
  res = await page.goto("/r/local/teama/app/@v9");
  expect(res?.status()).toBe(404);
  await expect(error).toContainText(/manifest teama\/app:v9: not found/);
  res = await page.goto("/r/down");
  expect(res?.status()).toBe(200); // it exists; it is down, and says so
  await expect(error.first()).toContainText(/connection refused/);
  await shot(page, "unreachable");
  res = await page.goto("/r/local/Bad Name");
  expect(res?.status()).toBe(400);
  await expect(error).toContainText(/invalid repository/);
  res = await page.goto("/r/nope");
  expect(res?.status()).toBe(404);
  await expect(error.first()).toContainText('no registry with id "nope" is configured');
  await expect(page.getByRole("link", { name: "Back to the registries" })).toBeVisible();
  await shot(page, "not-found-registry");
});

test("pages carry a nonce CSP that the app's own scripts satisfy: no violation anywhere", async ({ page }) => {
  await page.addInitScript(() => {
    (window as unknown as { __csp: string[] }).__csp = [];
    document.addEventListener("securitypolicyviolation", (e) => (window as unknown as { __csp: string[] }).__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const messages: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) messages.push(m.text());
  });
  for (const path of ["/", "/r/local", "/r/local/regclient/testrepo", "/r/local/regclient/testrepo/@v2", "/r/local/teama/app/@v1?view=tree", "/signin", "/nowhere"]) {
    const res = await page.goto(path);
    expect(res?.headers()["content-security-policy"], path).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'.*frame-ancestors 'none'/);
    expect(res?.headers()["x-frame-options"]).toBe("DENY");
    await page.waitForLoadState("networkidle");
    expect(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp), path).toEqual([]);
  }
  // The app works under it: React hydrated (the theme toggle responds) and the graph drew.
  await page.goto("/r/local/oras/artifacts/@foobar");
  await expect(graphNodes(page)).toHaveCount(3);
  expect(messages).toEqual([]);
});

test("two controls changed within a moment both land in the address", async ({ page }) => {
  await page.goto("/r/local/teama/app/@v1");
  await expect(graphNodes(page)).toHaveCount(5);
  // No waiting between the two: the second change must build on the first.
  await Promise.all([page.getByLabel("Artifact type").selectOption("application/sarif+json"), page.getByLabel("Order by created").selectOption("desc")]);
  await expect(page).toHaveURL(/artifactType=application%2Fsarif%2Bjson/);
  await expect(page).toHaveURL(/order=desc/);
  await page.getByLabel("Depth").selectOption("1");
  await page.getByRole("button", { name: "Tree" }).click();
  await expect(page).toHaveURL(/depth=1/);
  await expect(page).toHaveURL(/view=tree/);
  await expect(page).toHaveURL(/artifactType=application%2Fsarif%2Bjson/);
});

test("the graph opens legible: readable zoom, subject in view, edges explained by a legend and named on hover", async ({ page }) => {
  await page.goto("/r/local/teamb/big/@v1");
  await expect(graphNodes(page).first()).toBeVisible();
  await graphSettled(page);
  const zoom = await page.locator(".react-flow__viewport").evaluate((el) => new DOMMatrix(getComputedStyle(el).transform).a);
  expect(zoom).toBeGreaterThanOrEqual(0.8);
  const canvas = (await page.getByTestId("graph-canvas").boundingBox())!;
  const subject = (await page.locator('[data-testid="graph-node"]', { hasText: "subject" }).boundingBox())!;
  expect(subject.x).toBeGreaterThanOrEqual(canvas.x);
  expect(subject.x + subject.width).toBeLessThanOrEqual(canvas.x + canvas.width);
  expect(subject.y).toBeGreaterThanOrEqual(canvas.y);
  expect(subject.y + subject.height).toBeLessThanOrEqual(canvas.y + canvas.height);
  // The graph starts within the first screen, above the references and commands.
  expect(canvas.y).toBeLessThan(900);
  await expect(page.getByTestId("edge-legend")).toContainText("referrers tag schema");
  // No edge label is shown until an edge is hovered.
  const labels = page.locator(".react-flow__edge-textwrapper");
  expect(await labels.count()).toBeGreaterThan(0);
  for (let i = 0; i < Math.min(await labels.count(), 20); i++) await expect(labels.nth(i)).toBeHidden();
  // Selecting a node names the edge that leads to it (the SBOMs are many: their group opens first).
  await clickGraphNode(page.getByTestId("graph-group").filter({ hasText: "SPDX SBOM" }));
  await clickGraphNode(graphNodes(page).filter({ hasText: "SPDX SBOM" }).first());
  await expect(page.locator(".chainsight-edge-named .react-flow__edge-textwrapper").first()).toBeVisible();
  await expect(page.locator(".chainsight-edge-named").first()).toContainText("tag schema");
  await shot(page, "graph-opening-view");
});

test("sizes say what they count, titles write references as references, previews skip the empty config", async ({ page }) => {
  await page.goto("/r/local/regclient/testrepo");
  const table = page.getByRole("table");
  await expect(table.getByRole("columnheader", { name: /Size/ })).toHaveAttribute("title", /every platform, layers shared between platforms counted once/);
  const v2 = table.getByRole("row").filter({ has: page.getByRole("link", { name: "v2", exact: true }) });
  await expect(v2.getByTitle(/^All platforms, shared layers counted once\.\nlinux\/amd64: /)).toBeVisible();
  await page.goto("/r/local/regclient/testrepo/@v2");
  await expect(page).toHaveTitle("regclient/testrepo:v2 · Chainsight");
  await expect(page.getByText(`content ${testrepoV2ContentKiB()} KiB (all platforms, shared layers once)`, { exact: false })).toBeVisible();
  const digestPage = await page.getByRole("link", { name: /^sha256:/ }).first().getAttribute("href");
  await page.goto(digestPage!);
  await expect(page).toHaveTitle(/^regclient\/testrepo@sha256:[0-9a-f]{64} · Chainsight$/);
  // An image's config preview names its type.
  await page.goto("/r/local/teama/app/@v1");
  await page.getByRole("button", { name: /^sha256:/ }).first().click();
  await expect(page.getByLabel(/Preview of blob/)).toContainText(/(OCI|Docker) image config/);
  // An artifact's panel offers its content first, not the 2-byte empty config.
  await clickGraphNode(graphNodes(page).filter({ hasText: "SARIF" }).first());
  const panel = page.getByTestId("node-panel");
  await expect(panel.getByRole("button", { name: /^Preview sha256:/ })).toHaveCount(1);
  await expect(panel.getByRole("button", { name: /^Preview sha256:44136fa355b3/ })).toHaveCount(0);
  await panel.getByRole("button", { name: /^Preview sha256:/ }).click();
  await expect(panel.getByTestId("blob-text")).toContainText('"version": "2.1.0"');
});

test("dark mode follows the toggle and survives a reload", async ({ page }) => {
  await page.emulateMedia({ colorScheme: "light" });
  await page.goto("/r/local/oras/artifacts/@foobar");
  await expect(page.locator("html")).not.toHaveClass(/dark/);
  await page.getByRole("button", { name: "Theme: system" }).click(); // -> light
  await page.getByRole("button", { name: "Theme: light" }).click(); // -> dark
  await expect(page.locator("html")).toHaveClass(/dark/);
  await page.reload();
  await expect(page.locator("html")).toHaveClass(/dark/);
  await expect(graphNodes(page)).toHaveCount(3);
  await shot(page, "artifact-dark");
});

test("an unknown address shows a not-found page with a way back", async ({ page }) => {
  const res = await page.goto("/no/such/page");
  expect(res?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await page.getByRole("link", { name: "Back to the start page" }).click();
  await expect(page).toHaveURL(/\/$/);
});

test("a graph of 500 referrers opens as one group per kind, opens a group on click, and pans and zooms", async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto("/r/local/teamb/big/@v1");
  await expect(page.getByTestId("supply-chain-summary")).toContainText("500 attached artifacts");
  // 250 artifacts of 4 types straight on the image, each signed: 4 groups, each counting its own signatures.
  const groups = page.getByTestId("graph-group");
  await expect(groups).toHaveCount(4);
  const counts = (await groups.allTextContents()).map((t) => Number(/^(\d+) ×/.exec(t)?.[1]));
  expect(counts.reduce((a, b) => a + b, 0)).toBe(BIG_CHAIN);
  await expect(graphNodes(page)).toHaveCount(1); // the subject
  await expect(page.getByLabel("Overview of the graph")).toBeVisible();
  const sarif = groups.filter({ hasText: "SARIF" });
  const members = Number(/^(\d+) ×/.exec((await sarif.textContent()) ?? "")?.[1]);
  await expect(sarif).toContainText(`+ ${members} attached to them`);
  await sarif.click();
  await expect(page).toHaveURL(/open=/);
  await expect(groups).toHaveCount(3);
  await expect(graphNodes(page).filter({ hasText: "SARIF" }).first()).toBeVisible();
  // Only what is in view is in the DOM.
  expect(await graphNodes(page).count()).toBeLessThan(2 * members);
  await page.getByRole("button", { name: "Zoom In" }).click();
  await page.mouse.move(700, 600);
  await page.mouse.down();
  await page.mouse.move(500, 400, { steps: 5 });
  await page.mouse.up();
  await expect(graphNodes(page).first()).toBeVisible();
  await shot(page, "graph-500");
  await page.getByRole("button", { name: /Close the 1 opened group/ }).click();
  await expect(groups).toHaveCount(4);
  expect(errors).toEqual([]);
});
