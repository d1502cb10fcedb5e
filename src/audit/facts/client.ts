import type { Probe } from '../probe.js';
import { auditClientMetadata, register } from '../registration.js';
import { InconclusiveError, NotReachedError } from '../verdict.js';
import { metadataString } from './authorization-server.js';

/** The client the auditor uses for the authorization and token checks. */
export interface AuditClient {
  readonly clientId: string;
  readonly clientSecret: string | undefined;
  readonly authMethod: 'none' | 'client_secret_basic' | 'client_secret_post';
  /** Registered, on the canary. */
  readonly redirectUri: string;
  /** A second redirect URI registered with it, for checks that need the other of two. */
  readonly otherRedirectUri: string;
  readonly how: 'given' | 'registered';
}

/**
 * A client: the one given (`--client-id`, with `--client-secret-stdin`), or one registered
 * dynamically with two redirect URIs on the canary.
 * @see RFC 7591 §3; MCP Authorization (2026-07-28) "Client Registration Approaches"
 */
export async function obtainClient(probe: Probe): Promise<AuditClient> {
  const canary = await probe.fact('canary');
  const { settings } = probe;
  if (settings.clientId !== undefined) {
    if (settings.redirectUri === undefined) {
      throw new NotReachedError('registration', 'a pre-registered client (--client-id) needs --redirect-uri, its loopback redirect URI');
    }
    // The canary's port in the registered loopback URI (RFC 8252 §7.3): the server must accept it.
    const given = new URL(settings.redirectUri.href);
    given.port = new URL(canary.origin).port;
    const redirectUri = given.href;
    const authMethod = settings.clientSecret === undefined ? 'none' : 'client_secret_basic';
    return { clientId: settings.clientId, clientSecret: settings.clientSecret, authMethod, redirectUri, otherRedirectUri: redirectUri, how: 'given' };
  }
  const { metadata } = await probe.fact('authorizationServer');
  const endpoint = metadataString(metadata, 'registration_endpoint');
  if (endpoint === undefined) throw new NotReachedError('registration', 'the authorization server has no registration_endpoint (give --client-id)');
  const redirectUri = canary.newRedirectUri();
  const otherRedirectUri = canary.newRedirectUri();
  const registration = await register(probe, endpoint, auditClientMetadata([redirectUri, otherRedirectUri]));
  if (registration.response.status === 429) {
    // Not the server's flaw, and not a reason to pass what could not be tried: the audit is incomplete.
    throw new InconclusiveError('registration is rate-limited (429): audit again later, or give a pre-registered client with --client-id');
  }
  if (registration.clientId === undefined) {
    throw new NotReachedError(
      'registration',
      `registration was refused (${registration.response.status} ${String(registration.body?.['error'] ?? '')})`.trim(),
    );
  }
  const method = registration.body?.['token_endpoint_auth_method'];
  const authMethod =
    method === 'client_secret_basic' || method === 'client_secret_post' ? method : registration.clientSecret !== undefined ? 'client_secret_basic' : 'none';
  return { clientId: registration.clientId, clientSecret: registration.clientSecret, authMethod, redirectUri, otherRedirectUri, how: 'registered' };
}
