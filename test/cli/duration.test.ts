import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDuration, requireDuration } from '../../src/cli/duration.js';
import { CliError } from '../../src/cli/output.js';

describe('CLI durations', () => {
  it('reads a whole number and one unit as seconds', () => {
    assert.equal(parseDuration('45s'), 45);
    assert.equal(parseDuration('90m'), 5400);
    assert.equal(parseDuration('12h'), 43_200);
    assert.equal(parseDuration('30d'), 2_592_000);
    assert.equal(parseDuration('2w'), 1_209_600);
    assert.equal(parseDuration(' 1h '), 3600);
  });

  it('refuses anything else', () => {
    for (const text of ['', '30', 'd', '1.5h', '-1h', '+1h', '0d', '1h30m', '1 h', '1H', '1y', '30days', 'Infinityd', '1e3s', '36501d', '99999999999s']) {
      assert.equal(parseDuration(text), undefined, text);
    }
    assert.equal(parseDuration('36500d'), 36_500 * 86_400);
  });

  it('names the option in its error', () => {
    assert.equal(requireDuration('30d', '--unused-for'), 2_592_000);
    assert.throws(
      () => requireDuration('soon', '--since'),
      (error: unknown) => error instanceof CliError && /^--since takes a duration such as 30d/.test(error.message) && error.message.includes('"soon"'),
    );
  });
});
