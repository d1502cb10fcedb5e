import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.js';

/** A fixed window's count for one key. */
export interface RateWindow {
  count: number;
  /** Unix seconds the window started. */
  windowStart: number;
}

/**
 * Fixed-window counters kept where every instance sees them: the database (this store) or Redis
 * (src/server/browser/redis-rate-limits.ts). One statement a hit, so two instances counting at
 * once never lose a count.
 */
export interface RateLimitStore {
  /** Counts one event for `key`, starting a new window when the last one ended; returns the window after. */
  hit(key: string, windowSeconds: number, now: number): Promise<RateWindow>;
  /** The current window of `key`; undefined when none is open at `now`. */
  peek(key: string, now: number): Promise<RateWindow | undefined>;
  /** Forgets `key`. */
  reset(key: string): Promise<void>;
  /** Forgets every key that starts with `prefix` (a login after success, `users unlock`); returns how many. */
  resetPrefix(prefix: string): Promise<number>;
  /** Deletes windows that ended before `now`. */
  sweep(now: number): Promise<number>;
}

/** `LIKE` with `\` as the escape character: a username with `%` or `_` matches only itself. */
function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export function createRateLimitStore(db: Kysely<Database>): RateLimitStore {
  return {
    async hit(key, windowSeconds, now) {
      // One upsert: a window that has ended restarts at 1, an open one counts up. Both dialects
      // lock the row for the statement, so concurrent hits from several instances each count.
      const row = await db
        .insertInto('rate_limits')
        .values({ key, window_start: now, count: 1, expires_at: now + windowSeconds })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet({
            count: sql<number>`case when rate_limits.expires_at <= ${now} then 1 else rate_limits.count + 1 end`,
            window_start: sql<number>`case when rate_limits.expires_at <= ${now} then ${now} else rate_limits.window_start end`,
            expires_at: sql<number>`case when rate_limits.expires_at <= ${now} then ${now + windowSeconds} else rate_limits.expires_at end`,
          }),
        )
        .returning(['count', 'window_start'])
        .executeTakeFirstOrThrow();
      return { count: Number(row.count), windowStart: Number(row.window_start) };
    },
    async peek(key, now) {
      const row = await db.selectFrom('rate_limits').select(['count', 'window_start']).where('key', '=', key).where('expires_at', '>', now).executeTakeFirst();
      return row === undefined ? undefined : { count: Number(row.count), windowStart: Number(row.window_start) };
    },
    async reset(key) {
      await db.deleteFrom('rate_limits').where('key', '=', key).execute();
    },
    async resetPrefix(prefix) {
      const result = await db
        .deleteFrom('rate_limits')
        .where(sql<boolean>`key like ${likePrefix(prefix)} escape '\\'`)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    async sweep(now) {
      const result = await db.deleteFrom('rate_limits').where('expires_at', '<=', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
