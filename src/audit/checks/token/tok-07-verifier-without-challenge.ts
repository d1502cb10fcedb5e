import { baselineAuthorizationRequest, withParameter } from '../../authorization-request.js';
import type { Check } from '../../check.js';
import { notApplicable } from '../../verdict.js';
import { authorizeChanged, redemptionParameters, refusalVerdict, requestTokens } from './token-probe.js';

/**
 * TOK-07: the other PKCE downgrade (RFC 9700 §4.8.2). Only when the authorization endpoint issues
 * a code for a request without `code_challenge` (AZ-04's finding): that code, redeemed with a
 * `code_verifier`, must be refused, or an attacker can inject a code obtained without PKCE into a
 * client that sends a verifier. `na` when the server refuses a request without a challenge.
 * @see RFC 9700 §4.8.2 ("ensure that if there was no code_challenge in the authorization request, a request to the token endpoint containing a code_verifier is rejected")
 */
export const TOK_07: Check = {
  id: 'TOK-07',
  async run(probe) {
    const baseline = await baselineAuthorizationRequest(probe);
    const request = withParameter(withParameter(baseline, 'code_challenge', undefined), 'code_challenge_method', undefined);
    const authorization = await authorizeChanged(probe, request);
    if ('refused' in authorization) {
      return notApplicable(`an authorization request without code_challenge was refused (${authorization.refused}): no code to downgrade`);
    }
    const answer = await requestTokens(probe, redemptionParameters(probe, { code: authorization.code, request }));
    return refusalVerdict('a code_verifier for a code issued without code_challenge', answer, ['invalid_grant', 'invalid_request']);
  },
};
