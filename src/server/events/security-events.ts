import type { Logger } from 'pino';
import type { SecurityEventDetail, SecurityEventRecord, SecurityEventStore, SecurityEventType } from '../../store/security-event-store.js';
import { type Clock, nowSeconds, systemClock } from '../clock.js';

/** One security event as a handler reports it; the recorder adds the time. */
export interface SecurityEventInput {
  type: SecurityEventType;
  /** The local user's id, when known (a failed login for an unknown name has none: the name typed may be a password). */
  userId?: string | null;
  clientId?: string | null;
  address?: string | null;
  outcome: string;
  detail?: SecurityEventDetail;
}

/** Where counted events also go: the metrics (src/metrics/security-event-metrics.ts), without this file knowing them. */
export type SecurityEventCounter = (event: SecurityEventRecord) => void;

/** Records security events: a database row, one structured log line, and the metrics. */
export interface SecurityEvents {
  /**
   * Records the event. Never throws: a trail that cannot be written is logged as an error, and the
   * request that caused it is answered as it would have been (the log line still holds the event).
   */
  record(event: SecurityEventInput): Promise<void>;
}

/** Events that are attacks or their symptoms: logged at warn. The rest are the normal course of things, at info. */
const WARNINGS: ReadonlySet<SecurityEventType> = new Set(['code_replayed', 'refresh_reused', 'pkce_failed', 'login_locked', 'upstream_login_failed']);

const MESSAGES: Readonly<Record<SecurityEventType, string>> = {
  code_replayed: 'authorization code replayed; grant revoked',
  refresh_reused: 'spent refresh token reused; grant revoked',
  pkce_failed: 'PKCE verification failed; code burnt',
  login_failed: 'login failed',
  login_locked: 'login refused: too many failed attempts',
  consent_granted: 'user approved client',
  consent_revoked: 'consent revoked',
  client_registered: 'client registered',
  client_removed: 'client removed',
  grant_revoked: 'grant revoked',
  key_rotated: 'signing key rotated',
  upstream_login_failed: 'sign-in at the upstream identity provider failed',
  user_unlocked: 'user unlocked',
};

export function createSecurityEvents(options: { store: SecurityEventStore; logger: Logger; clock?: Clock; count?: SecurityEventCounter }): SecurityEvents {
  const { store, logger } = options;
  const clock = options.clock ?? systemClock;
  return {
    async record(input) {
      const event: Omit<SecurityEventRecord, 'id'> = {
        at: nowSeconds(clock),
        type: input.type,
        userId: input.userId ?? null,
        clientId: input.clientId ?? null,
        address: input.address ?? null,
        outcome: input.outcome,
        detail: input.detail ?? {},
      };
      const line = {
        event: event.type,
        security: true,
        outcome: event.outcome,
        ...(event.userId !== null ? { user_id: event.userId } : {}),
        ...(event.clientId !== null ? { client_id: event.clientId } : {}),
        ...(event.address !== null ? { address: event.address } : {}),
        ...event.detail,
      };
      if (WARNINGS.has(event.type)) logger.warn(line, MESSAGES[event.type]);
      else logger.info(line, MESSAGES[event.type]);
      let record: SecurityEventRecord;
      try {
        record = await store.add(event);
      } catch (error) {
        logger.error({ event: 'security_event_not_stored', type: event.type, detail: String(error) }, 'a security event could not be stored');
        record = { id: '', ...event };
      }
      options.count?.(record);
    },
  };
}
