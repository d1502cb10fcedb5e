import type { Check } from '../../check.js';
import { siblingResource } from '../resource/resource-probe.js';
import { foreignResourceVerdict } from '../token/foreign-resource.js';
import { obtainOwnRefreshToken, refreshTokens } from '../token/token-probe.js';

/**
 * RT-05: a refresh keeps the grant's resource. A fresh grant for the MCP URL is refreshed with
 * `resource` naming a sibling resource on the same origin: it must be refused with
 * `invalid_target` (or the token issued must still be for the MCP URL, as TOK-12 allows at the
 * token endpoint). A refresh token good for any resource turns one consent into all of them.
 * @see RFC 8707 §2.2; RFC 6749 §6
 */
export const RT_05: Check = {
  id: 'RT-05',
  async run(probe) {
    const own = await obtainOwnRefreshToken(probe);
    const sibling = siblingResource(probe.settings.target);
    const answer = await refreshTokens(probe, own.refreshToken, [['resource', sibling]]);
    return foreignResourceVerdict(probe, `a refresh for a resource other than the authorized one (${sibling})`, answer);
  },
};
