/**
 * Browser half of the benchmark: how the supply-chain graph of 500 referrers
 * behaves in Debian Chromium: time until the first node is drawn, and frame
 * times while the user drags and zooms (60 fps = 16.7 ms per frame).
 */
import { chromium } from "@playwright/test";

export interface RenderResult {
  nodes: number;
  firstNodeMs: number;
  frames: number;
  meanFrameMs: number;
  p95FrameMs: number;
}

export async function measureGraphRender(url: string, expectedNodes: number): Promise<RenderResult> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const t0 = Date.now();
    await page.goto(url);
    await page.getByTestId("graph-node").first().waitFor();
    const firstNodeMs = Date.now() - t0;
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
      for (let i = 0; i < 10; i++) await page.mouse.wheel(0, i < 5 ? -120 : 120);
      await page.mouse.move(cx - 300, cy - 250);
      await page.mouse.down();
      await page.mouse.move(cx, cy, { steps: 30 });
      await page.mouse.up();
    }
    const frames = ((await page.evaluate("window.__frames")) as number[]).slice(1);
    const sorted = [...frames].sort((a, b) => a - b);
    const summary = await page.getByTestId("supply-chain-summary").textContent();
    const nodes = Number(/(\d+) attached/.exec(summary ?? "")?.[1] ?? 0);
    if (nodes !== expectedNodes) throw new Error(`the graph page shows ${nodes} attached artifacts, expected ${expectedNodes}`);
    return {
      nodes,
      firstNodeMs,
      frames: frames.length,
      meanFrameMs: Math.round((frames.reduce((a, b) => a + b, 0) / frames.length) * 10) / 10,
      p95FrameMs: Math.round(sorted[Math.floor(sorted.length * 0.95)] * 10) / 10,
    };
  } finally {
    await browser.close();
  }
}
