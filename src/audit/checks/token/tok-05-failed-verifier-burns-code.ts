import { randomSecret } from '../../../core/secrets.js';
import type { Check } from '../../check.js';
import { authorizeForCode } from '../../login/authorize.js';
import { fail, notApplicable, pass } from '../../verdict.js';
import { describeAnswer, redemptionParameters, refusalOf, refusalVerdict, requestTokens, withTokenParameter } from './token-probe.js';

/**
 * TOK-05: a failed PKCE attempt burns the code. A fresh code is redeemed with a wrong verifier,
 * then with the right one: the second must be refused too, or an attacker holding a stolen code
 * may guess verifiers for as long as the code lives (and a client's own slip does no harm when
 * it simply authorizes again). No RFC says MUST; RFC 6749 §10.10 asks that guessing be made
 * infeasible, and servers that consume the code before any check (oidc-provider, Portcullis) do
 * this. Destructive: it spends a code of its own.
 * @see RFC 6749 §10.10; RFC 7636 §4.6
 */
export const TOK_05: Check = {
  id: 'TOK-05',
  async run(probe) {
    const authorization = await authorizeForCode(probe);
    const right = redemptionParameters(probe, authorization);
    const wrong = randomSecret(32);
    probe.remember(wrong);
    const failed = await requestTokens(probe, withTokenParameter(right, 'code_verifier', wrong));
    const failure = refusalOf(failed, ['invalid_grant']);
    if (failure === 'accepted') return notApplicable('the wrong code_verifier was accepted (TOK-04), so no attempt failed');
    if (failure === 'unattributable') return refusalVerdict('the wrong code_verifier', failed, ['invalid_grant']);
    const retry = await requestTokens(probe, right);
    if (retry.tokens !== undefined) {
      return fail(`after a wrong code_verifier (${describeAnswer(failed)}), the right one was accepted: the code survives failed attempts`);
    }
    if (refusalOf(retry, ['invalid_grant']) === 'unattributable') return refusalVerdict('the right code_verifier after a wrong one', retry, ['invalid_grant']);
    return pass(`a wrong code_verifier (${describeAnswer(failed)}) burned the code: the right one was refused next (${describeAnswer(retry)})`);
  },
};
