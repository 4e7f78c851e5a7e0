import { describe, expect, it } from "vitest";
import { nextLink, parseLinkHeader } from "./link";

describe("Link header", () => {
  it("finds rel=next and resolves it against the request", () => {
    expect(nextLink('</v2/_catalog?last=b&n=2>; rel="next"', "http://r:5000/v2/_catalog?n=2")).toBe("http://r:5000/v2/_catalog?last=b&n=2");
    expect(nextLink("<https://other/x>; rel=next")).toBe("https://other/x");
  });
  it("handles several links and other relations", () => {
    const h = '<http://r/a?x=1>; rel="prev", <http://r/b?nextToken=abc>; rel="next"; title="more"';
    expect(parseLinkHeader(h)).toHaveLength(2);
    expect(nextLink(h)).toBe("http://r/b?nextToken=abc");
  });
  it("returns nothing without a next link", () => {
    expect(nextLink(null)).toBeUndefined();
    expect(nextLink('<http://r/a>; rel="prev"')).toBeUndefined();
    expect(nextLink("garbage")).toBeUndefined();
  });
});
