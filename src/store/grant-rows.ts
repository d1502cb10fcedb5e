import type { Insertable, Selectable } from 'kysely';
import type { AccessTokensTable, GrantsTable } from './schema.js';
import type { AccessTokenRecord, GrantRecord } from './types.js';

/**
 * Rows of the token-family tables (grants, access_tokens) to records and back, shared by the
 * Kysely statements and the raw SQLite ones (src/store/sqlite-grant-statements.ts).
 */

const splitScope = (scope: string) => scope.split(' ').filter(Boolean);

export function toGrant(row: Selectable<GrantsTable>): GrantRecord {
  return {
    id: row.id,
    clientId: row.client_id,
    userId: row.user_id,
    scope: splitScope(row.scope),
    resource: row.resource,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
    refreshGeneration: row.refresh_generation,
    refreshExpiresAt: row.refresh_expires_at,
    lastUsedAt: row.last_used_at,
  };
}

export function grantRow(grant: GrantRecord): Insertable<GrantsTable> {
  return {
    id: grant.id,
    client_id: grant.clientId,
    user_id: grant.userId,
    scope: grant.scope.join(' '),
    resource: grant.resource,
    created_at: grant.createdAt,
    revoked_at: grant.revokedAt,
    refresh_generation: grant.refreshGeneration,
    refresh_expires_at: grant.refreshExpiresAt,
    last_used_at: grant.lastUsedAt,
  };
}

export function toAccessToken(row: Selectable<AccessTokensTable>): AccessTokenRecord {
  return { jti: row.jti, grantId: row.grant_id, clientId: row.client_id, expiresAt: row.expires_at, revokedAt: row.revoked_at };
}

export function accessTokenRow(token: AccessTokenRecord): Insertable<AccessTokensTable> {
  return { jti: token.jti, grant_id: token.grantId, client_id: token.clientId, expires_at: token.expiresAt, revoked_at: token.revokedAt };
}
