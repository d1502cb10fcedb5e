import type { Insertable, Selectable } from 'kysely';
import type { AccessTokensTable, GrantsTable, RefreshTokensTable } from './schema.js';
import type { AccessTokenRecord, GrantRecord, RefreshTokenRecord } from './types.js';

/**
 * Rows of the token-family tables (grants, refresh_tokens, access_tokens) to records and back,
 * shared by the Kysely statements and the raw SQLite rotation (src/store/sqlite-refresh-rotation.ts).
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
  };
}

export function toRefreshToken(row: Selectable<RefreshTokensTable>): RefreshTokenRecord {
  return {
    tokenHash: row.token_hash,
    grantId: row.grant_id,
    clientId: row.client_id,
    scope: splitScope(row.scope),
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    usedAt: row.used_at,
  };
}

export function toAccessToken(row: Selectable<AccessTokensTable>): AccessTokenRecord {
  return { jti: row.jti, grantId: row.grant_id, clientId: row.client_id, expiresAt: row.expires_at, revokedAt: row.revoked_at };
}

export function refreshTokenRow(token: RefreshTokenRecord): Insertable<RefreshTokensTable> {
  return {
    token_hash: token.tokenHash,
    grant_id: token.grantId,
    client_id: token.clientId,
    scope: token.scope.join(' '),
    created_at: token.createdAt,
    expires_at: token.expiresAt,
    used_at: token.usedAt,
  };
}

export function accessTokenRow(token: AccessTokenRecord): Insertable<AccessTokensTable> {
  return { jti: token.jti, grant_id: token.grantId, client_id: token.clientId, expires_at: token.expiresAt, revoked_at: token.revokedAt };
}
