import { describe, expect, it } from "vitest";
import { safeCallbackPath } from "./callback-url";

const ORIGIN = "https://chainsight.example";

describe("safeCallbackPath", () => {
  it.each([
    ["/r/local/teama/app?tab=graph#x", "/r/local/teama/app?tab=graph#x"],
    ["/", "/"],
    ["/admin/audit", "/admin/audit"],
  ])("keeps the same-origin path %j", (input, expected) => {
    expect(safeCallbackPath(input, ORIGIN)).toBe(expected);
  });

  it.each([
    "/\t/evil.example/",
    "/\t\\evil.example/",
    "/\t//evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example",
    "\\/evil.example",
    "/\n/evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "evil.example",
    "",
    "http://chainsight.example@evil.example/",
  ])("sends %j home instead", (input) => {
    const out = safeCallbackPath(input, ORIGIN);
    expect(out).toBe("/");
    // What the browser would do with the answer stays on this origin.
    expect(new URL(out, ORIGIN).origin).toBe(ORIGIN);
  });

  it("refuses non-strings", () => {
    expect(safeCallbackPath(undefined)).toBe("/");
    expect(safeCallbackPath(["/a"])).toBe("/");
  });

  it("decoded query values from the address bar land on this origin", () => {
    for (const raw of ["/%09/evil.example/", "/%09%5Cevil.example/", "/%09//evil.example/"]) {
      const decoded = new URLSearchParams(`callbackUrl=${raw}`).get("callbackUrl");
      const out = safeCallbackPath(decoded, ORIGIN);
      expect(new URL(out, ORIGIN).origin, raw).toBe(ORIGIN);
    }
  });
});
