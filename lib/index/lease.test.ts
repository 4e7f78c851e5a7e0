import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openIndexDatabase, type IndexDb } from "./database";
import { leaseHolder, queueRepository, releaseLease, takeLease, takeQueued } from "./lease";

let db: IndexDb;
beforeAll(async () => {
  db = await openIndexDatabase({ location: ":memory:" });
});
afterAll(async () => {
  await db.destroy();
});

describe("the crawler's lease", () => {
  it("is held by one at a time, renewed by its holder, taken over when it expires, and free once released", async () => {
    const t0 = new Date("2026-12-01T00:00:00Z");
    const at = (s: number) => new Date(t0.getTime() + s * 1000);
    expect(await takeLease(db, "crawler", "a", 30_000, t0)).toBe(true);
    expect(await takeLease(db, "crawler", "b", 30_000, at(1))).toBe(false);
    expect(await takeLease(db, "crawler", "a", 30_000, at(20))).toBe(true); // renewed: now until 50 s
    expect(await takeLease(db, "crawler", "b", 30_000, at(40))).toBe(false);
    expect(await leaseHolder(db, "crawler", at(40))).toBe("a");
    // a stops renewing (it died): b takes over once the lease has expired.
    expect(await takeLease(db, "crawler", "b", 30_000, at(51))).toBe(true);
    expect(await takeLease(db, "crawler", "a", 30_000, at(52))).toBe(false);
    await releaseLease(db, "crawler", "b");
    expect(await leaseHolder(db, "crawler", at(53))).toBeUndefined();
    expect(await takeLease(db, "crawler", "a", 30_000, at(53))).toBe(true);
  });

  it("queues repositories for the crawler once each, and hands each out once", async () => {
    await queueRepository(db, "local", "team/a");
    await queueRepository(db, "local", "team/a");
    await queueRepository(db, "local", "team/b");
    await queueRepository(db, "other", "x/y");
    const taken = await takeQueued(db);
    expect(taken.map((t) => [t.registry, t.repositories.sort()]).sort()).toEqual([
      ["local", ["team/a", "team/b"]],
      ["other", ["x/y"]],
    ]);
    expect(await takeQueued(db)).toEqual([]);
  });
});
