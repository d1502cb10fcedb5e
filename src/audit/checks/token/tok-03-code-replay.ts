import type { Check } from '../../check.js';
import { authorizeForCode } from '../../login/authorize.js';
import { inconclusive, pass, type Verdict, warn } from '../../verdict.js';
import type { TokenUse } from '../resource/resource-probe.js';
import { revokedTokenUse } from '../resource/tokens-in-use.js';
import { describeAnswer, redemptionParameters, refusalOf, refusalVerdict, requestTokens } from './token-probe.js';

/**
 * TOK-03: an authorization code is good once. A fresh code is redeemed, then redeemed again with
 * the very same request: the replay must be refused with `invalid_grant` (a second set of tokens
 * is critical: an intercepted code is worth as much as the first use). The tokens of the first
 * use should then stop working (RFC 6749 §4.1.2 SHOULD, RFC 9700 §4.5): if the MCP endpoint still
 * takes its access token (presented only after the replay, so no cache of verified tokens holds
 * it), that is a warning, as the OpenID Foundation's suite reports it. Destructive: it spends a
 * code of its own.
 * @see RFC 6749 §4.1.2 ("MUST NOT use the authorization code more than once", "SHOULD revoke"); OAuth 2.1 §4.1.2
 */
export const TOK_03: Check = {
  id: 'TOK-03',
  async run(probe) {
    const authorization = await authorizeForCode(probe);
    const parameters = redemptionParameters(probe, authorization);
    const first = await requestTokens(probe, parameters);
    if (first.tokens === undefined) return inconclusive(`the first redemption of a fresh code was answered ${describeAnswer(first)}: nothing to replay`);
    const replay = await requestTokens(probe, parameters);
    const refused = refusalVerdict('the replayed code', replay, ['invalid_grant']);
    if (refusalOf(replay, ['invalid_grant']) !== 'refused') return refused;
    return afterReplay(refused, await revokedTokenUse(probe, first.tokens.accessToken));
  },
};

/** The verdict once the replay was refused, from what the MCP endpoint then made of the first use's access token. */
function afterReplay(refused: Verdict, after: TokenUse | 'unknown'): Verdict {
  if (after === 'accepted' || after === 'forbidden') {
    return warn(`${refused.summary}, but the access token from the first use still works (RFC 6749 §4.1.2: it should be revoked)`);
  }
  if (after === 'refused') return pass(`${refused.summary}, and the access token from the first use no longer works`);
  return pass(`${refused.summary}; whether the first use's access token was revoked could not be told`);
}
