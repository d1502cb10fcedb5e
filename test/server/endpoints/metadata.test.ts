import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type AuthorizationServer, createAuthorizationServer } from '../../../src/server/app.js';
import type { Store } from '../../../src/store/types.js';
import { startTestServer, TEST_SECRET, type TestServer } from '../../support/server.js';
import { createTestDatabase, type TestDatabase } from '../../support/stores.js';

/**
 * Where the authorization server publishes RFC 9728 metadata for the resources on its own origin:
 * the same paths the gateway serves for its resource, the path-inserted one and the root one MCP
 * clients fall back to (MCP Authorization, "Protected Resource Metadata Discovery Requirements").
 */

describe('protected resource metadata on the authorization server', () => {
  describe('with one resource on its origin', () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer();
    });
    after(() => server.close());

    it('answers at the root fallback with the document of the path-inserted address', async () => {
      const pathInserted = await fetch(`${server.url}/.well-known/oauth-protected-resource/mcp`);
      const root = await fetch(`${server.url}/.well-known/oauth-protected-resource`);
      assert.equal(pathInserted.status, 200);
      assert.equal(root.status, 200);
      assert.equal(root.headers.get('cache-control'), 'public, max-age=300');
      const document = (await root.json()) as Record<string, unknown>;
      assert.deepEqual(document, await pathInserted.json());
      assert.equal(document['resource'], `${server.url}/mcp`);
    });

    it('answers at the path-inserted address whatever the query', async () => {
      const response = await fetch(`${server.url}/.well-known/oauth-protected-resource/mcp?tenant=a`);
      assert.equal(response.status, 200);
    });
  });

  describe('with two resources on its origin', () => {
    const issuer = 'https://auth.example.com';
    let database: TestDatabase;
    let store: Store;
    let server: AuthorizationServer;
    before(async () => {
      database = await createTestDatabase('sqlite');
      store = await database.open();
      const resources = [{ uri: `${issuer}/a` }, { uri: `${issuer}/b` }];
      server = await createAuthorizationServer({ settings: { issuer, resources }, store, secrets: [TEST_SECRET], sweepIntervalMs: false });
    });
    after(async () => {
      server.close();
      await store.close();
      await database.destroy();
    });

    it('answers for each at its path-inserted address and leaves the ambiguous root alone', async () => {
      for (const name of ['a', 'b']) {
        const response = await server.app.request(`${issuer}/.well-known/oauth-protected-resource/${name}`);
        assert.equal(response.status, 200);
        assert.equal(((await response.json()) as Record<string, unknown>)['resource'], `${issuer}/${name}`);
      }
      assert.equal((await server.app.request(`${issuer}/.well-known/oauth-protected-resource`)).status, 404);
    });
  });
});
