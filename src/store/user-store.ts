import type { Kysely, Selectable } from 'kysely';
import type { Database, UsersTable } from './schema.js';
import { UniqueViolation, type UserRecord, type UserStore } from './types.js';
import { isUniqueViolation } from './unique-violation.js';

function toRecord(row: Selectable<UsersTable>): UserRecord {
  return { id: row.id, username: row.username, passwordHash: row.password_hash, createdAt: row.created_at };
}

export function createUserStore(db: Kysely<Database>): UserStore {
  return {
    async create(user) {
      try {
        await db.insertInto('users').values({ id: user.id, username: user.username, password_hash: user.passwordHash, created_at: user.createdAt }).execute();
      } catch (error) {
        if (isUniqueViolation(error)) throw new UniqueViolation(`user ${user.username}`);
        throw error;
      }
    },
    async findByUsername(username) {
      const row = await db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
      return row === undefined ? undefined : toRecord(row);
    },
    async findById(id) {
      const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : toRecord(row);
    },
    async list() {
      const rows = await db.selectFrom('users').selectAll().orderBy('username').execute();
      return rows.map(toRecord);
    },
    async setPasswordHash(username, passwordHash) {
      return db.transaction().execute(async (trx) => {
        const user = await trx.updateTable('users').set({ password_hash: passwordHash }).where('username', '=', username).returning('id').executeTakeFirst();
        if (user === undefined) return false;
        await trx.deleteFrom('sessions').where('user_id', '=', user.id).execute();
        return true;
      });
    },
    async remove(username, now) {
      return db.transaction().execute(async (trx) => {
        // Write first: a SQLite transaction that reads first cannot take the write lock once another
        // connection has committed (SQLITE_BUSY_SNAPSHOT, which busy_timeout does not retry).
        const user = await trx.deleteFrom('users').where('username', '=', username).returning('id').executeTakeFirst();
        if (user === undefined) return false;
        await trx.updateTable('grants').set({ revoked_at: now }).where('user_id', '=', user.id).where('revoked_at', 'is', null).execute();
        await trx.deleteFrom('sessions').where('user_id', '=', user.id).execute();
        await trx.deleteFrom('consents').where('user_id', '=', user.id).execute();
        await trx.deleteFrom('authorization_codes').where('user_id', '=', user.id).execute();
        // The upstream account may sign in again later: as a new user, with no consents.
        await trx.deleteFrom('federated_identities').where('user_id', '=', user.id).execute();
        return true;
      });
    },
  };
}
