import type { Kysely, Selectable } from 'kysely';
import { randomIdentifier } from '../core/secrets.js';
import type { Database, SecurityEventsTable } from './schema.js';

/**
 * What the security event trail records (issue 15; docs/operations.md). Each type is one thing an
 * operator or an incident responder asks about.
 */
export const SECURITY_EVENT_TYPES = [
  /** A spent authorization code presented again: the grant it started is revoked (RFC 9700 §4.5.3). */
  'code_replayed',
  /** A spent refresh token presented again: the whole family is revoked (RFC 9700 §4.14.2). */
  'refresh_reused',
  /** A code_verifier that does not match the challenge; the code is burnt (RFC 7636 §4.6). */
  'pkce_failed',
  'login_failed',
  /** A login refused because of too many failures for the user or the address. */
  'login_locked',
  'consent_granted',
  'consent_revoked',
  'client_registered',
  'client_removed',
  'grant_revoked',
  'key_rotated',
  'upstream_login_failed',
  'user_unlocked',
] as const;

export type SecurityEventType = (typeof SECURITY_EVENT_TYPES)[number];

/** Ids, counts and short words only: never a token, code, secret or password. */
export type SecurityEventDetail = Readonly<Record<string, string | number | boolean>>;

export interface SecurityEventRecord {
  /** Unique; within one second, later ids were (mostly) recorded later. */
  id: string;
  /** Unix seconds. */
  at: number;
  type: SecurityEventType;
  userId: string | null;
  clientId: string | null;
  address: string | null;
  /** What the server did: `refused`, `revoked`, `locked`, `granted`, `removed`, `rotated`, … */
  outcome: string;
  detail: SecurityEventDetail;
}

export interface SecurityEventFilter {
  /** Unix seconds: events at or after. */
  since?: number;
  type?: SecurityEventType;
  userId?: string;
  clientId?: string;
  /** Newest first, at most this many (default 1,000). */
  limit?: number;
}

export interface SecurityEventStore {
  add(event: Omit<SecurityEventRecord, 'id'>): Promise<SecurityEventRecord>;
  /** Newest first. */
  list(filter: SecurityEventFilter): Promise<SecurityEventRecord[]>;
  /** Deletes events recorded before `before`; returns how many. */
  sweep(before: number): Promise<number>;
}

const TYPES: ReadonlySet<string> = new Set(SECURITY_EVENT_TYPES);

function toRecord(row: Selectable<SecurityEventsTable>): SecurityEventRecord | undefined {
  if (!TYPES.has(row.type)) return undefined;
  let detail: SecurityEventDetail = {};
  try {
    const parsed: unknown = JSON.parse(row.detail);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) detail = parsed as SecurityEventDetail;
  } catch {
    // A detail that does not parse is shown as none; the event itself still counts.
  }
  return {
    id: row.id,
    at: row.at,
    type: row.type as SecurityEventType,
    userId: row.user_id,
    clientId: row.client_id,
    address: row.address,
    outcome: row.outcome,
    detail,
  };
}

/** Base-36 milliseconds padded to a fixed width, then randomness: ids sort by time. */
function timeOrderedId(nowMs: number): string {
  return `${Math.floor(nowMs).toString(36).padStart(9, '0')}${randomIdentifier(8)}`;
}

export function createSecurityEventStore(db: Kysely<Database>, nowMs: () => number = Date.now): SecurityEventStore {
  return {
    async add(event) {
      const record: SecurityEventRecord = { id: timeOrderedId(nowMs()), ...event };
      await db
        .insertInto('security_events')
        .values({
          id: record.id,
          at: record.at,
          type: record.type,
          user_id: record.userId,
          client_id: record.clientId,
          address: record.address,
          outcome: record.outcome,
          detail: JSON.stringify(record.detail),
        })
        .execute();
      return record;
    },
    async list(filter) {
      let query = db.selectFrom('security_events').selectAll();
      if (filter.since !== undefined) query = query.where('at', '>=', filter.since);
      if (filter.type !== undefined) query = query.where('type', '=', filter.type);
      if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId);
      if (filter.clientId !== undefined) query = query.where('client_id', '=', filter.clientId);
      const rows = await query
        .orderBy('at', 'desc')
        .orderBy('id', 'desc')
        .limit(filter.limit ?? 1000)
        .execute();
      return rows.map(toRecord).filter((r) => r !== undefined);
    },
    async sweep(before) {
      const result = await db.deleteFrom('security_events').where('at', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
