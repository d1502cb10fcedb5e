import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { accessTokenRow, refreshTokenRow, toAccessToken, toGrant, toRefreshToken } from './grant-rows.js';
import type { Database } from './schema.js';
import { createSqliteRefreshRotation } from './sqlite-refresh-rotation.js';
import type { GrantStore } from './types.js';

/**
 * Grants are token families: every refresh and access token names its grant, and a token is
 * live only while its grant is, so revoking a family is one statement.
 */
export function createGrantStore(db: Kysely<Database>, sqlite: BetterSqlite3.Database | null = null): GrantStore {
  // On SQLite the token endpoint's rotation runs as raw prepared statements (see that file).
  const rotateOnSqlite = sqlite === null ? undefined : createSqliteRefreshRotation(sqlite);

  const findGrant = async (id: string) => {
    const row = await db.selectFrom('grants').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toGrant(row);
  };

  return {
    async create(grant) {
      await db
        .insertInto('grants')
        .values({
          id: grant.id,
          client_id: grant.clientId,
          user_id: grant.userId,
          scope: grant.scope.join(' '),
          resource: grant.resource,
          created_at: grant.createdAt,
          revoked_at: grant.revokedAt,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
    },
    find: findGrant,
    async revoke(id, now) {
      await db.updateTable('grants').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).execute();
    },
    async revokeFromCode(code, now) {
      await db
        .insertInto('grants')
        .values({
          id: code.grantId,
          client_id: code.clientId,
          user_id: code.userId,
          scope: code.scope.join(' '),
          resource: code.resource,
          created_at: now,
          revoked_at: now,
        })
        .onConflict((oc) => oc.column('id').doUpdateSet({ revoked_at: now }))
        .execute();
    },
    async revokeForUserAndClient(userId, clientId, now) {
      const result = await db
        .updateTable('grants')
        .set({ revoked_at: now })
        .where('user_id', '=', userId)
        .where('client_id', '=', clientId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
    async listForUser(userId) {
      const rows = await db.selectFrom('grants').selectAll().where('user_id', '=', userId).orderBy('created_at').execute();
      return rows.map(toGrant);
    },

    async addRefreshToken(token) {
      await db.insertInto('refresh_tokens').values(refreshTokenRow(token)).execute();
    },
    async spendRefreshToken(tokenHash, clientId, now, replace) {
      const rotatedOnSqlite = rotateOnSqlite?.(tokenHash, clientId, now, replace);
      if (rotatedOnSqlite !== undefined) return rotatedOnSqlite;
      // One conditional UPDATE … RETURNING decides the winner of concurrent rotations (invariant 5).
      // The grant's revocation is part of the condition, so the winner is decided once, atomically:
      // a loser that revokes the family afterwards cannot take the win back.
      const spend = (executor: Kysely<Database>) =>
        executor
          .updateTable('refresh_tokens')
          .set({ used_at: now })
          .where('token_hash', '=', tokenHash)
          .where('client_id', '=', clientId)
          .where('used_at', 'is', null)
          .where('expires_at', '>', now)
          // Correlated, so the grant is found by its key (an IN list would scan every live grant on SQLite).
          .where(({ exists, selectFrom }) =>
            exists(selectFrom('grants').select('grants.id').whereRef('grants.id', '=', 'refresh_tokens.grant_id').where('grants.revoked_at', 'is', null)),
          )
          .returningAll()
          .executeTakeFirst();
      // Only a spend that stores a replacement needs a transaction. (On SQLite, keep one store per
      // process: two connections in one process cannot wait for each other's transactions.)
      const run = <T>(work: (executor: Kysely<Database>) => Promise<T>) => (replace === undefined ? work(db) : db.transaction().execute(work));
      const rotated = await run(async (trx) => {
        const won = await spend(trx);
        if (won === undefined) return undefined;
        const grantRow = await trx.selectFrom('grants').selectAll().where('id', '=', won.grant_id).executeTakeFirstOrThrow();
        const token = toRefreshToken(won);
        const grant = toGrant(grantRow);
        if (replace !== undefined) {
          // Throwing here rolls the spend back: a refused request loses nothing.
          const { refreshToken } = replace(token, grant);
          if (refreshToken !== null) await trx.insertInto('refresh_tokens').values(refreshTokenRow(refreshToken)).execute();
        }
        return { outcome: 'rotated' as const, token, grant };
      });
      if (rotated !== undefined) return rotated;
      const row = await db.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
      if (row === undefined || row.client_id !== clientId) return { outcome: 'unknown' };
      if (row.used_at !== null) return { outcome: 'reused', token: toRefreshToken(row) };
      if (row.expires_at <= now) return { outcome: 'expired' };
      return { outcome: 'revoked' };
    },
    async findRefreshToken(tokenHash) {
      const row = await db.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
      return row === undefined ? undefined : toRefreshToken(row);
    },

    async findAccessToken(jti) {
      const row = await db.selectFrom('access_tokens').selectAll().where('jti', '=', jti).executeTakeFirst();
      return row === undefined ? undefined : toAccessToken(row);
    },
    async revokeAccessToken(token, now) {
      await db
        .insertInto('access_tokens')
        .values(accessTokenRow({ ...token, revokedAt: now }))
        .onConflict((oc) => oc.column('jti').doUpdateSet({ revoked_at: now }).where('access_tokens.revoked_at', 'is', null))
        .execute();
    },
  };
}
