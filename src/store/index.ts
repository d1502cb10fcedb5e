import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { createAuthorizationCodeStore } from './authorization-code-store.js';
import { createClientStore } from './client-store.js';
import { createConsentStore } from './consent-store.js';
import { checkDatabase, type DatabaseUrl, migrateToLatest, type OpenOptions, openDatabase, parseDatabaseUrl } from './database.js';
import { createFederationStore } from './federation-store.js';
import { createGrantStore } from './grant-store.js';
import { createMcpClientStore } from './mcp-client-store.js';
import { createPendingAuthorizationStore } from './pending-authorization-store.js';
import { createRateLimitStore } from './rate-limit-store.js';
import { createStoreReadiness } from './readiness.js';
import type { Database } from './schema.js';
import { createSecurityEventStore } from './security-event-store.js';
import { createSessionStore } from './session-store.js';
import { createSigningKeyStore } from './signing-key-store.js';
import type { Store } from './types.js';
import { createUserStore } from './user-store.js';

export { type DatabaseProblem, DatabaseUnavailableError, type DatabaseUrl, databaseLocation, type OpenOptions, parseDatabaseUrl } from './database.js';
export type { GrantListFilter, GrantListing, GrantObtainedBy } from './grant-listing.js';
export * from './rate-limit-store.js';
export * from './security-event-store.js';
export * from './types.js';

/**
 * Opens the database named by `--db`, applies migrations, and returns the store. Throws
 * DatabaseUnavailableError when it cannot be reached, or with `mustExist` when it is not there.
 */
export async function openStore(url: string | DatabaseUrl, options: OpenOptions = {}): Promise<Store> {
  const parsed = typeof url === 'string' ? parseDatabaseUrl(url) : url;
  const { db, sqlite } = openDatabase(parsed, options);
  try {
    await checkDatabase(db, parsed, options);
    await migrateToLatest(db);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return storeOn(db, parsed.dialect, sqlite);
}

function storeOn(db: Kysely<Database>, dialect: Store['dialect'], sqlite: BetterSqlite3.Database | null): Store {
  return {
    dialect,
    clients: createClientStore(db),
    users: createUserStore(db),
    pendingAuthorizations: createPendingAuthorizationStore(db),
    codes: createAuthorizationCodeStore(db),
    grants: createGrantStore(db, sqlite),
    sessions: createSessionStore(db),
    consents: createConsentStore(db),
    signingKeys: createSigningKeyStore(db),
    federation: createFederationStore(db),
    mcpClient: createMcpClientStore(db),
    securityEvents: createSecurityEventStore(db),
    rateLimits: createRateLimitStore(db),
    checkReadiness: createStoreReadiness(db, sqlite),
    async sweep(now) {
      // Codes are kept a while after expiry so a late replay is still recognised and revokes.
      const codeGrace = 600;
      const results = await Promise.all([
        db
          .deleteFrom('authorization_codes')
          .where('expires_at', '<', now - codeGrace)
          .executeTakeFirst(),
        db.deleteFrom('authorization_requests').where('expires_at', '<', now).executeTakeFirst(),
        db.deleteFrom('sessions').where('expires_at', '<', now).executeTakeFirst(),
        db.deleteFrom('access_tokens').where('expires_at', '<', now).executeTakeFirst(),
        db.deleteFrom('upstream_logins').where('expires_at', '<', now).executeTakeFirst(),
        db.deleteFrom('client_pending_logins').where('expires_at', '<', now).executeTakeFirst(),
        db.deleteFrom('client_refresh_leases').where('expires_at', '<', now).executeTakeFirst(),
        db.deleteFrom('rate_limits').where('expires_at', '<=', now).executeTakeFirst(),
      ]);
      return results.reduce((sum, r) => sum + Number(r.numDeletedRows), 0);
    },
    async close() {
      await db.destroy();
    },
  };
}
