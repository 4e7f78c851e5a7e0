import { describe, expect, it } from "vitest";
import { ChainsightError, DeniedError, NotFoundError, RateLimitedError, RegistryError } from "./errors";

// Next.js bundles pages and route handlers apart, each with its own copy of this module; the server's stores are made
// by whichever runs first. A route must still tell a missing repository (404) from anything else.

describe("errors from another copy of their module", () => {
  it("are recognised by family and code, and nothing else is", async () => {
    // The same file under another module id: a second copy, as a second bundle has.
    const id = "./errors?another-copy";
    const other = (await import(/* @vite-ignore */ id)) as typeof import("./errors");
    expect(other.NotFoundError).not.toBe(NotFoundError);
    const missing = new other.NotFoundError("demo", "demo: repository x not found");
    expect(missing instanceof NotFoundError).toBe(true);
    expect(missing instanceof RegistryError).toBe(true);
    expect(missing instanceof ChainsightError).toBe(true);
    expect(missing instanceof DeniedError).toBe(false);
    expect(missing instanceof RateLimitedError).toBe(false);
    const limited = new other.RateLimitedError("demo", "slow down", 7);
    expect(limited instanceof RateLimitedError && limited.retryAfterSeconds).toBe(7);
    expect(new Error("x") instanceof ChainsightError).toBe(false);
    expect({ code: "NOT_FOUND" } instanceof NotFoundError).toBe(false);
    const docsId = "../documents/parse?another-copy";
    const docs = (await import(/* @vite-ignore */ docsId)) as typeof import("../documents/parse");
    const { DocumentError } = await import("../documents/parse");
    expect(new docs.DocumentError("unreadable") instanceof DocumentError).toBe(true);
    expect(new Error("x") instanceof DocumentError).toBe(false);
    // The ordinary case still holds.
    expect(new NotFoundError("demo", "x") instanceof RegistryError).toBe(true);
  });
});
