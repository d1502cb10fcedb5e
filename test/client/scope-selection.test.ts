/**
 * MCP Authorization (2026-07-28) "Scope Selection Strategy" in `start()`: the scope of the
 * server's 401 challenge first, else the resource's `scopes_supported`, else none at all; what the
 * caller adds (`extraScope`, the CLI's `--scope`) on top; `offline_access` only where the
 * authorization server lists it (SEP-2207).
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { selectAuthorizationScope } from '../../src/core/scope-selection.js';
import { type ClientStoreHandle, newProvider, openClientStore } from '../support/mcp-client.js';
import { authorizationServerDocument, type ScriptedServer, startScriptedServer } from '../support/scripted-oauth-server.js';

describe('selectAuthorizationScope', () => {
  const base = { wantsRefreshToken: true };
  it('takes the asked scope, else the challenge, else scopes_supported, else the fallback', () => {
    assert.deepEqual(selectAuthorizationScope({ ...base, asked: 'a', challenge: 'b', resourceScopesSupported: ['c'], fallback: 'd' }), ['a']);
    assert.deepEqual(selectAuthorizationScope({ ...base, challenge: 'b', resourceScopesSupported: ['c'], fallback: 'd' }), ['b']);
    assert.deepEqual(selectAuthorizationScope({ ...base, resourceScopesSupported: ['c', 'e'], fallback: 'd' }), ['c', 'e']);
    assert.deepEqual(selectAuthorizationScope({ ...base, fallback: 'd' }), ['d']);
    assert.deepEqual(selectAuthorizationScope(base), []);
  });
  it('keeps what is granted and adds the extra scope', () => {
    assert.deepEqual(selectAuthorizationScope({ ...base, challenge: 'b', granted: ['a'], extra: 'x b' }), ['a', 'b', 'x']);
  });
  it('adds offline_access only when the authorization server lists it and refresh tokens are wanted; drops it when the server lists scopes without it', () => {
    assert.deepEqual(selectAuthorizationScope({ ...base, challenge: 'b', authorizationServerScopesSupported: ['b', 'offline_access'] }), [
      'b',
      'offline_access',
    ]);
    assert.deepEqual(selectAuthorizationScope({ wantsRefreshToken: false, challenge: 'b', authorizationServerScopesSupported: ['b', 'offline_access'] }), [
      'b',
    ]);
    assert.deepEqual(selectAuthorizationScope({ ...base, challenge: 'b offline_access', authorizationServerScopesSupported: ['b'] }), ['b']);
    assert.deepEqual(
      selectAuthorizationScope({ ...base, challenge: 'b offline_access' }),
      ['b', 'offline_access'],
      'no list: nothing is known to be unsupported',
    );
  });
});

describe('start() selects the scope as the spec says', () => {
  let server: ScriptedServer;
  let client: ClientStoreHandle;
  let user = 0;
  const mcpUrl = () => `${server.origin}/mcp`;
  const issuer = () => `${server.origin}/as`;
  const useMetadata = (prm: Record<string, unknown>, as: Record<string, unknown> = {}) => {
    server.serve('/.well-known/oauth-protected-resource/mcp', { resource: mcpUrl(), authorization_servers: [issuer()], ...prm });
    server.serve('/.well-known/oauth-authorization-server/as', authorizationServerDocument(issuer(), as));
  };
  const challenge = (header: string) => server.routes.set('/mcp', () => ({ status: 401, headers: { 'WWW-Authenticate': header } }));
  const scopeOfStart = async (options: { extraScope?: string } = {}, overrides: Partial<Parameters<typeof newProvider>[0]> = {}) => {
    user += 1;
    const { oauth } = newProvider({ store: client.store.mcpClient, userId: `scope-user-${user}`, serverUrl: mcpUrl(), ...overrides });
    return (await oauth.start(options)).url.searchParams.get('scope');
  };

  before(async () => {
    server = await startScriptedServer();
    client = await openClientStore();
  });
  after(async () => {
    await client?.close();
    await server?.close();
  });
  beforeEach(() => {
    server.routes.clear();
    server.requests.length = 0;
    server.serve('/as/register', { client_id: 'scope-client', token_endpoint_auth_method: 'none' });
  });

  it('uses the scope of the challenge, not every scope the resource supports', async () => {
    useMetadata({ scopes_supported: ['mcp', 'mcp:env'] });
    challenge(`Bearer scope="mcp", resource_metadata="${server.origin}/.well-known/oauth-protected-resource/mcp"`);
    assert.equal(await scopeOfStart(), 'mcp');
    const registration = server.requests.find((r) => r.path === '/as/register')!;
    assert.equal((JSON.parse(registration.body) as { scope?: string }).scope, 'mcp', 'and registers for it');
  });

  it('falls back to scopes_supported without a challenge scope, and sends no scope when neither says', async () => {
    useMetadata({ scopes_supported: ['mcp', 'mcp:env'] });
    challenge('Bearer');
    assert.equal(await scopeOfStart(), 'mcp mcp:env');
    useMetadata({});
    assert.equal(await scopeOfStart(), null);
  });

  it('adds extraScope to the selected scope', async () => {
    useMetadata({ scopes_supported: ['mcp', 'mcp:env'] });
    challenge('Bearer scope="mcp"');
    assert.equal(await scopeOfStart({ extraScope: 'mcp:admin' }), 'mcp mcp:admin');
  });

  it('asks for offline_access only where the authorization server lists it', async () => {
    challenge('Bearer scope="mcp"');
    useMetadata({ scopes_supported: ['mcp'] }, { scopes_supported: ['mcp', 'offline_access'] });
    assert.equal(await scopeOfStart(), 'mcp offline_access', 'listed, and the client registers for refresh tokens');
    const noRefresh = {
      clientMetadata: { client_name: 'no refresh', redirect_uris: ['http://127.0.0.1:53999/oauth/callback'], grant_types: ['authorization_code'] },
    };
    assert.equal(await scopeOfStart({}, noRefresh), 'mcp', 'a client that does not want refresh tokens does not ask');
    useMetadata({ scopes_supported: ['mcp'] }, { scopes_supported: ['mcp', 'mcp:read'] });
    assert.equal(await scopeOfStart({ extraScope: 'offline_access' }), 'mcp', 'not listed: never asked for');
  });
});
