import type { Check } from '../../check.js';
import { authorizeForCode } from '../../login/authorize.js';
import { pass } from '../../verdict.js';
import { describeAnswer, redemptionParameters, refusalOf, refusalVerdict, requestTokens } from './token-probe.js';

/**
 * TOK-10 (second client): a code is bound to its client. A fresh code of the auditor's client A is
 * redeemed by client B (registered the same way) with A's verifier, redirect URI and resource, so
 * only the client differs: it must be refused with `invalid_grant`. When it is, A redeems the same
 * code next: a success shows the code was good and survived B's attempt; a refusal (a server that
 * burns a code on any failed attempt, as TOK-05 likes) is fine too.
 * @see RFC 6749 §4.1.3 ("ensure that the authorization code was issued to the authenticated confidential client, or … to the public client")
 */
export const TOK_10: Check = {
  id: 'TOK-10',
  async run(probe) {
    const other = await probe.fact('secondClient');
    const authorization = await authorizeForCode(probe);
    const parameters = redemptionParameters(probe, authorization);
    const stolen = await requestTokens(probe, parameters, other);
    const verdict = refusalVerdict("another client redeeming the auditor's code", stolen, ['invalid_grant']);
    if (refusalOf(stolen, ['invalid_grant']) !== 'refused') return verdict;
    const own = await requestTokens(probe, parameters);
    return pass(
      `${verdict.summary}; the code's own client then got ${describeAnswer(own)}${own.tokens !== undefined ? ', so the code was good' : ' (the failed attempt burned it)'}`,
    );
  },
};
