/**
 * Slows password guessing: failed sign-ins are counted per user name and per
 * client address. After `freeAttempts` failures each further try must wait,
 * twice as long each time (2 s, 4 s, 8 s … up to `maxDelaySeconds`); while a
 * key waits, a try is refused without the password being checked. A success
 * clears the user's count (not the address's: one right password does not
 * excuse a thousand wrong ones for other users from the same place).
 *
 * In memory, per server process: enough for one instance; several instances
 * behind a balancer each count on their own.
 */

export interface ThrottleOptions {
  freeAttempts: number;
  maxDelaySeconds: number;
  /** Keys remembered at most (oldest forgotten first), so that guessing cannot fill the memory. */
  maxKeys?: number;
  now?: () => number;
}

export type ThrottleVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number; key: string };

interface Failures {
  count: number;
  /** No try before this time (ms). */
  until: number;
  last: number;
}

const FORGET_AFTER_MS = 24 * 3600 * 1000;

export class SignInThrottle {
  private readonly failures = new Map<string, Failures>();
  private readonly now: () => number;
  private readonly maxKeys: number;

  constructor(private readonly options: ThrottleOptions) {
    this.now = options.now ?? Date.now;
    this.maxKeys = options.maxKeys ?? 100_000;
  }

  /** May a try with these keys (user name, client address) go ahead now? */
  check(keys: string[]): ThrottleVerdict {
    const now = this.now();
    let worst: ThrottleVerdict = { allowed: true };
    for (const key of keys) {
      const f = this.get(key, now);
      if (f && f.until > now) {
        const retryAfterSeconds = Math.ceil((f.until - now) / 1000);
        if (worst.allowed || retryAfterSeconds > worst.retryAfterSeconds) worst = { allowed: false, retryAfterSeconds, key };
      }
    }
    return worst;
  }

  /** A wrong password: count it against every key. */
  fail(keys: string[]): void {
    const now = this.now();
    for (const key of keys) {
      const f = this.get(key, now) ?? { count: 0, until: 0, last: now };
      f.count += 1;
      f.last = now;
      const over = f.count - this.options.freeAttempts;
      if (over > 0) f.until = now + Math.min(this.options.maxDelaySeconds, 2 ** over) * 1000;
      this.failures.delete(key); // re-insert: the map's order is the order of last use
      this.failures.set(key, f);
    }
    while (this.failures.size > this.maxKeys) this.failures.delete(this.failures.keys().next().value!);
  }

  /** A right password: the user's count starts afresh. */
  succeed(key: string): void {
    this.failures.delete(key);
  }

  private get(key: string, now: number): Failures | undefined {
    const f = this.failures.get(key);
    if (f && now - f.last > FORGET_AFTER_MS && f.until <= now) {
      this.failures.delete(key);
      return undefined;
    }
    return f;
  }
}

/** "try again in 8 seconds" / "in 4 minutes" */
export function waitInWords(seconds: number): string {
  if (seconds < 90) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minutes`;
}
