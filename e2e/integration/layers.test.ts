import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type RunningApp } from "../support/app-server";
import { pushImage } from "../support/artifacts";
import { startDistribution, type RunningDistribution } from "../support/distribution";

// The server's runtime (its stores) is made by whatever runs first; here a page, whose bundle has its own copy of
// the library. Errors its stores throw must still be told apart by the API routes: a missing repository is a 404
// with its code, never a 500.

let dist: RunningDistribution;
let app: RunningApp;

beforeAll(async () => {
  dist = await startDistribution();
  await pushImage({ url: dist.url }, "team/app", "1.0", { created: "2026-01-01T00:00:00Z" });
  // The first request is a page: the runtime is made in the pages' bundle.
  app = await startApp({ registries: [{ id: "local", url: dist.url, plainHttp: true }] }, {}, { readyPath: "/r/local/team/app" });
}, 60_000);

afterAll(async () => {
  await app?.stop();
  await dist?.stop();
});

describe("a runtime made by a page", () => {
  it("still answers registry errors with their own status through the API", async () => {
    const page = await fetch(`${app.url}/r/local/team/app`);
    expect(page.status).toBe(200);
    const tags = await app.get("/api/registries/local/tags?repository=nope/missing");
    expect(tags.status).toBe(404);
    expect(tags.body.error.code).not.toBe("internal");
    const graph = await app.get("/api/registries/local/graph?repository=team/app&reference=9.9");
    expect(graph.status).toBe(404);
    // A promotion plan into a repository that does not exist yet: the target lacks everything.
    const plan = await fetch(`${app.url}/api/registries/local/promotion-plan`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ repository: "team/app", reference: "1.0", targetRegistry: "local", targetRepository: "prod/new" }) });
    expect(plan.status).toBe(200);
    expect(((await plan.json()) as { plan: { totals: { manifestsToWrite: number } } }).plan.totals.manifestsToWrite).toBe(1);
  });
});
