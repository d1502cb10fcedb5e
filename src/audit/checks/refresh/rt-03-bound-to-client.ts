import type { Check } from '../../check.js';
import { pass } from '../../verdict.js';
import { describeAnswer, obtainOwnRefreshToken, refreshTokens, refusalOf, refusalVerdict } from '../token/token-probe.js';

/**
 * RT-03 (second client): a refresh token is bound to its client. A fresh grant's refresh token of
 * the auditor's client A is presented by client B: it must be refused with `invalid_grant`. When
 * it is, A refreshes with it next, which shows whether the token was good (a server may also end a
 * grant whose token another client presented, which is fine).
 * @see RFC 6749 §6 ("validate the refresh token and ensure that it was issued to the authenticated client"), §10.4
 */
export const RT_03: Check = {
  id: 'RT-03',
  async run(probe) {
    const other = await probe.fact('secondClient');
    const own = await obtainOwnRefreshToken(probe);
    const stolen = await refreshTokens(probe, own.refreshToken, [], other);
    const verdict = refusalVerdict("another client refreshing with the auditor's refresh token", stolen, ['invalid_grant']);
    if (refusalOf(stolen, ['invalid_grant']) !== 'refused') return verdict;
    const rightful = await refreshTokens(probe, own.refreshToken);
    const then = rightful.tokens !== undefined ? 'so the token was good' : 'the server ended the grant after the attempt';
    return pass(`${verdict.summary}; its own client then got ${describeAnswer(rightful)}: ${then}`);
  },
};
