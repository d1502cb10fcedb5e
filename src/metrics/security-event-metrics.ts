import { Counter, type Registry } from 'prom-client';
import { SECURITY_EVENT_TYPES, type SecurityEventRecord, type SecurityEventType } from '../store/security-event-store.js';

/** Counts each security event the trail records (src/server/events/security-events.ts takes it as `count`). */
export type SecurityEventMetrics = (record: SecurityEventRecord) => void;

/** The events with a counter of their own, beside `portcullis_security_events_total{type}`. */
const OWN_COUNTERS: Partial<Record<SecurityEventType, { name: string; help: string }>> = {
  code_replayed: { name: 'portcullis_code_replays_total', help: 'Spent authorization codes presented again (RFC 9700 §4.5.3)' },
  refresh_reused: { name: 'portcullis_refresh_token_reuse_total', help: 'Spent refresh tokens presented again (RFC 9700 §4.14.2)' },
  pkce_failed: { name: 'portcullis_pkce_failures_total', help: 'Token requests whose code_verifier did not match the challenge (RFC 7636 §4.6)' },
  login_failed: { name: 'portcullis_logins_failed_total', help: 'Failed logins (wrong name or password)' },
  login_locked: { name: 'portcullis_logins_rate_limited_total', help: 'Logins refused after too many failures for the user or the address' },
  consent_granted: { name: 'portcullis_consents_granted_total', help: 'Clients approved by users on the consent page' },
  consent_revoked: { name: 'portcullis_consents_revoked_total', help: 'Consents revoked' },
  client_registered: { name: 'portcullis_clients_registered_total', help: 'Clients registered (RFC 7591)' },
};

/** Replay and reuse revoke what was issued from them: the families revoked, from the event's detail (1 when it does not say). */
const REVOKING: ReadonlySet<SecurityEventType> = new Set(['code_replayed', 'refresh_reused']);

export function createSecurityEventMetrics(registry: Registry): SecurityEventMetrics {
  const all = new Counter({
    name: 'portcullis_security_events_total',
    help: 'Security events recorded, by type (docs/operations.md)',
    labelNames: ['type'],
    registers: [registry],
  });
  const byType = new Map<SecurityEventType, Counter>();
  for (const [type, { name, help }] of Object.entries(OWN_COUNTERS) as [SecurityEventType, { name: string; help: string }][]) {
    byType.set(type, new Counter({ name, help, registers: [registry] }));
  }
  const familiesRevoked = new Counter({
    name: 'portcullis_token_families_revoked_total',
    help: 'Token families (grants) revoked because a code was replayed or a refresh token reused',
    registers: [registry],
  });
  // Every type has its series from the start, so a rate over a quiet period reads 0, not nothing.
  for (const type of SECURITY_EVENT_TYPES) all.inc({ type }, 0);
  return (record) => {
    all.inc({ type: record.type });
    byType.get(record.type)?.inc();
    if (REVOKING.has(record.type)) {
      const revoked = record.detail['families_revoked'];
      familiesRevoked.inc(typeof revoked === 'number' && Number.isFinite(revoked) && revoked >= 0 ? revoked : 1);
    }
  };
}
