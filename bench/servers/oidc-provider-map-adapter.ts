/**
 * oidc-provider 9, configured as in bench/servers/oidc-provider.ts, on a minimal Map adapter: one
 * Map of payloads and a Set of token keys per grant, so a save costs the same however many tokens
 * the grant has issued (as a Redis adapter's SADD does). Expiry is left to oidc-provider, which
 * checks `exp` on every find. Opt-in: `npm run bench -- --only oidc-provider,oidc-provider-map`.
 *
 *   node --import tsx bench/servers/oidc-provider-map-adapter.ts --tokens 10
 */
import { serveOidcProvider } from '../support/oidc-provider-server.js';

type Payload = Record<string, unknown>;

const payloads = new Map<string, Payload>();
const byGrant = new Map<string, Set<string>>();
const bySessionUid = new Map<string, string>();
const byUserCode = new Map<string, string>();

/** The adapter interface oidc-provider calls, per model. @see https://github.com/panva/node-oidc-provider/blob/main/example/my_adapter.js */
class MapAdapter {
  constructor(private readonly model: string) {}

  private key(id: string): string {
    return `${this.model}:${id}`;
  }

  async upsert(id: string, payload: Payload): Promise<void> {
    const key = this.key(id);
    payloads.set(key, payload);
    const { grantId, uid, userCode } = payload;
    if (typeof grantId === 'string' && this.model !== 'Grant') {
      let keys = byGrant.get(grantId);
      if (keys === undefined) {
        keys = new Set();
        byGrant.set(grantId, keys);
      }
      keys.add(key);
    }
    if (this.model === 'Session' && typeof uid === 'string') bySessionUid.set(uid, id);
    if (typeof userCode === 'string') byUserCode.set(userCode, id);
  }

  async find(id: string): Promise<Payload | undefined> {
    return payloads.get(this.key(id));
  }

  async findByUid(uid: string): Promise<Payload | undefined> {
    const id = bySessionUid.get(uid);
    return id === undefined ? undefined : this.find(id);
  }

  async findByUserCode(userCode: string): Promise<Payload | undefined> {
    const id = byUserCode.get(userCode);
    return id === undefined ? undefined : this.find(id);
  }

  async consume(id: string): Promise<void> {
    const payload = payloads.get(this.key(id));
    if (payload !== undefined) payload['consumed'] = Math.floor(Date.now() / 1000);
  }

  async destroy(id: string): Promise<void> {
    payloads.delete(this.key(id));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    for (const key of byGrant.get(grantId) ?? []) payloads.delete(key);
    byGrant.delete(grantId);
  }
}

await serveOidcProvider((model) => new MapAdapter(model));
