import type { McpClientStore } from '../store/types.js';
import type { StoredServer } from './types.js';

/** The servers a user holds tokens for, with scope and expiry, never a secret (`store` is `openStore(url).mcpClient`). */
export async function listStoredServers(store: McpClientStore, userId: string): Promise<StoredServer[]> {
  const rows = await store.listTokens(userId);
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
