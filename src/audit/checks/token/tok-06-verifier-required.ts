import type { Check } from '../../check.js';
import { authorizeForCode } from '../../login/authorize.js';
import { redemptionParameters, refusalVerdict, requestTokens, withTokenParameter } from './token-probe.js';

/**
 * TOK-06: no PKCE downgrade at the token endpoint. A fresh code, issued for an S256 challenge, is
 * redeemed without `code_verifier`: it must be refused (`invalid_request` for the missing
 * parameter, or `invalid_grant`). A server that checks PKCE only when a verifier comes lets an
 * attacker who stole the code drop the parameter (CVE-2025-4144).
 * @see RFC 9700 §4.8.2; RFC 7636 §4.6; OAuth 2.1 §4.1.3
 */
export const TOK_06: Check = {
  id: 'TOK-06',
  async run(probe) {
    const authorization = await authorizeForCode(probe);
    const answer = await requestTokens(probe, withTokenParameter(redemptionParameters(probe, authorization), 'code_verifier', undefined));
    return refusalVerdict('a redemption without code_verifier', answer, ['invalid_request', 'invalid_grant']);
  },
};
