import type { Check } from '../../check.js';
import { fail, inconclusive, notApplicable, pass, warn } from '../../verdict.js';
import { revokedTokenUse } from '../resource/tokens-in-use.js';
import { describeAnswer, obtainOwnRefreshToken, refreshTokens } from '../token/token-probe.js';

/**
 * RT-02: reuse of a rotated-out refresh token is theft detection. A fresh grant's refresh token
 * R0 is rotated to R1 (with its access token A1), then R0 is presented again, at once: it must
 * be refused, and that reuse must end the family, so R1 no longer refreshes and A1 no longer
 * works at the MCP endpoint (one of attacker and client holds R1, and the server cannot tell
 * which). A1, presented only then (so no cache of verified tokens holds it), still working is a
 * warning: RFC 9700 asks for the refresh token's revocation, and the access token's is a SHOULD
 * of RFC 7009 §2.1. A grace window (a reuse accepted at 0 s) fails here; `--grace` is not
 * built. Destructive: it spends a grant of its own.
 * @see RFC 9700 §4.14.2 ("the authorization server … revokes the active refresh token" on reuse); OAuth 2.1 §4.3.1
 */
export const RT_02: Check = {
  id: 'RT-02',
  async run(probe) {
    const own = await obtainOwnRefreshToken(probe);
    const rotation = await refreshTokens(probe, own.refreshToken);
    if (rotation.tokens === undefined) return inconclusive(`refreshing a fresh grant's refresh token was answered ${describeAnswer(rotation)}`);
    const newest = rotation.tokens.refreshToken;
    if (newest === undefined || newest === own.refreshToken)
      return notApplicable('the refresh token did not rotate (RT-01), so there is no rotated-out one to reuse');
    const accessToken = rotation.tokens.accessToken;
    const reuse = await refreshTokens(probe, own.refreshToken);
    if (reuse.tokens !== undefined) return fail('the rotated-out refresh token was accepted again at once');
    const familyRefresh = await refreshTokens(probe, newest);
    if (familyRefresh.tokens !== undefined) {
      return fail(`the reuse was refused (${describeAnswer(reuse)}), but the newest refresh token still refreshes: the family was not revoked`);
    }
    const after = await revokedTokenUse(probe, accessToken);
    const reused = `the reuse was refused (${describeAnswer(reuse)}) and the newest refresh token stopped working (${describeAnswer(familyRefresh)})`;
    if (after === 'accepted' || after === 'forbidden') return warn(`${reused}, but its access token still works at the MCP endpoint`);
    if (after === 'refused') return pass(`${reused}, and so did its access token`);
    return pass(`${reused}; whether its access token was revoked could not be told`);
  },
};
