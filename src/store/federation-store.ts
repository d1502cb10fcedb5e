import type { Kysely, Selectable } from 'kysely';
import type { Database, FederatedIdentitiesTable, UpstreamTokensTable } from './schema.js';
import { type FederatedIdentityRecord, type FederationStore, UniqueViolation, type UpstreamTokensRecord } from './types.js';
import { isUniqueViolation } from './unique-violation.js';

function identityRecord(row: Selectable<FederatedIdentitiesTable>): FederatedIdentityRecord {
  return {
    providerId: row.provider_id,
    subject: row.subject,
    userId: row.user_id,
    email: row.email,
    displayName: row.display_name,
    createdAt: row.created_at,
    lastLoginAt: row.last_login_at,
  };
}

function tokensRecord(row: Selectable<UpstreamTokensTable>): UpstreamTokensRecord {
  return {
    grantId: row.grant_id,
    providerId: row.provider_id,
    userId: row.user_id,
    sealed: row.sealed,
    accessExpiresAt: row.access_expires_at,
    version: Number(row.version),
    revokeAttempts: Number(row.revoke_attempts),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function createFederationStore(db: Kysely<Database>): FederationStore {
  async function signInOnce(identity: Parameters<FederationStore['signIn']>[0], newUser: Parameters<FederationStore['signIn']>[1], now: number) {
    return db.transaction().execute(async (trx) => {
      // Write first (see user-store.ts): the update both finds a linked account and refreshes it.
      const linked = await trx
        .updateTable('federated_identities')
        .set({ email: identity.email, display_name: identity.displayName, last_login_at: now })
        .where('provider_id', '=', identity.providerId)
        .where('subject', '=', identity.subject)
        .returning('user_id')
        .executeTakeFirst();
      if (linked !== undefined) return { userId: linked.user_id, created: false };
      await trx
        .insertInto('users')
        .values({ id: newUser.id, username: newUser.username, password_hash: newUser.passwordHash, created_at: newUser.createdAt })
        .execute();
      await trx
        .insertInto('federated_identities')
        .values({
          provider_id: identity.providerId,
          subject: identity.subject,
          user_id: newUser.id,
          email: identity.email,
          display_name: identity.displayName,
          created_at: now,
          last_login_at: now,
        })
        .execute();
      return { userId: newUser.id, created: true };
    });
  }

  return {
    async createLogin(record) {
      await db
        .insertInto('upstream_logins')
        .values({
          state_hash: record.stateHash,
          provider_id: record.providerId,
          sealed: record.sealed,
          created_at: record.createdAt,
          expires_at: record.expiresAt,
        })
        .execute();
    },
    async takeLogin(stateHash, now) {
      const row = await db.deleteFrom('upstream_logins').where('state_hash', '=', stateHash).returningAll().executeTakeFirst();
      if (row === undefined || row.expires_at <= now) return undefined;
      return { stateHash: row.state_hash, providerId: row.provider_id, sealed: row.sealed, createdAt: row.created_at, expiresAt: row.expires_at };
    },
    async signIn(identity, newUser, now) {
      try {
        return await signInOnce(identity, newUser, now);
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        // A concurrent first sign-in of the same account linked it first: use that link. A
        // username taken by someone else is not retried.
        const raced = await db
          .selectFrom('federated_identities')
          .select('user_id')
          .where('provider_id', '=', identity.providerId)
          .where('subject', '=', identity.subject)
          .executeTakeFirst();
        if (raced === undefined) throw new UniqueViolation(`user ${newUser.username}`);
        return { userId: raced.user_id, created: false };
      }
    },
    async findIdentityOfUser(userId) {
      const row = await db.selectFrom('federated_identities').selectAll().where('user_id', '=', userId).executeTakeFirst();
      return row === undefined ? undefined : identityRecord(row);
    },
    async saveUpstreamTokens(record) {
      await db
        .insertInto('upstream_tokens')
        .values({
          grant_id: record.grantId,
          provider_id: record.providerId,
          user_id: record.userId,
          sealed: record.sealed,
          access_expires_at: record.accessExpiresAt,
          version: record.version,
          revoke_attempts: record.revokeAttempts,
          created_at: record.createdAt,
          updated_at: record.updatedAt,
        })
        .execute();
    },
    async findUpstreamTokens(grantId) {
      const row = await db.selectFrom('upstream_tokens').selectAll().where('grant_id', '=', grantId).executeTakeFirst();
      return row === undefined ? undefined : tokensRecord(row);
    },
    async replaceUpstreamTokens(grantId, expectedVersion, sealed, accessExpiresAt, now) {
      const result = await db
        .updateTable('upstream_tokens')
        .set({ sealed, access_expires_at: accessExpiresAt, version: expectedVersion + 1, updated_at: now })
        .where('grant_id', '=', grantId)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async listEndedUpstreamTokens(orphanedBefore, limit) {
      const rows = await db
        .selectFrom('upstream_tokens')
        .leftJoin('grants', 'grants.id', 'upstream_tokens.grant_id')
        .selectAll('upstream_tokens')
        .where((eb) =>
          eb.or([eb('grants.revoked_at', 'is not', null), eb.and([eb('grants.id', 'is', null), eb('upstream_tokens.created_at', '<', orphanedBefore)])]),
        )
        .orderBy('upstream_tokens.updated_at')
        .limit(limit)
        .execute();
      return rows.map(tokensRecord);
    },
    async deleteUpstreamTokens(grantId) {
      await db.deleteFrom('upstream_tokens').where('grant_id', '=', grantId).execute();
    },
    async noteRevokeAttempt(grantId) {
      const row = await db
        .updateTable('upstream_tokens')
        .set((eb) => ({ revoke_attempts: eb('revoke_attempts', '+', 1) }))
        .where('grant_id', '=', grantId)
        .returning('revoke_attempts')
        .executeTakeFirst();
      return row === undefined ? 0 : Number(row.revoke_attempts);
    },
  };
}
