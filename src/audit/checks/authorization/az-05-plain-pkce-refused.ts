import { withParameter } from '../../authorization-request.js';
import type { Check } from '../../check.js';
import { registeredRedirectUris, sendAuthorizationProbe } from './authorization-probe.js';
import { mustBeRefused, verdictOf } from './findings.js';

/**
 * AZ-05: `code_challenge_method=plain` is refused, and so is a challenge without a method, which
 * RFC 7636 §4.3 reads as `plain`: with `plain` the challenge is the verifier, so whoever sees the
 * authorization request can redeem the code. Each probe changes the method alone.
 * @see RFC 7636 §4.3, §7.2; OAuth 2.1 §4.1.1
 */
export const AZ_05: Check = {
  id: 'AZ-05',
  async run(probe) {
    const { request } = await probe.fact('authorizationBaseline');
    const registered = await registeredRedirectUris(probe);
    const plain = await sendAuthorizationProbe(probe, withParameter(request, 'code_challenge_method', 'plain'), registered);
    const omitted = await sendAuthorizationProbe(probe, withParameter(request, 'code_challenge_method', undefined), registered);
    return verdictOf([mustBeRefused('code_challenge_method=plain', plain), mustBeRefused('no code_challenge_method (plain by default)', omitted)]);
  },
};
