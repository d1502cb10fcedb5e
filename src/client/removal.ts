import * as oauth from 'oauth4webapi';
import { canonicalResource } from '../core/resource-uri.js';
import type { ClientTokensRecord } from '../store/types.js';
import { discoverAuthorizationServer } from './discovery.js';
import { oauthRequestOptions } from './http-policy.js';
import { type ClientCredentials, oauthClientOf, preRegisteredCredentials } from './registration.js';
import { openClientSecret, openTokens } from './sealed-values.js';
import type { ClientContext, RemovalResult } from './types.js';

/**
 * The credentials to revoke a row's tokens with: the registration that obtained them (its
 * secret, if it has one), else the pre-registered client for the issuer, else the row's client id
 * as a public client.
 */
async function revocationCredentials(context: ClientContext, row: ClientTokensRecord): Promise<ClientCredentials> {
  const registered = (await context.store.listRegistrations(row.issuer)).find((r) => r.clientId === row.clientId);
  if (registered !== undefined) {
    const secret =
      registered.clientSecretSealed === null
        ? undefined
        : openClientSecret(context.keyring, registered.issuer, registered.redirectUri, registered.clientSecretSealed);
    const method = registered.tokenEndpointAuthMethod === 'client_secret_post' ? 'client_secret_post' : secret !== undefined ? 'client_secret_basic' : 'none';
    return { clientId: registered.clientId, ...(secret !== undefined ? { clientSecret: secret } : {}), authMethod: method, source: registered.method };
  }
  const configured = context.preRegistered?.find((c) => c.issuer === row.issuer);
  if (configured !== undefined) return preRegisteredCredentials(configured);
  return { clientId: row.clientId, authMethod: 'none', source: 'dcr' };
}

/** Revokes a row's refresh token, then its access token; returns how many the server accepted. */
async function revokeRow(context: ClientContext, row: ClientTokensRecord): Promise<{ revoked: number; failed: number }> {
  let revoked = 0;
  let failed = 0;
  try {
    const secrets = openTokens(context.keyring, row);
    const metadata = await discoverAuthorizationServer(row.issuer, context.fetch !== undefined ? { fetch: context.fetch } : {});
    if (metadata.revocation_endpoint === undefined) return { revoked, failed: 1 };
    const as: oauth.AuthorizationServer = { ...metadata, issuer: row.issuer };
    const { client, auth } = oauthClientOf(await revocationCredentials(context, row));
    const tokens: [string, 'refresh_token' | 'access_token'][] = [];
    if (secrets.refresh_token !== undefined) tokens.push([secrets.refresh_token, 'refresh_token']);
    tokens.push([secrets.access_token, 'access_token']);
    for (const [token, hint] of tokens) {
      try {
        const response = await oauth.revocationRequest(as, client, auth, token, {
          additionalParameters: { token_type_hint: hint },
          ...oauthRequestOptions(metadata.revocation_endpoint, context.fetch),
        });
        await oauth.processRevocationResponse(response);
        revoked++;
      } catch {
        failed++;
      }
    }
  } catch {
    failed++;
  }
  return { revoked, failed };
}

async function revokeAndDelete(context: ClientContext, rows: ClientTokensRecord[], remove: () => Promise<ClientTokensRecord[]>): Promise<RemovalResult> {
  let revoked = 0;
  let revokeFailures = 0;
  for (const row of rows) {
    const outcome = await revokeRow(context, row);
    revoked += outcome.revoked;
    revokeFailures += outcome.failed;
  }
  // Deleted whether or not the server confirmed: the user asked for the connection to go.
  const removed = await remove();
  return { removed: [...new Set([...rows, ...removed].map((r) => r.serverUrl))].sort(), revoked, revokeFailures };
}

/**
 * Revokes the user's tokens for one MCP server at its authorization server, then deletes every
 * row kept for it (tokens, pending logins, refresh lease).
 * @see RFC 7009 §2
 */
export async function removeServer(context: ClientContext, userId: string, serverUrl: string): Promise<RemovalResult> {
  const server = canonicalResource(serverUrl);
  const rows = (await context.store.listTokens(userId)).filter((r) => r.serverUrl === server);
  return revokeAndDelete(context, rows, () => context.store.removeServer(userId, server));
}

/** Revokes and deletes everything kept for the user, for every server. @see RFC 7009 §2 */
export async function removeUser(context: ClientContext, userId: string): Promise<RemovalResult> {
  const rows = await context.store.listTokens(userId);
  return revokeAndDelete(context, rows, () => context.store.removeUser(userId));
}
