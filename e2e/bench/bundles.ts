/**
 * Bench: the JavaScript each page makes the browser download, as it arrives
 * (gzip, as `next start` serves it), measured in Debian Chromium: per route
 * the total, the part every route shares, and whether the graph libraries
 * (React Flow) came with it.
 */
import { chromium } from "@playwright/test";

export interface RouteBundle {
  route: string;
  path: string;
  /** Every script the page loaded: URL → bytes on the wire. */
  scripts: Map<string, number>;
  /** True when a loaded script holds React Flow. */
  graphLibraries: boolean;
}

export interface BundleReport {
  routes: (RouteBundle & { totalKiB: number; ownKiB: number })[];
  sharedKiB: number;
}

const kib = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;

export async function measureBundles(baseUrl: string, routes: { route: string; path: string; ready: string }[]): Promise<BundleReport> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
  });
  const measured: RouteBundle[] = [];
  const graphChunk = new Map<string, boolean>();
  try {
    for (const r of routes) {
      // A fresh context per route: nothing cached from the page before.
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      const page = await context.newPage();
      const scripts = new Map<string, number>();
      const pending: Promise<void>[] = [];
      page.on("requestfinished", (req) => {
        if (req.resourceType() !== "script") return;
        pending.push(
          req.sizes().then(async (sizes) => {
            const url = new URL(req.url()).pathname;
            scripts.set(url, sizes.responseBodySize);
            if (!graphChunk.has(url)) {
              const body = (await (await req.response())?.text()) ?? "";
              graphChunk.set(url, body.includes("react-flow__"));
            }
          }),
        );
      });
      await page.goto(baseUrl + r.path);
      await page.locator(r.ready).first().waitFor({ timeout: 60_000 });
      await page.waitForLoadState("networkidle");
      await Promise.all(pending);
      measured.push({ ...r, scripts, graphLibraries: [...scripts.keys()].some((u) => graphChunk.get(u)) });
      await context.close();
    }
  } finally {
    await browser.close();
  }
  const shared = [...measured[0].scripts.keys()].filter((u) => measured.every((m) => m.scripts.has(u)));
  const sharedBytes = shared.reduce((n, u) => n + measured[0].scripts.get(u)!, 0);
  return {
    sharedKiB: kib(sharedBytes),
    routes: measured.map((m) => {
      const total = [...m.scripts.values()].reduce((n, b) => n + b, 0);
      return { ...m, totalKiB: kib(total), ownKiB: kib(total - sharedBytes) };
    }),
  };
}

export function renderBundles(report: BundleReport): string {
  return [
    `JavaScript per page, as the browser downloads it (gzip), in Debian Chromium with an empty cache. Shared by every page: ${report.sharedKiB} KiB.`,
    "",
    "| page | JavaScript (gzip) | beyond the shared part | graph libraries loaded |",
    "|---|---|---|---|",
    ...report.routes.map((r) => `| ${r.route} | ${r.totalKiB} KiB | ${r.ownKiB} KiB | ${r.graphLibraries ? "yes" : "no"} |`),
  ].join("\n");
}
