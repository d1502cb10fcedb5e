import * as oauth from 'oauth4webapi';
import { z } from 'zod';
import { applicationTypeForRedirectUri } from '../core/application-type.js';
import { clientSecretBasic } from './client-secret-basic.js';
import type { AuthorizationServerMetadata } from './discovery.js';
import { ClientAuthError } from './errors.js';
import { assertAllowedServerUrl, REQUEST_TIMEOUT_MS } from './http-policy.js';
import { registrationRedirectKey, registrationRedirectUris } from './registration-redirect.js';
import { openClientSecret, sealClientSecret } from './sealed-values.js';
import type { ClientContext, ClientMetadata, PreRegisteredClient } from './types.js';

type AuthMethod = 'none' | 'client_secret_basic' | 'client_secret_post';

/** This app's identity at one authorization server. */
export interface ClientCredentials {
  clientId: string;
  clientSecret?: string;
  authMethod: AuthMethod;
  source: 'pre_registered' | 'metadata_document' | 'dcr';
}

const registrationResponseSchema = z.looseObject({
  client_id: z.string().min(1),
  client_secret: z.string().optional(),
  client_secret_expires_at: z.number().optional(),
  token_endpoint_auth_method: z.string().optional(),
});

function authMethodOf(value: string | undefined, hasSecret: boolean): AuthMethod {
  if (value === 'client_secret_post' || value === 'client_secret_basic') return value;
  if (value === 'none' || value === undefined) return hasSecret ? 'client_secret_basic' : 'none';
  throw new ClientAuthError('registration_unavailable', `token_endpoint_auth_method ${value} is not supported`);
}

/** A Client ID Metadata Document URL: https with a path (draft-ietf-oauth-client-id-metadata-document §3). */
function isMetadataDocumentUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && url.pathname !== '/' && url.hash === '';
  } catch {
    return false;
  }
}

/** The credentials of a client registered with the authorization server out of band. */
export function preRegisteredCredentials(configured: PreRegisteredClient): ClientCredentials {
  return {
    clientId: configured.clientId,
    ...(configured.clientSecret !== undefined ? { clientSecret: configured.clientSecret } : {}),
    authMethod: configured.tokenEndpointAuthMethod ?? (configured.clientSecret !== undefined ? 'client_secret_basic' : 'none'),
    source: 'pre_registered',
  };
}

/**
 * Credentials this app already has for the issuer: pre-registered ones, else a stored registration,
 * found under the redirect URI's registration key (a loopback IP literal without its port).
 */
export async function findClientCredentials(context: ClientContext, issuer: string, redirectUri: string, now: number): Promise<ClientCredentials | undefined> {
  const configured = context.preRegistered?.find((c) => c.issuer === issuer);
  if (configured !== undefined) return preRegisteredCredentials(configured);
  const key = registrationRedirectKey(redirectUri);
  const stored = await context.store.findRegistration(issuer, key);
  if (stored === undefined || (stored.expiresAt !== null && stored.expiresAt !== 0 && stored.expiresAt <= now)) return undefined;
  const secret = stored.clientSecretSealed === null ? undefined : openClientSecret(context.keyring, issuer, key, stored.clientSecretSealed);
  return {
    clientId: stored.clientId,
    ...(secret !== undefined ? { clientSecret: secret } : {}),
    authMethod: authMethodOf(stored.tokenEndpointAuthMethod, secret !== undefined),
    source: stored.method,
  };
}

/**
 * This app's credentials at the authorization server, in the spec's priority order:
 * pre-registered, then a Client ID Metadata Document (when the server says it supports them and
 * the app has one), then Dynamic Client Registration. What is obtained is stored per issuer and
 * redirect URI, a loopback IP literal without its port, so that a native app's logins on ports
 * the OS picks share one registration (and the consent given to it); the requests themselves
 * always carry the exact redirect URI with its port. DCR sends `application_type`.
 * @see MCP Authorization (2026-07-28) "Client Registration"; RFC 7591 §3; RFC 8252 §7.3; OIDC Registration §2
 */
