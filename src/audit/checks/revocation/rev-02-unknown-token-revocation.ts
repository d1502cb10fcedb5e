import { isAllowedEndpoint } from '../../../core/plain-http.js';
import { randomSecret } from '../../../core/secrets.js';
import type { Check } from '../../check.js';
import { metadataString } from '../../facts/authorization-server.js';
import { clientAuthentication } from '../../registration.js';
import { fail, inconclusive, NotReachedError, notApplicable, pass } from '../../verdict.js';

/**
 * REV-02: revoking a token the server does not know is answered 200, as revoking a real one is
 * (an error would tell a caller which tokens exist, and clients treat "already gone" as done).
 * The logged-in part (revoking a refresh token ends the access tokens of its grant, a SHOULD)
 * needs a login.
 * @see RFC 7009 §2.1 (revoking a refresh token SHOULD revoke its access tokens), §2.2 ("invalid tokens do not cause an error response")
 */
export const REV_02: Check = {
  id: 'REV-02',
  async run(probe) {
    const { issuer, metadata } = await probe.fact('authorizationServer');
    const endpoint = metadataString(metadata, 'revocation_endpoint');
    if (endpoint === undefined || !URL.canParse(endpoint)) return notApplicable('the authorization server has no revocation_endpoint');
    if (!URL.canParse(issuer) || !isAllowedEndpoint(new URL(endpoint), new URL(issuer))) {
      throw new NotReachedError('revocation', `the revocation_endpoint ${endpoint} is plain http: no client credentials are sent there`);
    }
    const client = await probe.fact('client');
    const { headers, parameters } = clientAuthentication(client);
    const response = await probe.fetch(endpoint, { method: 'POST', headers, body: new URLSearchParams([['token', randomSecret(32)], ...parameters]) });
    const body = response.json();
    const error = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined;
    const shown = `${response.status}${typeof error === 'string' && /^[\x20-\x7e]{1,64}$/.test(error) ? ` ${error}` : ''}`;
    if (error === 'invalid_client' || response.status === 401) {
      return inconclusive(`the auditor's client was refused at the revocation endpoint (${shown}), so the unknown token was never looked at`);
    }
    if (response.status === 429 || response.status === 503) return inconclusive(`revoking an unknown token was answered ${shown} (try later)`);
    if (response.status !== 200) return fail(`revoking an unknown token was answered ${shown}, not 200`);
    const loggedIn = probe.settings.login
      ? 'the logged-in part (revoking a refresh token ends its access tokens) is not built yet'
      : 'the logged-in part (revoking a refresh token ends its access tokens) did not run: run with --login';
    return pass(`revoking an unknown token was answered 200; ${loggedIn}`);
  },
};
