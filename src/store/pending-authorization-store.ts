import type { Kysely, Selectable } from 'kysely';
import type { AuthorizationRequestsTable, Database } from './schema.js';
import type { PendingAuthorizationRecord, PendingAuthorizationStore } from './types.js';

function toRecord(row: Selectable<AuthorizationRequestsTable>): PendingAuthorizationRecord {
  return { idHash: row.id_hash, clientId: row.client_id, params: row.params, createdAt: row.created_at, expiresAt: row.expires_at };
}

export function createPendingAuthorizationStore(db: Kysely<Database>): PendingAuthorizationStore {
  return {
    async create(record) {
      await db
        .insertInto('authorization_requests')
        .values({ id_hash: record.idHash, client_id: record.clientId, params: record.params, created_at: record.createdAt, expires_at: record.expiresAt })
        .execute();
    },
    async find(idHash, now) {
      const row = await db.selectFrom('authorization_requests').selectAll().where('id_hash', '=', idHash).where('expires_at', '>', now).executeTakeFirst();
      return row === undefined ? undefined : toRecord(row);
    },
    async take(idHash, now) {
      const row = await db.deleteFrom('authorization_requests').where('id_hash', '=', idHash).returningAll().executeTakeFirst();
      return row === undefined || row.expires_at <= now ? undefined : toRecord(row);
    },
  };
}
