import type { Kysely, Selectable } from 'kysely';
import { formatScope } from '../core/scopes.js';
import type { ConsentsTable, Database } from './schema.js';
import type { ConsentRecord, ConsentStore } from './types.js';

function toRecord(row: Selectable<ConsentsTable>): ConsentRecord {
  return { userId: row.user_id, clientId: row.client_id, scope: row.scope.split(' ').filter(Boolean), createdAt: row.created_at, updatedAt: row.updated_at };
}

export function createConsentStore(db: Kysely<Database>): ConsentStore {
  return {
    async find(userId, clientId) {
      const row = await db.selectFrom('consents').selectAll().where('user_id', '=', userId).where('client_id', '=', clientId).executeTakeFirst();
      return row === undefined ? undefined : toRecord(row);
    },
    async grant(userId, clientId, scope, now) {
      await db.transaction().execute(async (trx) => {
        // Write first, then read: the upsert locks the row (PostgreSQL) or takes the write lock
        // (SQLite), so concurrent grants queue up and each reads the scopes the last one stored.
        await trx
          .insertInto('consents')
          .values({ user_id: userId, client_id: clientId, scope: '', created_at: now, updated_at: now })
          .onConflict((oc) => oc.columns(['user_id', 'client_id']).doUpdateSet({ updated_at: now }))
          .execute();
        const existing = await trx
          .selectFrom('consents')
          .select('scope')
          .where('user_id', '=', userId)
          .where('client_id', '=', clientId)
          .executeTakeFirstOrThrow();
        const union = formatScope([...existing.scope.split(' ').filter(Boolean), ...scope]);
        await trx.updateTable('consents').set({ scope: union }).where('user_id', '=', userId).where('client_id', '=', clientId).execute();
      });
    },
    async listForUser(userId) {
      const rows = await db.selectFrom('consents').selectAll().where('user_id', '=', userId).orderBy('client_id').execute();
      return rows.map(toRecord);
    },
    async revoke(userId, clientId, now) {
      return db.transaction().execute(async (trx) => {
        await trx
          .updateTable('grants')
          .set({ revoked_at: now })
          .where('user_id', '=', userId)
          .where('client_id', '=', clientId)
          .where('revoked_at', 'is', null)
          .execute();
        const result = await trx.deleteFrom('consents').where('user_id', '=', userId).where('client_id', '=', clientId).executeTakeFirst();
        return result.numDeletedRows > 0n;
      });
    },
  };
}
