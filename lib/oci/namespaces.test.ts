import { describe, expect, it } from "vitest";
import { browseRepositories } from "./namespaces";

const all = ["teama/app", "teama/sub/api", "teama/sub/web", "teamb/web", "alpine", "teama/app"];

describe("browseRepositories", () => {
  it("pages a flat, sorted, de-duplicated list with a name cursor", () => {
    const p1 = browseRepositories(all, { n: 2 });
    expect(p1).toEqual({ repositories: ["alpine", "teama/app"], namespaces: undefined, total: 5, next: "teama/app" });
    const p2 = browseRepositories(all, { n: 2, cursor: p1.next });
    expect(p2.repositories).toEqual(["teama/sub/api", "teama/sub/web"]);
    expect(browseRepositories(all, { n: 2, cursor: "teama/sub/web" })).toMatchObject({ repositories: ["teamb/web"], next: undefined });
  });

  it("shows one namespace level at a time in tree view", () => {
    expect(browseRepositories(all, { n: 10, view: "tree" })).toMatchObject({
      repositories: ["alpine"],
      namespaces: [
        { path: "teama/", repositories: 3 },
        { path: "teamb/", repositories: 1 },
      ],
    });
    expect(browseRepositories(all, { n: 10, view: "tree", prefix: "teama/" })).toMatchObject({ repositories: ["teama/app"], namespaces: [{ path: "teama/sub/", repositories: 2 }] });
  });

  it("filters by prefix and by substring", () => {
    expect(browseRepositories(all, { n: 10, prefix: "teama/sub/" }).repositories).toEqual(["teama/sub/api", "teama/sub/web"]);
    expect(browseRepositories(all, { n: 10, query: "WEB" }).repositories).toEqual(["teama/sub/web", "teamb/web"]);
  });
});
