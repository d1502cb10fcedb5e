import { isAllowedEndpoint } from '../../../core/plain-http.js';
import { metadataString } from '../../facts/authorization-server.js';
import type { Probe } from '../../probe.js';
import { type ClientCredentials, clientAuthentication } from '../../registration.js';

/** The revocation endpoint, when there is one the auditor may send its client's credentials to (https, or http for a loopback issuer). */
export async function revocationEndpointOf(probe: Probe): Promise<string | undefined> {
  const { issuer, metadata } = await probe.fact('authorizationServer');
  const endpoint = metadataString(metadata, 'revocation_endpoint');
  if (endpoint === undefined || !URL.canParse(endpoint) || !URL.canParse(issuer)) return undefined;
  return isAllowedEndpoint(new URL(endpoint), new URL(issuer)) ? endpoint : undefined;
}

/** Revokes `token` as `client` (the auditor's own by default): the status answered. @see RFC 7009 §2.1 */
export async function revoke(probe: Probe, endpoint: string, token: string, client?: ClientCredentials): Promise<number> {
  const { headers, parameters } = clientAuthentication(client ?? (await probe.fact('client')));
  const response = await probe.fetch(endpoint, { method: 'POST', headers, body: new URLSearchParams([['token', token], ...parameters]) });
  return response.status;
}
