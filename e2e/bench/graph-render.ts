/**
 * Browser half of the benchmark: how the supply-chain graph of a large image
 * behaves in Debian Chromium (software rendering): time until the first node
 * is drawn, the longest task the page ran (anything over 50 ms is a "long
 * task"; over 200 ms the page feels stuck), and frame times while the user
 * drags and zooms (60 fps = 16.7 ms per frame). Measured as the page opens
 * (large sibling groups drawn as one node each), with one group opened, and
 * with every group opened, so that every artifact is a node. The graph call
 * is made just before each page load, so that the times are the page's, not
 * a discovery's.
 */
import { chromium, type Page } from "@playwright/test";
import { groupSiblings } from "../../lib/graph-view/groups";
import type { SupplyChainGraph } from "../../lib/supply-chain/discover";

export interface RenderRun {
  /** Nodes and groups drawn (in the layout, not only in view). */
  drawn: number;
  firstNodeMs: number;
  longestTaskMs: number;
  frames: number;
  meanFrameMs: number;
  p95FrameMs: number;
}

export interface RenderResult {
  nodes: number;
  /** The graph call itself, warm (discovery cached), median of 5: what the page waits for. */
  warmCallMs: number;
  collapsed: RenderRun;
  /** One group opened: its 250 artifacts and their 250 signatures drawn. */
  oneOpened: RenderRun;
  opened: RenderRun;
}

const LONG_TASKS = `(() => {
  window.__longest = 0;
  new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longest = Math.max(window.__longest, e.duration); })
    .observe({ type: "longtask", buffered: true });
})()`;

async function run(page: Page, url: string): Promise<RenderRun> {
  const t0 = Date.now();
  await page.goto(url);
  await page.locator('[data-testid="graph-node"], [data-testid="graph-group"]').first().waitFor({ timeout: 120_000 });
  const firstNodeMs = Date.now() - t0;
  await page.waitForTimeout(500);
  const canvas = page.getByTestId("graph-canvas");
  const box = (await canvas.boundingBox())!;
  // A string, not a function: tsx would wrap a function in helpers the page does not have.
  await page.evaluate(`(() => {
    window.__frames = [];
    let last = performance.now();
    const tick = (now) => { window.__frames.push(now - last); last = now; requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  })()`);
  // Drag across the canvas and zoom in and out, as a user exploring the graph.
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  for (let round = 0; round < 3; round++) {
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    await page.mouse.move(cx - 300, cy - 250, { steps: 30 });
    await page.mouse.up();
    for (let i = 0; i < 10; i++) await page.mouse.wheel(0, i < 5 ? 120 : -120);
    await page.mouse.move(cx - 300, cy - 250);
    await page.mouse.down();
    await page.mouse.move(cx, cy, { steps: 30 });
    await page.mouse.up();
  }
  const frames = ((await page.evaluate("window.__frames")) as number[]).slice(1);
  const sorted = [...frames].sort((a, b) => a - b);
  const longestTaskMs = Math.round((await page.evaluate("window.__longest")) as number);
  const drawn = await canvas.getAttribute("data-drawn");
  return {
    drawn: Number(drawn),
    firstNodeMs,
    longestTaskMs,
    frames: frames.length,
    meanFrameMs: Math.round((frames.reduce((a, b) => a + b, 0) / frames.length) * 10) / 10,
    p95FrameMs: Math.round(sorted[Math.floor(sorted.length * 0.95)] * 10) / 10,
  };
}

export async function measureGraphRender(baseUrl: string, registry: string, repository: string, reference: string, expectedNodes: number): Promise<RenderResult> {
  const api = `${baseUrl}/api/registries/${registry}/graph?${new URLSearchParams({ repository, reference, checks: "subject" })}`;
  const warm = async () => ((await (await fetch(api)).json()) as { graph: SupplyChainGraph }).graph;
  const graph = await warm();
  const referrers = graph.nodes.filter((n) => n.role === "referrer").length;
  if (referrers !== expectedNodes) throw new Error(`the graph API finds ${referrers} referrers, expected ${expectedNodes}`);
  const groups = groupSiblings(graph).groups.map((g) => g.id);
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    await warm();
    times.push(performance.now() - t0);
  }
  const warmCallMs = Math.round(times.sort((a, b) => a - b)[2]);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
  });
  try {
    const pageUrl = `${baseUrl}/r/${registry}/${repository}/@${reference}`;
    const measure = async (url: string) => {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      await context.addInitScript(LONG_TASKS);
      try {
        return await run(await context.newPage(), url);
      } finally {
        await context.close();
      }
    };
    // The URLs a user gets after clicking one group, or each of them.
    await warm();
    const collapsed = await measure(pageUrl);
    await warm();
    const oneOpened = await measure(`${pageUrl}?${new URLSearchParams({ open: groups[0] })}`);
    await warm();
    const opened = await measure(`${pageUrl}?${new URLSearchParams({ open: groups.join(",") })}`);
    return { nodes: referrers, warmCallMs, collapsed, oneOpened, opened };
  } finally {
    await browser.close();
  }
}
