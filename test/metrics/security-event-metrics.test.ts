import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { createSecurityEventMetrics } from '../../src/metrics/security-event-metrics.js';
import type { SecurityEventDetail, SecurityEventRecord, SecurityEventType } from '../../src/store/security-event-store.js';
import { parseExposition, sampleValue } from './metrics-stack.js';

function record(type: SecurityEventType, detail: SecurityEventDetail = {}): SecurityEventRecord {
  return { id: 'x', at: 0, type, userId: 'user-secret-id', clientId: 'client-secret-id', address: '127.0.0.1', outcome: 'refused', detail };
}

describe('security event metrics', () => {
  it('count each event type, its own counter, and the families a replay or a reuse revoked', async () => {
    const registry = new Registry();
    const count = createSecurityEventMetrics(registry);
    count(record('code_replayed', { families_revoked: 3 }));
    count(record('refresh_reused'));
    count(record('refresh_reused', { families_revoked: 'many' }));
    count(record('pkce_failed', { families_revoked: 5 }));
    count(record('login_locked'));
    count(record('key_rotated'));
    const text = await registry.metrics();
    const exposition = parseExposition(text);
    assert.equal(sampleValue(exposition, 'portcullis_code_replays_total'), 1);
    assert.equal(sampleValue(exposition, 'portcullis_refresh_token_reuse_total'), 2);
    // 3 from the replay's detail, 1 for each reuse without a usable count; a PKCE failure revokes no family.
    assert.equal(sampleValue(exposition, 'portcullis_token_families_revoked_total'), 5);
    assert.equal(sampleValue(exposition, 'portcullis_pkce_failures_total'), 1);
    assert.equal(sampleValue(exposition, 'portcullis_logins_rate_limited_total'), 1);
    assert.equal(sampleValue(exposition, 'portcullis_logins_failed_total'), 0);
    assert.equal(sampleValue(exposition, 'portcullis_security_events_total', { type: 'key_rotated' }), 1);
    assert.equal(sampleValue(exposition, 'portcullis_security_events_total', { type: 'user_unlocked' }), 0, 'every type has a series from the start');
    assert.ok(!text.includes('secret-id'), 'no user or client in the metrics');
  });
});
