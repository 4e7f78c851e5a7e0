import { describe, expect, it } from "vitest";
import { InFlight, LruCache, Semaphore } from "./cache";

describe("LruCache", () => {
  it("evicts the least recently used entry by count and by bytes", () => {
    const c = new LruCache<string, number>({ maxEntries: 2 });
    c.set("a", 1);
    c.set("b", 2);
    c.get("a");
    c.set("c", 3);
    expect([c.get("a"), c.get("b"), c.get("c")]).toEqual([1, undefined, 3]);
    const bytes = new LruCache<string, string>({ maxEntries: 10, maxBytes: 10 });
    bytes.set("x", "x", { size: 6 });
    bytes.set("y", "y", { size: 6 });
    expect([bytes.get("x"), bytes.get("y"), bytes.totalBytes]).toEqual([undefined, "y", 6]);
    bytes.set("huge", "h", { size: 11 });
    expect(bytes.get("huge")).toBeUndefined();
  });

  it("expires entries after their time to live", () => {
    let now = 0;
    const c = new LruCache<string, number>({ maxEntries: 10, ttlMs: 100, now: () => now });
    c.set("a", 1);
    c.set("b", 2, { ttlMs: 1000 });
    now = 150;
    expect([c.get("a"), c.get("b")]).toEqual([undefined, 2]);
  });
});

describe("InFlight", () => {
  it("shares one call among identical concurrent callers", async () => {
    const f = new InFlight();
    let calls = 0;
    const fn = async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 10));
      return calls;
    };
    const a = f.run("k", fn);
    const b = f.run("k", fn);
    expect([a.shared, b.shared]).toEqual([false, true]);
    expect(await Promise.all([a.promise, b.promise])).toEqual([1, 1]);
    expect(f.count).toBe(0);
    expect(await f.run("k", fn).promise).toBe(2);
  });
});

describe("Semaphore", () => {
  it("runs at most `limit` calls at once", async () => {
    const s = new Semaphore(2);
    let active = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 6 }, () =>
        s.run(async () => {
          active++;
          peak = Math.max(peak, active);
          await new Promise((r) => setTimeout(r, 5));
          active--;
        }),
      ),
    );
    expect(peak).toBe(2);
  });
});
