import { describe, expect, it } from "vitest";
import { SignInThrottle, waitInWords } from "./sign-in-throttle";

describe("sign-in throttle", () => {
  const clock = () => {
    let t = 1_000_000;
    return { now: () => t, advance: (s: number) => (t += s * 1000) };
  };

  it("lets the free attempts through, then makes each further try wait twice as long", () => {
    const c = clock();
    const th = new SignInThrottle({ freeAttempts: 3, maxDelaySeconds: 900, now: c.now });
    const keys = ["user:alice", "addr:10.0.0.1"];
    for (let i = 0; i < 3; i++) {
      expect(th.check(keys).allowed).toBe(true);
      th.fail(keys);
    }
    // Three failures are free; the fourth is allowed and starts the waits.
    expect(th.check(keys).allowed).toBe(true);
    th.fail(keys);
    expect(th.check(keys)).toEqual({ allowed: false, retryAfterSeconds: 2, key: "user:alice" });
    c.advance(2);
    th.fail(keys);
    expect(th.check(keys)).toMatchObject({ allowed: false, retryAfterSeconds: 4 });
    c.advance(4);
    th.fail(keys);
    expect(th.check(keys)).toMatchObject({ allowed: false, retryAfterSeconds: 8 });
  });

  it("caps the wait, and a right password clears the user but not the address", () => {
    const c = clock();
    const th = new SignInThrottle({ freeAttempts: 1, maxDelaySeconds: 60, now: c.now });
    for (let i = 0; i < 12; i++) {
      th.fail(["user:bob", "addr:a"]);
      c.advance(3600);
    }
    th.fail(["user:bob", "addr:a"]);
    expect(th.check(["user:bob"])).toMatchObject({ retryAfterSeconds: 60 });
    th.succeed("user:bob");
    expect(th.check(["user:bob"]).allowed).toBe(true);
    expect(th.check(["user:bob", "addr:a"])).toMatchObject({ allowed: false, key: "addr:a" });
    // Another user from the same address waits too.
    expect(th.check(["user:carol", "addr:a"])).toMatchObject({ allowed: false, key: "addr:a" });
  });

  it("remembers a bounded number of keys", () => {
    const th = new SignInThrottle({ freeAttempts: 0, maxDelaySeconds: 60, maxKeys: 100 });
    for (let i = 0; i < 1000; i++) th.fail([`user:u${i}`]);
    expect(th.check(["user:u0"]).allowed).toBe(true); // forgotten
    expect(th.check(["user:u999"]).allowed).toBe(false);
  });

  it("says the wait in words", () => {
    expect(waitInWords(1)).toBe("1 second");
    expect(waitInWords(32)).toBe("32 seconds");
    expect(waitInWords(900)).toBe("15 minutes");
  });
});
