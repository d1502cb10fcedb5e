import { setTimeout as sleep } from 'node:timers/promises';
import * as oauth from 'oauth4webapi';
import { randomSecret } from '../core/secrets.js';
import type { McpClientStore } from '../store/types.js';
import type { ClientSession } from './client-session.js';
import { ClientAuthError, ReauthRequiredError } from './errors.js';
import { oauthRequestOptions } from './http-policy.js';
import { findClientCredentials, oauthClientOf } from './registration.js';
import type { TokenSecrets } from './sealed-values.js';

/** Refreshes in flight in this process, per store and (user, server): callers share one. */
const inFlight = new WeakMap<McpClientStore, Map<string, Promise<void>>>();

const POLL_MS = 50;

/**
 * Refreshes the tokens of a (user, server) unless someone already did since `staleVersion` was
 * read. One refresh at a time: in this process, concurrent callers share one promise; across
 * processes, the one that takes the store's lease refreshes and the others wait for the version to
 * change and use the tokens it stored. A refresh that the authorization server answers with
 * `invalid_grant` clears the tokens and throws `ReauthRequiredError`.
 * @see RFC 6749 §6; OAuth 2.1 §4.3 (rotation); RFC 8707 §2.2 (`resource` on refresh)
 */
export function refreshTokens(session: ClientSession, staleVersion: number): Promise<void> {
  const store = session.context.store;
  let running = inFlight.get(store);
  if (running === undefined) {
    running = new Map();
    inFlight.set(store, running);
  }
  const key = `${session.userId}\n${session.serverUrl}`;
  const existing = running.get(key);
  if (existing !== undefined) return existing;
  const started = refreshAcrossProcesses(session, staleVersion).finally(() => running.delete(key));
  running.set(key, started);
  return started;
}

async function refreshAcrossProcesses(session: ClientSession, staleVersion: number): Promise<void> {
  const { store } = session.context;
  const holder = randomSecret(16);
  // Real elapsed time, not the session's clock (which a test may hold still).
  const deadline = performance.now() + (session.refreshLeaseSeconds + 10) * 1000;
  for (;;) {
    const current = await session.readTokens();
    if (current === undefined) throw new ReauthRequiredError(session.userId, session.serverUrl);
    if (current.record.version !== staleVersion) return; // someone else refreshed (or logged in again)
    const now = session.now();
    if (await store.takeRefreshLease(session.userId, session.serverUrl, holder, now, now + session.refreshLeaseSeconds)) {
      try {
        // Read again under the lease: the holder before us may have stored new tokens just now.
        const leased = await session.readTokens();
        if (leased === undefined) throw new ReauthRequiredError(session.userId, session.serverUrl);
        if (leased.record.version !== staleVersion) return;
        await refreshOnce(session, leased.record, leased.secrets);
        return;
      } finally {
        await store.releaseRefreshLease(session.userId, session.serverUrl, holder);
      }
    }
    if (performance.now() > deadline) throw new ClientAuthError('authorization_server_error', 'another process holds the refresh lease and has not finished');
    await sleep(POLL_MS);
  }
}

async function refreshOnce(
  session: ClientSession,
  record: { issuer: string; clientId: string; scope: string[]; version: number },
  secrets: TokenSecrets,
): Promise<void> {
  const { store } = session.context;
  if (secrets.refresh_token === undefined) {
    await store.clearTokens(session.userId, session.serverUrl, record.issuer, record.version);
    throw new ReauthRequiredError(session.userId, session.serverUrl);
  }
  const discovered = await session.discover();
  if (discovered.issuer !== record.issuer) {
    // The resource now names another authorization server (MCP "Authorization Server Binding"):
    // this grant cannot get tokens the resource accepts any more, and is never taken to the new one.
    await store.clearTokens(session.userId, session.serverUrl, record.issuer, record.version);
    throw new ReauthRequiredError(session.userId, session.serverUrl);
  }
  const metadata = await session.authorizationServer(record.issuer);
  const now = session.now();
  const credentials = await findClientCredentials(session.context, record.issuer, session.redirectUrl, now);
  const { client, auth } = oauthClientOf(
    credentials?.clientId === record.clientId ? credentials : { clientId: record.clientId, authMethod: 'none', source: 'pre_registered' },
  );
  const as: oauth.AuthorizationServer = { ...metadata, issuer: record.issuer };
  let tokens: oauth.TokenEndpointResponse;
  try {
    const response = await oauth.refreshTokenGrantRequest(as, client, auth, secrets.refresh_token, {
      additionalParameters: { resource: discovered.resource },
      ...oauthRequestOptions(metadata.token_endpoint, session.context.fetch),
    });
    tokens = await oauth.processRefreshTokenResponse(as, client, response);
  } catch (error) {
    if (error instanceof oauth.ResponseBodyError && error.error === 'invalid_grant') {
      // The grant has ended (revoked, expired, or the family revoked on reuse): forget it.
      await store.clearTokens(session.userId, session.serverUrl, record.issuer, record.version);
      throw new ReauthRequiredError(session.userId, session.serverUrl, { cause: error });
    }
    throw new ClientAuthError('authorization_server_error', 'refreshing the tokens failed', { cause: error });
  }
  const update = session.tokensUpdate(record.issuer, record.clientId, tokens, record.scope, secrets.refresh_token);
  await store.replaceTokens(session.userId, session.serverUrl, record.issuer, record.version, update, session.now());
}
