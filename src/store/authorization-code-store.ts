import type { Kysely, Selectable } from 'kysely';
import type { AuthorizationCodesTable, Database } from './schema.js';
import type { AuthorizationCodeRecord, AuthorizationCodeStore } from './types.js';

function toRecord(row: Selectable<AuthorizationCodesTable>): AuthorizationCodeRecord {
  return {
    codeHash: row.code_hash,
    grantId: row.grant_id,
    clientId: row.client_id,
    userId: row.user_id,
    redirectUri: row.redirect_uri,
    codeChallenge: row.code_challenge,
    scope: row.scope.split(' ').filter(Boolean),
    resource: row.resource,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    consumedAt: row.consumed_at,
  };
}

export function createAuthorizationCodeStore(db: Kysely<Database>): AuthorizationCodeStore {
  return {
    async create(code) {
      await db
        .insertInto('authorization_codes')
        .values({
          code_hash: code.codeHash,
          grant_id: code.grantId,
          client_id: code.clientId,
          user_id: code.userId,
          redirect_uri: code.redirectUri,
          code_challenge: code.codeChallenge,
          scope: code.scope.join(' '),
          resource: code.resource,
          created_at: code.createdAt,
          expires_at: code.expiresAt,
          consumed_at: null,
        })
        .execute();
    },
    async consume(codeHash, now) {
      // One conditional UPDATE … RETURNING: the database decides which concurrent caller wins.
      const won = await db
        .updateTable('authorization_codes')
        .set({ consumed_at: now })
        .where('code_hash', '=', codeHash)
        .where('consumed_at', 'is', null)
        .returningAll()
        .executeTakeFirst();
      if (won !== undefined) return { outcome: 'redeemed', code: toRecord(won) };
      const spent = await db.selectFrom('authorization_codes').selectAll().where('code_hash', '=', codeHash).executeTakeFirst();
      return spent === undefined ? { outcome: 'unknown' } : { outcome: 'replayed', code: toRecord(spent) };
    },
  };
}