export async function obtainClientCredentials(
  context: ClientContext,
  server: { issuer: string; metadata: AuthorizationServerMetadata },
  app: { redirectUri: string; clientMetadata: ClientMetadata; clientMetadataUrl?: string; scope?: string },
  now: number,
): Promise<ClientCredentials> {
  const known = await findClientCredentials(context, server.issuer, app.redirectUri, now);
  if (known !== undefined) return known;
  const { metadata } = server;
  const key = registrationRedirectKey(app.redirectUri);
  if (metadata.client_id_metadata_document_supported === true && app.clientMetadataUrl !== undefined && isMetadataDocumentUrl(app.clientMetadataUrl)) {
    await context.store.saveRegistration({
      issuer: server.issuer,
      redirectUri: key,
      clientId: app.clientMetadataUrl,
      clientSecretSealed: null,
      tokenEndpointAuthMethod: 'none',
      method: 'metadata_document',
      expiresAt: null,
      createdAt: now,
    });
    return { clientId: app.clientMetadataUrl, authMethod: 'none', source: 'metadata_document' };
  }
  if (metadata.registration_endpoint === undefined) {
    throw new ClientAuthError(
      'registration_unavailable',
      `${server.issuer} offers neither Client ID Metadata Documents this app can use nor Dynamic Client Registration`,
    );
  }
  const endpoint = assertAllowedServerUrl(metadata.registration_endpoint, 'registration_endpoint');
  const body = {
    ...app.clientMetadata,
    redirect_uris: registrationRedirectUris(app.redirectUri),
    // MCP "Client Registration": clients MUST send an appropriate application_type; the app's own
    // wins, else it follows from the redirect URI (loopback or private-use scheme: native).
    application_type: app.clientMetadata.application_type ?? applicationTypeForRedirectUri(app.redirectUri),
    ...(app.scope !== undefined && app.scope !== '' ? { scope: app.scope } : {}),
  };
  const response = await (context.fetch ?? fetch)(endpoint.href, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
    redirect: 'manual',
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const parsed = registrationResponseSchema.safeParse(await response.json().catch(() => undefined));
  if (response.status !== 201 && response.status !== 200)
    throw new ClientAuthError('registration_unavailable', `registration at ${server.issuer} failed with ${response.status}`);
  if (!parsed.success) throw new ClientAuthError('registration_unavailable', `registration at ${server.issuer} answered an invalid response`);
  const registered = parsed.data;
  const authMethod = authMethodOf(registered.token_endpoint_auth_method, registered.client_secret !== undefined);
  await context.store.saveRegistration({
    issuer: server.issuer,
    redirectUri: key,
    clientId: registered.client_id,
    clientSecretSealed: registered.client_secret === undefined ? null : sealClientSecret(context.keyring, server.issuer, key, registered.client_secret),
    tokenEndpointAuthMethod: authMethod,
    method: 'dcr',
    expiresAt: registered.client_secret_expires_at ?? null,
    createdAt: now,
  });
  return {
    clientId: registered.client_id,
    ...(registered.client_secret !== undefined ? { clientSecret: registered.client_secret } : {}),
    authMethod,
    source: 'dcr',
  };
}

/** The oauth4webapi client and its authentication for the credentials. */
export function oauthClientOf(credentials: ClientCredentials): { client: oauth.Client; auth: oauth.ClientAuth } {
  const client: oauth.Client = { client_id: credentials.clientId };
  if (credentials.clientSecret === undefined || credentials.authMethod === 'none') return { client, auth: oauth.None() };
  return {
    client,
    auth: credentials.authMethod === 'client_secret_post' ? oauth.ClientSecretPost(credentials.clientSecret) : clientSecretBasic(credentials.clientSecret),
  };
}
