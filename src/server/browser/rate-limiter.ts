import type { Clock } from '../clock.js';

/**
 * A fixed-window counter per key, in memory. Per process: behind a load balancer each instance
 * counts on its own, so the effective limit is the limit times the number of instances.
 */
export interface RateLimiter {
  /** Whether `key` is still under the limit (does not count). */
  isAllowed(key: string): boolean;
  /** Counts one event for `key`. */
  hit(key: string): void;
  /** Forgets `key` (after a successful login). */
  reset(key: string): void;
  /** Seconds until `key` is allowed again; 0 when allowed. */
  retryAfterSeconds(key: string): number;
}

export function createRateLimiter(options: { limit: number; windowSeconds: number; clock: Clock; maxKeys?: number }): RateLimiter {
  const windows = new Map<string, { start: number; count: number }>();
  const windowMs = options.windowSeconds * 1000;
  const maxKeys = options.maxKeys ?? 100_000;

  const current = (key: string) => {
    const entry = windows.get(key);
    if (entry !== undefined && options.clock.now() - entry.start >= windowMs) {
      windows.delete(key);
      return undefined;
    }
    return entry;
  };

  return {
    isAllowed: (key) => (current(key)?.count ?? 0) < options.limit,
    hit(key) {
      const entry = current(key);
      if (entry !== undefined) {
        entry.count += 1;
        return;
      }
      if (windows.size >= maxKeys) windows.delete(windows.keys().next().value!);
      windows.set(key, { start: options.clock.now(), count: 1 });
    },
    reset: (key) => void windows.delete(key),
    retryAfterSeconds(key) {
      const entry = current(key);
      if (entry === undefined || entry.count < options.limit) return 0;
      return Math.max(1, Math.ceil((entry.start + windowMs - options.clock.now()) / 1000));
    },
  };
}
