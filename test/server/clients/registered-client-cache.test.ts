/** The short-lived cache of registered clients used by client authentication. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLIENT_CACHE_TTL_MS, createRegisteredClientCache } from '../../../src/server/clients/registered-client-cache.js';
import type { ClientRecord } from '../../../src/store/types.js';
import { clientRecord } from '../../support/store-records.js';

describe('registered client cache', () => {
  function setUp() {
    const stored = new Map<string, ClientRecord>();
    let reads = 0;
    let now = 1_000;
    const cache = createRegisteredClientCache(
      async (clientId) => {
        reads++;
        return stored.get(clientId);
      },
      () => now,
    );
    return { stored, cache, reads: () => reads, advance: (ms: number) => (now += ms) };
  }

  it('reuses a found client for at most the TTL, then reads it again', async () => {
    const { stored, cache, reads, advance } = setUp();
    const client = clientRecord();
    stored.set(client.clientId, client);
    assert.deepEqual(await cache.find(client.clientId), client);
    advance(CLIENT_CACHE_TTL_MS - 1);
    assert.deepEqual(await cache.find(client.clientId), client);
    assert.equal(reads(), 1);
    // Removed from the store: gone once the TTL has passed.
    stored.delete(client.clientId);
    advance(1);
    assert.equal(await cache.find(client.clientId), undefined);
    assert.equal(reads(), 2);
  });

  it('never caches an unknown client, so a new registration is found at once', async () => {
    const { stored, cache, reads } = setUp();
    const client = clientRecord();
    assert.equal(await cache.find(client.clientId), undefined);
    stored.set(client.clientId, client);
    assert.deepEqual(await cache.find(client.clientId), client);
    assert.equal(reads(), 2);
  });
});
