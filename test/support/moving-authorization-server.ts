/**
 * MCP Authorization (2026-07-28) "Authorization Server Binding", scripted: on a
 * {@link ScriptedServer}, an MCP server at `/mcp` whose protected-resource metadata names the
 * authorization server of the moment (`as1` or `as2`, at `ORIGIN/as1` and `ORIGIN/as2`) and that
 * accepts only the tokens the test says. Each authorization server registers a confidential
 * client of its own and issues numbered tokens, so a test can see which server's credentials a
 * request carried.
 */
import assert from 'node:assert/strict';
import type { ClientStoreHandle } from './mcp-client.js';
import { newProvider } from './mcp-client.js';
import { approvedCallback, authorizationServerDocument, type RecordedRequest, type ScriptedServer } from './scripted-oauth-server.js';

export type AuthorizationServerName = 'as1' | 'as2';

export const PING = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });

/** Everything a request carried, with an HTTP Basic credential decoded. */
export function carried(request: RecordedRequest): string {
  const authorization = String(request.headers['authorization'] ?? '');
  const basic = authorization.startsWith('Basic ') ? Buffer.from(authorization.slice(6), 'base64').toString('utf8') : '';
  return `${request.path}?${request.query} ${authorization} ${basic} ${request.body}`;
}

/** Scripts the resource and both authorization servers; `current` and `accepted` are read on every request. */
export function serveMovingResource(server: ScriptedServer, state: { current: () => AuthorizationServerName; accepted: () => Set<string> }): void {
  const mcpUrl = () => `${server.origin}/mcp`;
  const issuer = (name: AuthorizationServerName) => `${server.origin}/${name}`;
  const metadataUrl = () => `${server.origin}/.well-known/oauth-protected-resource/mcp`;
  server.routes.set('/.well-known/oauth-protected-resource/mcp', () => ({ json: { resource: mcpUrl(), authorization_servers: [issuer(state.current())] } }));
  server.routes.set('/mcp', (request) => {
    const token = String(request.headers['authorization'] ?? '').replace(/^Bearer /, '');
    if (state.accepted().has(token)) return { json: { jsonrpc: '2.0', id: 1, result: {} } };
    return {
      status: 401,
      headers: { 'WWW-Authenticate': `Bearer scope="mcp:basic", resource_metadata="${metadataUrl()}"` },
      json: { error: 'invalid_token' },
    };
  });
  for (const name of ['as1', 'as2'] as const) {
    server.serve(`/.well-known/oauth-authorization-server/${name}`, authorizationServerDocument(issuer(name)));
    server.serve(`/${name}/register`, { client_id: `${name}-client`, client_secret: `${name}-secret`, token_endpoint_auth_method: 'client_secret_basic' });
    let issued = 0;
    server.routes.set(`/${name}/token`, () => {
      issued += 1;
      return {
        json: {
          access_token: `${name}-token-${issued}`,
          token_type: 'Bearer',
          expires_in: 3600,
          refresh_token: `${name}-refresh-${issued}`,
          scope: `mcp:basic ${name}:only`,
        },
      };
    });
  }
}

/** Logs `userId` in at as1 (where the resource points at first), and has the resource accept its token. */
export async function logInAtFirstServer(client: ClientStoreHandle, server: ScriptedServer, accepted: Set<string>, userId: string) {
  const issuer = `${server.origin}/as1`;
  const provider = newProvider({ store: client.store.mcpClient, userId, serverUrl: `${server.origin}/mcp` });
  const started = await provider.oauth.start();
  assert.equal(started.url.origin + started.url.pathname, `${issuer}/authorize`);
  await provider.oauth.callback(approvedCallback(started.url, issuer));
  const token = (await provider.oauth.accessToken())!;
  accepted.add(token);
  return { ...provider, token };
}
