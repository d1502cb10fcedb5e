import type { Check } from '../../check.js';
import { fail, inconclusive, notApplicable, pass } from '../../verdict.js';
import { describeResourceAnswer, presentToken } from '../resource/resource-probe.js';
import { describeAnswer, obtainOwnRefreshToken, refreshTokens } from '../token/token-probe.js';
import { revocationEndpointOf, revoke } from './revocation-probe.js';

/**
 * REV-01 (second client): a client revokes only its own tokens. Client B asks the revocation
 * endpoint to revoke the access token and the refresh token of a fresh grant of the auditor's
 * client A (any answer will do: RFC 7009 lets the server refuse or say 200); then A's access
 * token must still work at the MCP endpoint and its refresh token must still refresh. Otherwise
 * any client can sign out any user whose token it sees. Destructive: a grant of its own.
 * @see RFC 7009 §2.1 ("verifies whether the token was issued to the client making the revocation request. If this validation fails, the request is refused")
 */
export const REV_01: Check = {
  id: 'REV-01',
  async run(probe) {
    const endpoint = await revocationEndpointOf(probe);
    if (endpoint === undefined) return notApplicable('the authorization server has no revocation_endpoint the auditor may use');
    const other = await probe.fact('secondClient');
    const own = await obtainOwnRefreshToken(probe);
    const accessToken = own.tokens.accessToken;
    const before = await presentToken(probe, accessToken);
    if (before.use !== 'accepted') return inconclusive(`a fresh access token was answered ${describeResourceAnswer(before.response)} before any revocation`);
    const statuses = [await revoke(probe, endpoint, accessToken, other), await revoke(probe, endpoint, own.refreshToken, other)];
    const asked = `another client asked to revoke the auditor's access and refresh tokens (answered ${statuses.join(', ')})`;
    const after = await presentToken(probe, accessToken);
    const refreshed = await refreshTokens(probe, own.refreshToken);
    const dead = [
      ...(after.use === 'refused' ? [`the access token stopped working (${describeResourceAnswer(after.response)})`] : []),
      ...(refreshed.tokens === undefined ? [`the refresh token stopped refreshing (${describeAnswer(refreshed)})`] : []),
    ];
    if (dead.length > 0) return fail(`${asked}, and ${dead.join(', and ')}`);
    if (after.use !== 'accepted') return inconclusive(`${asked}; the access token was then answered ${describeResourceAnswer(after.response)}`);
    return pass(`${asked}; both still work`);
  },
};
