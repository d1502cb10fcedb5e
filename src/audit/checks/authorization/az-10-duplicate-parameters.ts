import { computeS256Challenge } from '../../../core/pkce.js';
import { randomSecret } from '../../../core/secrets.js';
import { withDuplicate } from '../../authorization-request.js';
import type { Check } from '../../check.js';
import { registeredRedirectUris, sendAuthorizationProbe } from './authorization-probe.js';
import { mustBeRefused, verdictOf } from './findings.js';

/**
 * AZ-10: a parameter sent twice is refused, not resolved by taking one of the values: parts of a
 * server that read different copies disagree on what was authorized. Probed with a second
 * `code_challenge` (another valid one) and a second `redirect_uri` (the client's other registered
 * one), so each value alone would be accepted.
 * @see RFC 6749 §3.1 ("Request and response parameters MUST NOT be included more than once")
 */
export const AZ_10: Check = {
  id: 'AZ-10',
  async run(probe) {
    const { request } = await probe.fact('authorizationBaseline');
    const client = await probe.fact('client');
    const registered = await registeredRedirectUris(probe);
    const challenge = await sendAuthorizationProbe(probe, withDuplicate(request, 'code_challenge', computeS256Challenge(randomSecret(32))), registered);
    const redirect = await sendAuthorizationProbe(probe, withDuplicate(request, 'redirect_uri', client.otherRedirectUri), registered);
    return verdictOf([mustBeRefused('code_challenge twice', challenge), mustBeRefused('redirect_uri twice', redirect)]);
  },
};
