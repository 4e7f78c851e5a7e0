import type { Store } from "../oci/store";

/**
 * What a walk does when the registry says "too many requests" (429): no
 * request to that registry until the time its `Retry-After` names, then the
 * repository being walked is walked again (a 429 inside it may have left a
 * tag, a signature or a document out). A registry that gives no
 * `Retry-After` is waited on for 5 s, doubling up to 5 minutes while it keeps
 * refusing. One gate per walk: every repository walked at once waits on it.
 */

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** The longest wait honoured; a registry asking for more is asked again then. */
export const MAX_WAIT_MS = 15 * 60_000;
const FIRST_GUESS_MS = 5_000;
const LONGEST_GUESS_MS = 5 * 60_000;

export class RateLimitGate {
  private until = 0;
  private guesses = 0;
  /** 429s seen, and the total time waited because of them. */
  limited = 0;
  waitedMs = 0;

  constructor(private readonly clock: Clock = systemClock) {}

  /** A 429 arrived: close the gate for what the registry asked (or a growing guess). Returns the wait in ms. */
  refused(retryAfterSeconds: number | undefined): number {
    this.limited++;
    const wait = retryAfterSeconds !== undefined ? Math.max(0, retryAfterSeconds * 1000) : Math.min(FIRST_GUESS_MS * 2 ** this.guesses++, LONGEST_GUESS_MS);
    this.until = Math.max(this.until, this.clock.now() + Math.min(wait, MAX_WAIT_MS));
    return wait;
  }

  /** A request went through: the next refusal without Retry-After starts from the first guess again. */
  accepted(): void {
    this.guesses = 0;
  }

  get closedUntil(): number | undefined {
    return this.until > this.clock.now() ? this.until : undefined;
  }

  /** Wait while the gate is closed (in steps of at most a second, so a shutdown is not held up). */
  async pass(shouldStop?: () => boolean): Promise<void> {
    for (;;) {
      const left = this.until - this.clock.now();
      if (left <= 0 || shouldStop?.()) return;
      const step = Math.min(left, 1000);
      this.waitedMs += step;
      await this.clock.sleep(step);
    }
  }
}

/** The store's network calls, each waiting at the gate first; a 429 closes the gate and is reported. */
const GATED = new Set(["catalogPage", "tagsPage", "listTags", "getManifest", "headManifest", "getBlob", "referrers", "orasDraftReferrers"]);

export function isRateLimited(err: unknown): err is { retryAfterSeconds?: number } {
  // By code, not class: the error may come from another copy of the module (a separate server bundle).
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === "TOO_MANY_REQUESTS";
}

export function gatedStore(store: Store, gate: RateLimitGate, onRefused: (err: Error) => void, shouldStop?: () => boolean): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function" || !GATED.has(prop as string)) return typeof value === "function" ? value.bind(target) : value;
      return async (...args: unknown[]) => {
        // No await when the gate is open: a request is sent in the same turn that found it open, never after a refusal.
        if (gate.closedUntil !== undefined) await gate.pass(shouldStop);
        try {
          const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          gate.accepted();
          return result;
        } catch (err) {
          if (isRateLimited(err)) {
            gate.refused(err.retryAfterSeconds);
            onRefused(err as Error);
          }
          throw err;
        }
      };
    },
  });
}
