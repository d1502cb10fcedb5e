import type { ClientRecord } from '../../store/types.js';

/** How long a registered client's record is reused by client authentication. */
export const CLIENT_CACHE_TTL_MS = 2_000;
const MAX_ENTRIES = 1_000;

/**
 * Registered clients as client authentication sees them (the token, revocation and introspection
 * endpoints, RFC 6749 §2.3), kept for at most CLIENT_CACHE_TTL_MS so a token request does not read
 * the clients table each time. Only found clients are kept: a client registered a moment ago is
 * found at once.
 *
 * What a stale record can do is bounded: `portcullis clients remove` (another process) revokes the
 * client's grants and deletes its codes in the same transaction, so in those two seconds the
 * removed client can spend no refresh token and redeem no code; it can only revoke its own
 * tokens, or, for a pre-registered resource server, introspect. The authorization, login and
 * consent pages never use this cache, so no new code is issued to a removed client.
 */
export function createRegisteredClientCache(
  find: (clientId: string) => Promise<ClientRecord | undefined>,
  // Real time, not the server's clock: this is a cache's lifetime, not a protocol expiry.
  nowMs: () => number = () => performance.now(),
) {
  const entries = new Map<string, { client: ClientRecord; until: number }>();
  return {
    async find(clientId: string): Promise<ClientRecord | undefined> {
      const now = nowMs();
      const entry = entries.get(clientId);
      if (entry !== undefined && entry.until > now) return entry.client;
      const client = await find(clientId);
      if (client === undefined) {
        entries.delete(clientId);
        return undefined;
      }
      if (entries.size >= MAX_ENTRIES) entries.clear();
      entries.set(clientId, { client, until: now + CLIENT_CACHE_TTL_MS });
      return client;
    },
  };
}
