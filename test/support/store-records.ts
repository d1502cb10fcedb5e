import { hashSecret, randomSecret } from '../../src/core/secrets.js';
import type {
  AccessTokenRecord,
  AuthorizationCodeRecord,
  ClientRecord,
  GrantRecord,
  PendingAuthorizationRecord,
  SessionRecord,
  SigningKeyRecord,
  UserRecord,
} from '../../src/store/types.js';

/** A fixed "now" in Unix seconds; tests pass times explicitly instead of sleeping. */
export const T0 = 1_750_000_000;

/** A unique id with a readable prefix. */
export const uniqueId = (prefix: string) => `${prefix}-${randomSecret(9)}`;

/** A stored hash of a fresh random secret. */
export const randomHash = () => hashSecret(randomSecret());

export function clientRecord(overrides: Partial<ClientRecord> = {}): ClientRecord {
  return {
    clientId: uniqueId('client'),
    secretHash: null,
    tokenEndpointAuthMethod: 'none',
    redirectUris: ['http://127.0.0.1/cb'],
    grantTypes: ['authorization_code', 'refresh_token'],
    clientName: 'Test client',
    scope: null,
    metadata: { client_name: 'Test client' },
    source: 'dynamic',
    createdAt: T0,
    ...overrides,
  };
}

export function userRecord(overrides: Partial<UserRecord> = {}): UserRecord {
  return { id: uniqueId('user'), username: uniqueId('name'), passwordHash: '$scrypt$n=16384,r=8,p=1$c2FsdA$aGFzaA', createdAt: T0, ...overrides };
}

export function codeRecord(overrides: Partial<AuthorizationCodeRecord> = {}): AuthorizationCodeRecord {
  return {
    codeHash: randomHash(),
    grantId: uniqueId('grant'),
    clientId: uniqueId('client'),
    userId: uniqueId('user'),
    redirectUri: 'http://127.0.0.1:8080/cb',
    codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    scope: ['read', 'write'],
    resource: 'https://mcp.example.com/mcp',
    createdAt: T0,
    expiresAt: T0 + 60,
    consumedAt: null,
    ...overrides,
  };
}

export function grantRecord(overrides: Partial<GrantRecord> = {}): GrantRecord {
  return {
    id: uniqueId('grant'),
    clientId: uniqueId('client'),
    userId: uniqueId('user'),
    scope: ['read'],
    resource: 'https://mcp.example.com/mcp',
    createdAt: T0,
    revokedAt: null,
    refreshGeneration: 0,
    refreshExpiresAt: T0 + 86_400,
    lastUsedAt: null,
    ...overrides,
  };
}

/** The rotation of a grant's current refresh token, as the refresh grant asks the store for it. */
export function rotationOf(grant: GrantRecord, now: number, overrides: { generation?: number; clientId?: string } = {}) {
  return {
    grantId: grant.id,
    clientId: overrides.clientId ?? grant.clientId,
    generation: overrides.generation ?? grant.refreshGeneration ?? 0,
    now,
    expiresAt: now + 86_400,
  };
}

export function accessTokenRecord(grant: GrantRecord, overrides: Partial<AccessTokenRecord> = {}): AccessTokenRecord {
  return { jti: uniqueId('jti'), grantId: grant.id, clientId: grant.clientId, expiresAt: T0 + 3600, revokedAt: null, ...overrides };
}

export function sessionRecord(overrides: Partial<SessionRecord> = {}): SessionRecord {
  return { idHash: randomHash(), userId: uniqueId('user'), createdAt: T0, expiresAt: T0 + 3600, ...overrides };
}

export function pendingAuthorizationRecord(overrides: Partial<PendingAuthorizationRecord> = {}): PendingAuthorizationRecord {
  return {
    idHash: randomHash(),
    clientId: uniqueId('client'),
    params: JSON.stringify({ response_type: 'code', state: 'xyz', scope: 'read' }),
    createdAt: T0,
    expiresAt: T0 + 600,
    ...overrides,
  };
}

export function signingKeyRecord(overrides: Partial<SigningKeyRecord> = {}): SigningKeyRecord {
  return {
    kid: uniqueId('kid'),
    alg: 'ES256',
    publicJwk: JSON.stringify({ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }),
    privateJwkSealed: 'v1.kid.iv.body.tag',
    createdAt: T0,
    retiredAt: null,
    ...overrides,
  };
}
