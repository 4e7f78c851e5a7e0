import { parseRetryAfter, type FetchLike } from "./transport";

/**
 * A registry's request-rate limit (`requestsPerSecond` in its configuration):
 * requests leave at most that many per second, evenly spaced, in the order
 * they were asked for. Docker Hub, GHCR, Quay and Harbor behind a gateway
 * refuse clients that go faster; waiting here is cheaper than a 429 and the
 * back-off that follows it. A request whose caller gives up (its signal
 * aborts) while waiting leaves the queue without being sent. A 429 with
 * `Retry-After` holds every request still waiting until the time it names.
 */
export function pacedFetch(fetch: FetchLike, requestsPerSecond: number, clock: { now(): number } = Date): FetchLike {
  const spacing = 1000 / requestsPerSecond;
  /** When the next request may leave. */
  let nextSlot = 0;
  /** No request before this (a 429's Retry-After). */
  let heldUntil = 0;
  return async (input, init) => {
    for (;;) {
      const now = clock.now();
      const slot = Math.max(now, nextSlot);
      nextSlot = slot + spacing;
      if (slot > now) await waitUntil(slot - now, init.signal ?? undefined);
      // A 429 that arrived while this request waited: a new turn after the hold.
      if (heldUntil <= clock.now()) break;
    }
    const res = await fetch(input, init);
    if (res.status === 429) {
      const seconds = parseRetryAfter(res.headers.get("retry-after"), clock.now());
      if (seconds !== undefined) {
        heldUntil = Math.max(heldUntil, clock.now() + seconds * 1000);
        nextSlot = Math.max(nextSlot, heldUntil);
      }
    }
    return res;
  };
}

function waitUntil(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
