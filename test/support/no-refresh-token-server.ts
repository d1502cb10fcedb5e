/**
 * Logins without a refresh token, scripted: on a {@link ScriptedServer}, the usual MCP server
 * and authorization server at `/as`, whose token endpoint issues access tokens only (numbered,
 * living `lifetime()` seconds), and an MCP server that refuses every token.
 */
import type { TestClock } from './clock.js';
import { type ClientStoreHandle, newProvider } from './mcp-client.js';
import { approvedCallback, type ScriptedServer, serveMcpServerAndAuthorizationServer } from './scripted-oauth-server.js';

export function serveLoginsWithoutRefreshToken(server: ScriptedServer, lifetime: () => number): void {
  let issued = 0;
  serveMcpServerAndAuthorizationServer(server, '/as', 'no-refresh-client');
  server.routes.set('/as/token', () => ({ json: { access_token: `short-token-${++issued}`, token_type: 'Bearer', expires_in: lifetime() } }));
  server.routes.set('/mcp', () => ({ status: 401, headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' } }));
}

/** Logs `userId` in (the authorization server approves at once); the provider runs on `clock`. */
export async function logInWithoutRefreshToken(client: ClientStoreHandle, server: ScriptedServer, userId: string, clock: TestClock) {
  const { oauth } = newProvider({ store: client.store.mcpClient, userId, serverUrl: `${server.origin}/mcp`, clock });
  const started = await oauth.start();
  await oauth.callback(approvedCallback(started.url, `${server.origin}/as`));
  return oauth;
}
