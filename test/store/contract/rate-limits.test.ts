/**
 * The storage contract on every dialect, and the same contract on Redis: rate-limit windows
 * (src/store/rate-limit-store.ts, src/server/browser/redis-rate-limits.ts) count every hit of
 * concurrent callers on several connections, restart when their window ends, and forget exactly
 * the keys named.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRedisRateLimits, type RedisRateLimits } from '../../../src/server/browser/redis-rate-limits.js';
import type { RateLimitStore } from '../../../src/store/index.js';
import { REDIS_URL, redisSkipReason } from '../../support/redis.js';
import { T0 } from '../../support/store-records.js';
import { describeOnEveryDialect, useFreshStore } from './run-contract.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The part of the contract that holds wherever the windows are kept. `now` is for the database; Redis keeps its own time. */
function definesCounting(windows: () => { one: RateLimitStore; another: RateLimitStore }, prefix: string) {
  it('counts hits in a window and reports its start', async () => {
    const key = `${prefix}count`;
    assert.deepEqual(await windows().one.hit(key, 900, T0), { count: 1, windowStart: T0 });
    assert.deepEqual(await windows().one.hit(key, 900, T0 + 10), { count: 2, windowStart: T0 });
    assert.deepEqual(await windows().one.peek(key, T0 + 20), { count: 2, windowStart: T0 });
    assert.equal(await windows().one.peek(`${prefix}never`, T0), undefined);
  });

  it('loses no hit when two connections count one key at once (exactly 1 … 60 handed out)', async () => {
    const key = `${prefix}race`;
    const counts = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? windows().one : windows().another).hit(key, 900, T0)));
    assert.deepEqual(
      counts.map((w) => w.count).sort((x, y) => x - y),
      Array.from({ length: 60 }, (_, i) => i + 1),
    );
  });

  it('forgets exactly the key reset, and by prefix only keys that start with it (no wildcards)', async () => {
    const keys = [
      `${prefix}login-user:alice\n10.0.0.1`,
      `${prefix}login-user:alice\n10.0.0.12`,
      `${prefix}login-user:alice2\n10.0.0.1`,
      `${prefix}login-user:a_ice\n10.0.0.1`,
      `${prefix}login-user:a*\n10.0.0.1`,
    ];
    for (const key of keys) await windows().one.hit(key, 900, T0);
    await windows().one.reset(keys[0]!);
    assert.equal(await windows().one.peek(keys[0]!, T0), undefined);
    assert.equal((await windows().one.peek(keys[1]!, T0))?.count, 1, 'a longer address is another key');

    assert.equal(await windows().one.resetPrefix(`${prefix}login-user:a_ice\n`), 1);
    assert.equal(await windows().one.resetPrefix(`${prefix}login-user:a*\n`), 1);
    assert.equal((await windows().one.peek(keys[2]!, T0))?.count, 1, '_ and * match only themselves');
    assert.equal(await windows().one.resetPrefix(`${prefix}login-user:alice\n`), 1);
    assert.equal((await windows().one.peek(keys[2]!, T0))?.count, 1, 'alice2 is another user');
  });
}

await describeOnEveryDialect('store contract', (dialect) => {
  describe('rate limits', () => {
    const fresh = useFreshStore(dialect);
    let another: RateLimitStore | undefined;
    before(async () => {
      another = (await fresh.openAnother()).rateLimits;
    });
    definesCounting(() => ({ one: fresh.store.rateLimits, another: another! }), '');

    it('starts a new window once the last one ended, and sweeps ended windows', async () => {
      await fresh.store.rateLimits.hit('window', 60, T0);
      await fresh.store.rateLimits.hit('window', 60, T0 + 59);
      assert.equal(await fresh.store.rateLimits.peek('window', T0 + 60), undefined);
      assert.deepEqual(await fresh.store.rateLimits.hit('window', 60, T0 + 60), { count: 1, windowStart: T0 + 60 });
      await fresh.store.rateLimits.hit('ended', 60, T0);
      assert.ok((await fresh.store.rateLimits.sweep(T0 + 60)) >= 1);
      assert.equal(await fresh.store.rateLimits.peek('ended', T0), undefined, 'swept');
      assert.equal((await fresh.store.rateLimits.peek('window', T0 + 61))?.count, 1, 'an open window stays');
    });
  });
});

describe('rate limits on Redis', { skip: await redisSkipReason() }, () => {
  let one: RedisRateLimits;
  let another: RedisRateLimits;
  const prefix = `test-${process.pid}-${Math.random().toString(36).slice(2, 8)}:`;
  before(() => {
    one = createRedisRateLimits(REDIS_URL);
    another = createRedisRateLimits(REDIS_URL);
  });
  after(async () => {
    await one.resetPrefix(prefix);
    await one.close();
    await another.close();
  });
  definesCounting(() => ({ one, another }), prefix);

  it('lets Redis end the window: the next hit after it starts again at 1', async () => {
    const key = `${prefix}expiring`;
    await one.hit(key, 1, T0);
    await one.hit(key, 1, T0);
    await sleep(1100);
    assert.equal(await one.peek(key, T0), undefined);
    assert.equal((await one.hit(key, 1, T0 + 2)).count, 1);
  });

  it('rejects, rather than allowing, when Redis cannot be reached', async () => {
    const unreachable = createRedisRateLimits('redis://127.0.0.1:1');
    try {
      await assert.rejects(unreachable.hit(`${prefix}x`, 60, T0));
    } finally {
      await unreachable.close();
    }
  });
});
