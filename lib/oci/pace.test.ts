import { afterEach, describe, expect, it, vi } from "vitest";
import { pacedFetch } from "./pace";
import type { FetchLike } from "./transport";

afterEach(() => {
  vi.useRealTimers();
});

describe("a registry's request-rate limit", () => {
  it("lets requests leave evenly spaced at the configured rate, in the order asked", async () => {
    vi.useFakeTimers({ now: 0 });
    const sent: { url: string; at: number }[] = [];
    const inner: FetchLike = async (url) => {
      sent.push({ url, at: Date.now() });
      return new Response("ok");
    };
    const paced = pacedFetch(inner, 4);
    const all = Promise.all(["a", "b", "c", "d", "e"].map((u) => paced(u, {})));
    await vi.advanceTimersByTimeAsync(0);
    expect(sent.map((s) => s.url)).toEqual(["a"]);
    await vi.advanceTimersByTimeAsync(249);
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent.map((s) => s.url)).toEqual(["a", "b"]);
    await vi.advanceTimersByTimeAsync(750);
    await all;
    expect(sent.map((s) => [s.url, s.at])).toEqual([["a", 0], ["b", 250], ["c", 500], ["d", 750], ["e", 1000]]);
    // After a quiet moment the next request leaves at once.
    await vi.advanceTimersByTimeAsync(5000);
    await paced("f", {});
    expect(sent.at(-1)).toEqual({ url: "f", at: 6000 });
  });

  it("holds the requests still waiting when the registry answers 429 with Retry-After", async () => {
    vi.useFakeTimers({ now: 0 });
    const sent: { url: string; at: number }[] = [];
    const paced = pacedFetch(async (url) => {
      sent.push({ url, at: Date.now() });
      return url === "a" ? new Response("slow down", { status: 429, headers: { "retry-after": "3" } }) : new Response("ok");
    }, 10);
    const all = Promise.all(["a", "b", "c"].map((u) => paced(u, {})));
    await vi.advanceTimersByTimeAsync(4000);
    await all;
    // b had its slot at 100 ms; it waits out the 3 s the registry asked for, c after it.
    expect(sent.map((s) => [s.url, s.at])).toEqual([["a", 0], ["b", 3000], ["c", 3100]]);
  });

  it("does not send a request whose caller gave up while it waited", async () => {
    vi.useFakeTimers({ now: 0 });
    const sent: string[] = [];
    const paced = pacedFetch(async (url) => (sent.push(url), new Response("ok")), 1);
    await paced("first", {});
    const controller = new AbortController();
    const waiting = paced("second", { signal: controller.signal });
    controller.abort(new Error("deadline"));
    await expect(waiting).rejects.toThrow("deadline");
    await vi.advanceTimersByTimeAsync(2000);
    expect(sent).toEqual(["first"]);
  });
});
