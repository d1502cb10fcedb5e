import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cachedReadinessCheck } from '../../src/server/endpoints/health.js';

describe('a cached readiness check', () => {
  it('runs once for concurrent callers, reuses its result for the period, then runs again', async () => {
    let now = 0;
    let runs = 0;
    let answer: string | undefined = 'ECONNREFUSED';
    const check = cachedReadinessCheck(
      async () => {
        runs += 1;
        return answer;
      },
      5,
      () => now,
    );
    assert.deepEqual(await Promise.all([check(), check(), check()]), ['ECONNREFUSED', 'ECONNREFUSED', 'ECONNREFUSED']);
    assert.equal(runs, 1);
    answer = undefined;
    now = 4_999;
    assert.equal(await check(), 'ECONNREFUSED', 'still the cached result');
    assert.equal(runs, 1);
    now = 5_001;
    assert.equal(await check(), undefined, 'run again after the period');
    assert.equal(runs, 2);
  });

  it('turns a check that throws into its reason, not a crash', async () => {
    const check = cachedReadinessCheck(async () => {
      throw new Error('probe broke');
    });
    assert.equal(await check(), 'probe broke');
  });
});
