import type { Check } from '../../check.js';
import { authorizeForCode } from '../../login/authorize.js';
import { redemptionParameters, refusalVerdict, requestTokens, withTokenParameter } from './token-probe.js';

/**
 * TOK-11: a code is bound to the redirect URI it was sent to. A fresh code, authorized for the
 * client's first registered redirect URI, is redeemed naming its second registered one (a URI on
 * the canary that was never authorized, when a given client has only one): it must be refused
 * with `invalid_grant`. Leaving `redirect_uri` out is allowed (OAuth 2.1), and is not probed.
 * @see RFC 6749 §4.1.3 ("ensure that the redirect_uri parameter is present if … included in the initial authorization request … and if included ensure that their values are identical")
 */
export const TOK_11: Check = {
  id: 'TOK-11',
  async run(probe) {
    const client = await probe.fact('client');
    const canary = await probe.fact('canary');
    const registered = client.otherRedirectUri !== client.redirectUri;
    const other = registered ? client.otherRedirectUri : canary.newRedirectUri();
    const authorization = await authorizeForCode(probe);
    const answer = await requestTokens(probe, withTokenParameter(redemptionParameters(probe, authorization), 'redirect_uri', other));
    // An unregistered URI may also be refused as a malformed request.
    const expected = registered ? ['invalid_grant'] : ['invalid_grant', 'invalid_request'];
    return refusalVerdict(`a redirect_uri other than the authorized one (${registered ? 'also registered' : 'not registered'})`, answer, expected);
  },
};
