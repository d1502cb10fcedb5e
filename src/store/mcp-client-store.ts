import type { Kysely, Selectable } from 'kysely';
import type { ClientPendingLoginsTable, ClientRegistrationsTable, ClientTokensTable, Database } from './schema.js';
import type { ClientPendingLoginRecord, ClientRegistrationRecord, ClientTokensRecord, McpClientStore } from './types.js';

function registrationRecord(row: Selectable<ClientRegistrationsTable>): ClientRegistrationRecord {
  return {
    issuer: row.issuer,
    redirectUri: row.redirect_uri,
    clientId: row.client_id,
    clientSecretSealed: row.client_secret_sealed,
    tokenEndpointAuthMethod: row.token_endpoint_auth_method,
    method: row.method === 'metadata_document' ? 'metadata_document' : 'dcr',
    expiresAt: row.expires_at,
    createdAt: row.created_at,
  };
}

function tokensRecord(row: Selectable<ClientTokensTable>): ClientTokensRecord {
  return {
    userId: row.user_id,
    serverUrl: row.server_url,
    issuer: row.issuer,
    clientId: row.client_id,
    sealed: row.sealed,
    scope: row.scope === '' ? [] : row.scope.split(' '),
    accessExpiresAt: row.access_expires_at,
    hasRefreshToken: Number(row.has_refresh_token) === 1,
    version: Number(row.version),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function pendingRecord(row: Selectable<ClientPendingLoginsTable>): ClientPendingLoginRecord {
  return {
    stateHash: row.state_hash,
    userId: row.user_id,
    serverUrl: row.server_url,
    issuer: row.issuer,
    sealed: row.sealed,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}

/**
 * The client side's rows. Single-use and "one refresh at a time" are single statements:
 * `DELETE … RETURNING` for a pending login, an upsert guarded by the lease's expiry for the
 * refresh lease, and a compare-and-set on `version` for refreshed tokens.
 */
export function createMcpClientStore(db: Kysely<Database>): McpClientStore {
  return {
    async findRegistration(issuer, redirectUri) {
      const row = await db
        .selectFrom('client_registrations')
        .selectAll()
        .where('issuer', '=', issuer)
        .where('redirect_uri', '=', redirectUri)
        .executeTakeFirst();
      return row === undefined ? undefined : registrationRecord(row);
    },
    async saveRegistration(record) {
      const values = {
        issuer: record.issuer,
        redirect_uri: record.redirectUri,
        client_id: record.clientId,
        client_secret_sealed: record.clientSecretSealed,
        token_endpoint_auth_method: record.tokenEndpointAuthMethod,
        method: record.method,
        expires_at: record.expiresAt,
        created_at: record.createdAt,
      };
      await db
        .insertInto('client_registrations')
        .values(values)
        .onConflict((oc) => oc.columns(['issuer', 'redirect_uri']).doUpdateSet({ ...values }))
        .execute();
    },
    async deleteRegistration(issuer, redirectUri) {
      await db.deleteFrom('client_registrations').where('issuer', '=', issuer).where('redirect_uri', '=', redirectUri).execute();
    },
    async listRegistrations(issuer) {
      const rows = await db.selectFrom('client_registrations').selectAll().where('issuer', '=', issuer).orderBy('redirect_uri').execute();
      return rows.map(registrationRecord);
    },

    async createPendingLogin(record) {
      await db
        .insertInto('client_pending_logins')
        .values({
          state_hash: record.stateHash,
          user_id: record.userId,
          server_url: record.serverUrl,
          issuer: record.issuer,
          sealed: record.sealed,
          created_at: record.createdAt,
          expires_at: record.expiresAt,
        })
        .execute();
    },
    async takePendingLogin(stateHash, now) {
      const row = await db.deleteFrom('client_pending_logins').where('state_hash', '=', stateHash).returningAll().executeTakeFirst();
      if (row === undefined || row.expires_at <= now) return undefined;
      return pendingRecord(row);
    },

    async findTokens(userId, serverUrl) {
      const row = await db
        .selectFrom('client_tokens')
        .selectAll()
        .where('user_id', '=', userId)
        .where('server_url', '=', serverUrl)
        .orderBy('updated_at', 'desc')
        .executeTakeFirst();
      return row === undefined ? undefined : tokensRecord(row);
    },
    async saveTokens(userId, serverUrl, issuer, update, now) {
      const set = {
        client_id: update.clientId,
        sealed: update.sealed,
        scope: update.scope.join(' '),
        access_expires_at: update.accessExpiresAt,
        has_refresh_token: update.hasRefreshToken ? 1 : 0,
        updated_at: now,
      };
      const row = await db
        .insertInto('client_tokens')
        .values({ user_id: userId, server_url: serverUrl, issuer, ...set, version: 1, created_at: now })
        .onConflict((oc) => oc.columns(['user_id', 'server_url', 'issuer']).doUpdateSet((eb) => ({ ...set, version: eb('client_tokens.version', '+', 1) })))
        .returning('version')
        .executeTakeFirstOrThrow();
      return Number(row.version);
    },
    async replaceTokens(userId, serverUrl, issuer, expectedVersion, update, now) {
      const result = await db
        .updateTable('client_tokens')
        .set({
          client_id: update.clientId,
          sealed: update.sealed,
          scope: update.scope.join(' '),
          access_expires_at: update.accessExpiresAt,
          has_refresh_token: update.hasRefreshToken ? 1 : 0,
          version: expectedVersion + 1,
          updated_at: now,
        })
        .where('user_id', '=', userId)
        .where('server_url', '=', serverUrl)
        .where('issuer', '=', issuer)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async clearTokens(userId, serverUrl, issuer, expectedVersion) {
      const result = await db
        .deleteFrom('client_tokens')
        .where('user_id', '=', userId)
        .where('server_url', '=', serverUrl)
        .where('issuer', '=', issuer)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },
    async listTokens(userId) {
      const rows = await db.selectFrom('client_tokens').selectAll().where('user_id', '=', userId).orderBy('server_url').execute();
      return rows.map(tokensRecord);
    },
    async removeServer(userId, serverUrl) {
      return db.transaction().execute(async (trx) => {
        const rows = await trx.deleteFrom('client_tokens').where('user_id', '=', userId).where('server_url', '=', serverUrl).returningAll().execute();
        await trx.deleteFrom('client_pending_logins').where('user_id', '=', userId).where('server_url', '=', serverUrl).execute();
        await trx.deleteFrom('client_refresh_leases').where('user_id', '=', userId).where('server_url', '=', serverUrl).execute();
        return rows.map(tokensRecord);
      });
    },
    async removeUser(userId) {
      return db.transaction().execute(async (trx) => {
        const rows = await trx.deleteFrom('client_tokens').where('user_id', '=', userId).returningAll().execute();
        await trx.deleteFrom('client_pending_logins').where('user_id', '=', userId).execute();
        await trx.deleteFrom('client_refresh_leases').where('user_id', '=', userId).execute();
        return rows.map(tokensRecord);
      });
    },

    async takeRefreshLease(userId, serverUrl, holder, now, expiresAt) {
      // One statement: insert the lease, or take over one that has expired; a live lease of
      // another holder makes the update's WHERE false, so nothing is returned.
      const row = await db
        .insertInto('client_refresh_leases')
        .values({ user_id: userId, server_url: serverUrl, holder, expires_at: expiresAt })
        .onConflict((oc) =>
          oc
            .columns(['user_id', 'server_url'])
            .doUpdateSet({ holder, expires_at: expiresAt })
            .where((eb) => eb.or([eb('client_refresh_leases.expires_at', '<=', now), eb('client_refresh_leases.holder', '=', holder)])),
        )
        .returning('holder')
        .executeTakeFirst();
      return row?.holder === holder;
    },
    async releaseRefreshLease(userId, serverUrl, holder) {
      await db.deleteFrom('client_refresh_leases').where('user_id', '=', userId).where('server_url', '=', serverUrl).where('holder', '=', holder).execute();
    },
  };
}
