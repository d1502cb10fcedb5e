import type { Store } from '../store/types.js';
import type { StoredServer } from './types.js';

/** The servers a user holds tokens for, with scope and expiry, never a secret. */
export async function listStoredServers(store: Store, userId: string): Promise<StoredServer[]> {
  void store;
  void userId;
  throw new Error('listStoredServers: in progress');
}
