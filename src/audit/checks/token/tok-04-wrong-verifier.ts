import { randomSecret } from '../../../core/secrets.js';
import type { Check } from '../../check.js';
import { authorizeForCode } from '../../login/authorize.js';
import { redemptionParameters, refusalVerdict, requestTokens, withTokenParameter } from './token-probe.js';

/**
 * TOK-04: the token endpoint checks PKCE. A fresh code, issued for the baseline's S256 challenge,
 * is redeemed with another well-formed `code_verifier` (43 unreserved characters, so only the
 * digest is wrong): it must be refused with `invalid_grant`. Accepted, PKCE protects nothing: a
 * stolen code is redeemable by anyone.
 * @see RFC 7636 §4.6 ("If the values are not equal, an error response indicating invalid_grant MUST be returned")
 */
export const TOK_04: Check = {
  id: 'TOK-04',
  async run(probe) {
    const authorization = await authorizeForCode(probe);
    const wrong = randomSecret(32);
    probe.remember(wrong);
    const answer = await requestTokens(probe, withTokenParameter(redemptionParameters(probe, authorization), 'code_verifier', wrong));
    return refusalVerdict('a wrong code_verifier', answer, ['invalid_grant']);
  },
};
