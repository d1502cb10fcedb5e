import type { Store } from '../store/types.js';
import type { StoredServer } from './types.js';

/** The servers a user holds tokens for, with scope and expiry, never a secret. */
export async function listStoredServers(store: Store, userId: string): Promise<StoredServer[]> {
  const rows = await store.mcpClient.listTokens(userId);
  return rows.map((row) => ({
    serverUrl: row.serverUrl,
    issuer: row.issuer,
    clientId: row.clientId,
    scope: row.scope,
    accessExpiresAt: row.accessExpiresAt,
    hasRefreshToken: row.hasRefreshToken,
    updatedAt: row.updatedAt,
  }));
}
