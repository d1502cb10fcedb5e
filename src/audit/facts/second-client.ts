import type { Probe } from '../probe.js';
import { auditClientMetadata, register } from '../registration.js';
import { NotReachedError } from '../verdict.js';
import { metadataString } from './authorization-server.js';
import type { AuditClient } from './client.js';

/**
 * A second client, registered dynamically like the first (a public native client on the canary),
 * for the checks that a token, code or refresh token is bound to the client it was issued to
 * (TOK-10, RT-03, REV-01). It is deleted when the audit ends, where RFC 7592 allows.
 * @see RFC 7591 §3; RFC 6749 §4.1.3, §6; RFC 7009 §2.1
 */
export async function obtainSecondClient(probe: Probe): Promise<AuditClient> {
  const canary = await probe.fact('canary');
  const { metadata } = await probe.fact('authorizationServer');
  const endpoint = metadataString(metadata, 'registration_endpoint');
  if (endpoint === undefined) {
    throw new NotReachedError('registration', 'a second client is needed, and the authorization server has no registration_endpoint');
  }
  const redirectUri = canary.newRedirectUri();
  const registration = await register(probe, endpoint, auditClientMetadata([redirectUri]));
  if (registration.clientId === undefined) {
    throw new NotReachedError('registration', `registering a second client was refused (${registration.response.status})`);
  }
  const method = registration.body?.['token_endpoint_auth_method'];
  const authMethod =
    method === 'client_secret_basic' || method === 'client_secret_post' ? method : registration.clientSecret !== undefined ? 'client_secret_basic' : 'none';
  return {
    clientId: registration.clientId,
    clientSecret: registration.clientSecret,
    authMethod,
    redirectUri,
    otherRedirectUri: redirectUri,
    how: 'registered',
  };
}
