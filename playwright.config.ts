import { defineConfig } from "@playwright/test";

const port = Number(process.env.CHAINSIGHT_E2E_PORT ?? 3217);

export default defineConfig({
  testDir: "e2e/browser",
  outputDir: "test-results",
  timeout: 60_000,
  // Cold server caches on a busy CI machine: discovery and badges can take a few seconds.
  expect: { timeout: 10_000 },
  workers: 1,
  reporter: [["list"]],
  // Starts the registry, loads it, and serves the production build (needs `npm run build`).
  globalSetup: "./e2e/browser/global-setup.ts",
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    screenshot: "only-on-failure",
    viewport: { width: 1440, height: 900 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-quic", "--no-first-run", "--disable-sync"],
    },
  },
});
