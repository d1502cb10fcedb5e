import { canonicalResource } from '../../../core/resource-uri.js';
import { baselineAuthorizationRequest, withParameter } from '../../authorization-request.js';
import type { Check } from '../../check.js';
import type { Probe } from '../../probe.js';
import { fail, inconclusive, pass, type Verdict } from '../../verdict.js';
import { authorizeChanged, describeAnswer, redemptionParameters, requestTokens, withTokenParameter } from '../token/token-probe.js';
import { audiencesOf, describeResourceAnswer, jwtClaimsOf, namesResource, presentToken, siblingResource } from './resource-probe.js';

/** The baseline access token's own standing at the MCP URL: accepted, and, for a JWT, an `aud` naming the MCP URL. */
async function ownTokenVerdict(probe: Probe, sibling: string): Promise<Verdict> {
  const { tokens } = await probe.fact('tokenBaseline');
  const { use, response } = await presentToken(probe, tokens.access_token);
  if (use !== 'accepted')
    return inconclusive(`no token for ${sibling} was issued, but the MCP URL's own token was answered ${describeResourceAnswer(response)}`);
  const claims = jwtClaimsOf(tokens.access_token);
  if (claims === undefined) return pass(`no token for ${sibling} was issued, and the MCP URL's own (opaque) token works`);
  const audiences = audiencesOf(claims);
  if (!namesResource(audiences, canonicalResource(probe.settings.target.href))) {
    return fail(`the MCP URL accepts a JWT access token whose aud (${JSON.stringify(audiences)}) does not name it`);
  }
  return pass(`no token for ${sibling} was issued, and the MCP URL's own JWT names it in aud and works`);
}

/**
 * RS-03: tokens are bound to their audience. The auditor asks for a token for a sibling resource
 * (`<MCP URL>-sibling`, on the same origin, as a second MCP server of the same operator): an
 * authorization for it, redeemed for it. A token issued for the sibling and accepted at the MCP
 * URL is critical: any MCP server that shares the authorization server can replay its callers'
 * tokens here. Refused at the sibling, the question is the MCP URL's own token: it must work, and
 * a JWT must name the MCP URL in `aud` (accepted without: fail).
 * @see MCP Authorization (2026-07-28) "Token Audience Binding and Validation", "Access Token Privilege Restriction"; RFC 8707 §2; RFC 9068 §4
 */
export const RS_03: Check = {
  id: 'RS-03',
  async run(probe) {
    const sibling = siblingResource(probe.settings.target);
    const request = withParameter(await baselineAuthorizationRequest(probe), 'resource', sibling);
    const authorization = await authorizeChanged(probe, request);
    if ('refused' in authorization) return ownTokenVerdict(probe, sibling);
    const answer = await requestTokens(probe, withTokenParameter(redemptionParameters(probe, { code: authorization.code, request }), 'resource', sibling));
    if (answer.tokens === undefined) return ownTokenVerdict(probe, sibling);
    const { use, response } = await presentToken(probe, answer.tokens.accessToken);
    if (use === 'accepted' || use === 'forbidden') {
      return fail(`a token issued for ${sibling} was accepted at the MCP URL (${describeResourceAnswer(response)})`);
    }
    if (use === 'refused')
      return pass(`a token was issued for ${sibling} (${describeAnswer(answer)}), and the MCP URL refuses it (${describeResourceAnswer(response)})`);
    return inconclusive(`a token was issued for ${sibling}, and the MCP URL answered it ${describeResourceAnswer(response)}`);
  },
};
