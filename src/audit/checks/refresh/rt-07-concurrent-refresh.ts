import type { Check } from '../../check.js';
import { inconclusive, pass, warn } from '../../verdict.js';
import { describeAnswer, obtainOwnRefreshToken, refreshTokens } from '../token/token-probe.js';

/**
 * RT-07 (reported, never a failure): two refreshes with the same token sent at once. One new
 * token pair and one refusal is what an atomic rotation gives (the loser may also end the family,
 * as a reuse). Both getting tokens means the rotation is a check-then-write race, or a grace
 * window: two live families from one token, unless the server ties them together. The MCP SDK's
 * clients refresh once under concurrency for this reason. Destructive: a grant of its own.
 * @see RFC 9700 §4.14.2
 */
export const RT_07: Check = {
  id: 'RT-07',
  async run(probe) {
    const own = await obtainOwnRefreshToken(probe);
    const [first, second] = await Promise.all([refreshTokens(probe, own.refreshToken), refreshTokens(probe, own.refreshToken)]);
    const won = [first, second].filter((answer) => answer.tokens !== undefined).length;
    const seen = `${describeAnswer(first)}; ${describeAnswer(second)}`;
    if (won === 1) return pass(`exactly one of two concurrent refreshes got tokens (${seen})`);
    if (won === 2) return warn(`both of two concurrent refreshes with one refresh token got tokens (${seen}): a race or a grace window`);
    return inconclusive(`neither of two concurrent refreshes got tokens (${seen})`);
  },
};
