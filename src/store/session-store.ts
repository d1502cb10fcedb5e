import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { SessionStore } from './types.js';

export function createSessionStore(db: Kysely<Database>): SessionStore {
  return {
    async create(session) {
      await db
        .insertInto('sessions')
        .values({ id_hash: session.idHash, user_id: session.userId, created_at: session.createdAt, expires_at: session.expiresAt })
        .execute();
    },
    async find(idHash, now) {
      const row = await db.selectFrom('sessions').selectAll().where('id_hash', '=', idHash).where('expires_at', '>', now).executeTakeFirst();
      return row === undefined ? undefined : { idHash: row.id_hash, userId: row.user_id, createdAt: row.created_at, expiresAt: row.expires_at };
    },
    async remove(idHash) {
      await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
    },
  };
}
