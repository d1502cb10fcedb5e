import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silentLogger } from '../../src/server/logger.js';
import { startSweeper } from '../../src/server/sweeper.js';
import { TestClock } from '../support/clock.js';

const T0_MS = 1_750_000_000_500;
const waitMs = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the sweeper', () => {
  it("sweeps with the clock's time in seconds, then revokes upstream, every interval until stopped", async () => {
    const swept: number[] = [];
    let afterSweeps = 0;
    const store = {
      sweep: async (now: number) => {
        swept.push(now);
        return 0;
      },
    };
    const stop = startSweeper(store, new TestClock(T0_MS), silentLogger, 5, () => afterSweeps++);
    await waitMs(60);
    stop();
    const runs = swept.length;
    assert.ok(runs >= 2, `swept ${runs} times`);
    assert.deepEqual(new Set(swept), new Set([Math.floor(T0_MS / 1000)]));
    assert.equal(afterSweeps, runs);
    await waitMs(30);
    assert.equal(swept.length, runs, 'no sweep after stop');
  });

  it('keeps going when a sweep fails', async () => {
    let calls = 0;
    const store = {
      sweep: async () => {
        calls++;
        throw new Error('database is locked');
      },
    };
    const stop = startSweeper(store, new TestClock(T0_MS), silentLogger, 5, () => {});
    await waitMs(60);
    stop();
    assert.ok(calls >= 2, `tried ${calls} times`);
  });

  it('starts nothing when the interval is false', async () => {
    let calls = 0;
    const sweep = async () => {
      calls++;
      return 0;
    };
    const stop = startSweeper({ sweep }, new TestClock(T0_MS), silentLogger, false, () => calls++);
    await waitMs(20);
    stop();
    assert.equal(calls, 0);
  });
});
