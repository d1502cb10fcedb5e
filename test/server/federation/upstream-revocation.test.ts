import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { createUpstreamRevocationScheduler } from '../../../src/server/federation/upstream-revocation.js';
import { silentLogger } from '../../../src/server/logger.js';

/** A run that waits until the test lets it finish. */
function gatedRuns() {
  const releases: (() => void)[] = [];
  let started = 0;
  return {
    run: () => {
      started++;
      return new Promise<void>((resolve) => releases.push(resolve));
    },
    started: () => started,
    finishOne: async () => {
      releases.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

describe('upstream revocation runs, one at a time', () => {
  it('starts a run at once when none is going', async () => {
    const runs = gatedRuns();
    const grantsEnded = createUpstreamRevocationScheduler(runs.run, silentLogger);
    grantsEnded();
    assert.equal(runs.started(), 1);
    await runs.finishOne();
  });

  it('never runs two at once: calls during a run make it go round exactly once more', async () => {
    const runs = gatedRuns();
    const grantsEnded = createUpstreamRevocationScheduler(runs.run, silentLogger);
    grantsEnded();
    grantsEnded();
    grantsEnded();
    assert.equal(runs.started(), 1, 'no second run while the first goes');
    await runs.finishOne();
    assert.equal(runs.started(), 2, 'one more round for the calls made during the run');
    await runs.finishOne();
    assert.equal(runs.started(), 2, 'and no more');
    grantsEnded();
    assert.equal(runs.started(), 3, 'a later call starts a new run');
    await runs.finishOne();
  });

  it('logs a failed run instead of throwing, and runs again on the next call', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => lines.push(line) });
    let calls = 0;
    const grantsEnded = createUpstreamRevocationScheduler(async () => {
      calls++;
      throw new Error('provider down');
    }, logger);
    grantsEnded();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(lines.length, 1);
    assert.equal(JSON.parse(lines[0] ?? '{}').event, 'upstream_revoke_run_failed');
    grantsEnded();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(calls, 2);
  });
});
