import { Redis } from 'ioredis';
import type { RateLimitStore, RateWindow } from '../../store/rate-limit-store.js';

/** Every key this server writes starts with this, so a shared Redis can hold other things. */
const NAMESPACE = 'portcullis:rate:';

/**
 * Counts one hit and returns the count with the window's start, in one script (atomic on the
 * server): the first hit of a window sets the start and the expiry together, so a window can
 * never be left without an expiry by a crash between two commands.
 */
const HIT_SCRIPT = `
local count = redis.call('HINCRBY', KEYS[1], 'count', 1)
if count == 1 then
  redis.call('HSET', KEYS[1], 'start', ARGV[1])
  redis.call('EXPIRE', KEYS[1], ARGV[2])
end
return {count, tonumber(redis.call('HGET', KEYS[1], 'start'))}
`;

/** `SCAN MATCH` is a glob: a name holding `*`, `?`, `[` or `\` must match only itself. */
function globPrefix(prefix: string): string {
  return `${prefix.replace(/[*?[\]\\]/g, (c) => `\\${c}`)}*`;
}

export interface RedisRateLimits extends RateLimitStore {
  /** Closes the connection. */
  close(): Promise<void>;
}

/**
 * Rate-limit windows in Redis (config `rateLimits.redis`), for instances that would rather not
 * write a row per failed login to the database. Redis expires each window itself, so `sweep`
 * has nothing to do. A Redis that cannot be reached makes `hit` and `peek` reject: the caller
 * answers 503 rather than letting unlimited guesses through.
 */
export function createRedisRateLimits(url: string): RedisRateLimits {
  const redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 1, enableOfflineQueue: true });
  // Connection errors surface as rejected commands; without a listener ioredis prints each one.
  redis.on('error', () => {});
  const keyOf = (key: string) => `${NAMESPACE}${key}`;
  return {
    async hit(key, windowSeconds, now): Promise<RateWindow> {
      const [count, start] = (await redis.eval(HIT_SCRIPT, 1, keyOf(key), String(now), String(windowSeconds))) as [number, number];
      return { count: Number(count), windowStart: Number(start) };
    },
    async peek(key, _now) {
      const window = await redis.hmget(keyOf(key), 'count', 'start');
      const [count, start] = window;
      if (count === null || count === undefined || start === null || start === undefined) return undefined;
      return { count: Number(count), windowStart: Number(start) };
    },
    async reset(key) {
      await redis.del(keyOf(key));
    },
    async resetPrefix(prefix) {
      let removed = 0;
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', globPrefix(keyOf(prefix)), 'COUNT', 500);
        cursor = next;
        if (keys.length > 0) removed += await redis.del(...keys);
      } while (cursor !== '0');
      return removed;
    },
    async sweep() {
      return 0;
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
