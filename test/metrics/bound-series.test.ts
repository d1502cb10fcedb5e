import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { BoundCounter, BoundHistogram } from '../../src/metrics/bound-series.js';
import { parseExposition, sampleValue } from './metrics-stack.js';

describe('bound metric families', () => {
  it('expose counters as prom-client does, one series per bound label set', async () => {
    const registry = new Registry();
    const counter = new BoundCounter('portcullis_test_total', 'A test counter', ['endpoint', 'status'], registry);
    const ok = counter.bind({ endpoint: 'token', status: '200' });
    ok.inc();
    ok.inc(2);
    counter.bind({ endpoint: 'token', status: '400' }).inc();
    assert.equal(counter.bind({ endpoint: 'token', status: '200' }), ok, 'the same labels bind the same cell');
    const exposition = parseExposition(await registry.metrics());
    assert.equal(exposition.types.get('portcullis_test_total'), 'counter');
    assert.equal(sampleValue(exposition, 'portcullis_test_total', { endpoint: 'token', status: '200' }), 3);
    assert.equal(sampleValue(exposition, 'portcullis_test_total', { endpoint: 'token', status: '400' }), 1);
  });

  it('expose histograms with cumulative buckets, +Inf, _sum and _count', async () => {
    const registry = new Registry();
    const cell = new BoundHistogram('portcullis_test_seconds', 'A test histogram', ['endpoint'], [0.01, 0.001, 0.1], registry).bind({ endpoint: 'mcp' });
    for (const seconds of [0.0005, 0.001, 0.005, 0.05, 3]) cell.observe(seconds);
    const exposition = parseExposition(await registry.metrics());
    assert.equal(exposition.types.get('portcullis_test_seconds'), 'histogram');
    const bucket = (le: string) => sampleValue(exposition, 'portcullis_test_seconds_bucket', { endpoint: 'mcp', le });
    // A value on a bound falls in that bucket (le is "less than or equal").
    assert.deepEqual(['0.001', '0.01', '0.1', '+Inf'].map(bucket), [2, 3, 4, 5]);
    assert.equal(sampleValue(exposition, 'portcullis_test_seconds_count', { endpoint: 'mcp' }), 5);
    assert.ok(Math.abs(sampleValue(exposition, 'portcullis_test_seconds_sum', { endpoint: 'mcp' })! - 3.0565) < 1e-9, 'the sum of the values');
  });

  it('refuse a second family of the same name in one registry, and allow it in another', () => {
    const registry = new Registry();
    new BoundCounter('portcullis_twice_total', 'once', [], registry);
    assert.throws(() => new BoundCounter('portcullis_twice_total', 'twice', [], registry), /already been registered/);
    new BoundCounter('portcullis_twice_total', 'elsewhere', [], new Registry());
  });
});
