import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { listGrants } from './grant-listing.js';
import { accessTokenRow, grantRow, toAccessToken, toGrant } from './grant-rows.js';
import type { Database } from './schema.js';
import { createSqliteGrantStatements } from './sqlite-grant-statements.js';
import type { GrantStore } from './types.js';

/**
 * Grants are token families: every refresh and access token names its grant, and a token is
 * live only while its grant is, so revoking a family is one statement.
 */
export function createGrantStore(db: Kysely<Database>, sqlite: BetterSqlite3.Database | null = null): GrantStore {
  // On SQLite the token endpoint's two statements run as raw prepared statements (see that file).
  const onSqlite = sqlite === null ? undefined : createSqliteGrantStatements(sqlite);

  const findGrant = async (id: string) => {
    const fast = onSqlite?.find(id) ?? 'busy';
    if (fast !== 'busy') return fast;
    const row = await db.selectFrom('grants').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toGrant(row);
  };

  return {
    async create(grant) {
      await db
        .insertInto('grants')
        .values(grantRow(grant))
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
          refresh_generation: null,
          refresh_expires_at: null,
          last_used_at: null,
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
    list: (filter = {}) => listGrants(db, filter),

    async rotateRefreshToken(rotation) {
      const fast = onSqlite === undefined ? 'busy' : await onSqlite.rotate(rotation);
      if (fast !== 'busy') return fast;
      const { grantId, clientId, generation, now, expiresAt, resource } = rotation;
      let update = db
        .updateTable('grants')
        .set((eb) => ({ refresh_generation: eb('refresh_generation', '+', 1), refresh_expires_at: expiresAt, last_used_at: now }))
        .where('id', '=', grantId)
        .where('client_id', '=', clientId)
        .where('refresh_generation', '=', generation)
        .where('refresh_expires_at', '>', now)
        .where('revoked_at', 'is', null);
      if (resource !== undefined) update = update.where('resource', '=', resource);
      const row = await update.returningAll().executeTakeFirst();
      return row === undefined ? undefined : toGrant(row);
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
