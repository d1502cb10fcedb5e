import { OAuthError } from '../../core/errors.js';
import type { RateLimitStore } from '../../store/rate-limit-store.js';
import { type Clock, nowSeconds } from '../clock.js';

/** What a limiter says of a key before the event is counted. */
export interface RateDecision {
  allowed: boolean;
  /** Seconds until `key` is allowed again; 0 when allowed. */
  retryAfterSeconds: number;
}

/**
 * A fixed-window limit per key, counted where every instance sees it (the database, or Redis when
 * configured: {@link RateLimitStore}), so N instances behind a load balancer allow what one
 * would, not N times as much. Keys are namespaced by `name`: `login-user:alice\n203.0.113.7`.
 */
export interface RateLimiter {
  /** Whether `key` is still under the limit (does not count). */
  check(key: string): Promise<RateDecision>;
  /** Counts one event for `key`. */
  hit(key: string): Promise<void>;
  /**
   * Counts one event and says whether it was within the limit, in one atomic step: of any number
   * of concurrent callers on any number of instances, exactly `limit` per window are allowed
   * (a `check` then a `hit` would let a burst through between the two).
   */
  take(key: string): Promise<RateDecision>;
  /** Forgets `key` (after a successful login). */
  reset(key: string): Promise<void>;
}

export interface RateLimiterOptions {
  /** The namespace of this limiter's keys, e.g. `login-user`. */
  name: string;
  limit: number;
  windowSeconds: number;
  windows: RateLimitStore;
  clock: Clock;
}

/**
 * Where the counts are kept cannot be reached (Redis or the database is down): the request is
 * refused as "try again shortly" (503), never let through uncounted and never a 500.
 */
async function counted<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new OAuthError('temporarily_unavailable', 'The service is busy; try again shortly.', { detail: `rate limits unavailable: ${String(error)}` });
  }
}

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { limit, windowSeconds, clock } = options;
  const windows: RateLimitStore = {
    hit: (key, seconds, now) => counted(() => options.windows.hit(key, seconds, now)),
    peek: (key, now) => counted(() => options.windows.peek(key, now)),
    reset: (key) => counted(() => options.windows.reset(key)),
    resetPrefix: (prefix) => counted(() => options.windows.resetPrefix(prefix)),
    sweep: (now) => counted(() => options.windows.sweep(now)),
  };
  const keyOf = (key: string) => `${options.name}:${key}`;
  return {
    async check(key) {
      const now = nowSeconds(clock);
      const window = await windows.peek(keyOf(key), now);
      if (window === undefined || window.count < limit) return { allowed: true, retryAfterSeconds: 0 };
      return { allowed: false, retryAfterSeconds: Math.max(1, window.windowStart + windowSeconds - now) };
    },
    async hit(key) {
      await windows.hit(keyOf(key), windowSeconds, nowSeconds(clock));
    },
    async take(key) {
      const now = nowSeconds(clock);
      const window = await windows.hit(keyOf(key), windowSeconds, now);
      if (window.count <= limit) return { allowed: true, retryAfterSeconds: 0 };
      return { allowed: false, retryAfterSeconds: Math.max(1, window.windowStart + windowSeconds - now) };
    },
    async reset(key) {
      await windows.reset(keyOf(key));
    },
  };
}
