import type { Check } from '../../check.js';
import { fail, inconclusive, pass } from '../../verdict.js';
import { describeAnswer, obtainOwnRefreshToken, refreshTokens } from '../token/token-probe.js';

/**
 * RT-01: a public client's refresh token rotates. A fresh grant's refresh token is used once: the
 * answer must carry a new, different refresh token, so a stolen one is good for at most one use
 * before the theft shows (RT-02). A confidential client may keep its refresh token (OAuth 2.1
 * §4.3.1); the auditor's own client is public unless given with a secret. DPoP-bound refresh
 * tokens (sender-constrained, the other way out) are not probed by this version.
 * @see OAuth 2.1 §4.3.1; RFC 9700 §4.14.2; MCP Authorization (2026-07-28) "Token Theft"
 */
export const RT_01: Check = {
  id: 'RT-01',
  async run(probe) {
    const client = await probe.fact('client');
    const own = await obtainOwnRefreshToken(probe);
    const answer = await refreshTokens(probe, own.refreshToken);
    if (answer.tokens === undefined) return inconclusive(`refreshing a fresh grant's refresh token was answered ${describeAnswer(answer)}`);
    const next = answer.tokens.refreshToken;
    if (next !== undefined && next !== own.refreshToken) return pass('the refresh returned a new refresh token');
    const what = next === undefined ? 'no new refresh token' : 'the same refresh token';
    if (client.authMethod !== 'none') return pass(`the refresh returned ${what}, which OAuth 2.1 allows for a confidential client`);
    return fail(`the refresh returned ${what} to a public client: a stolen refresh token stays good`);
  },
};
