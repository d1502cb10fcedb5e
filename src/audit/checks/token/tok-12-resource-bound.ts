import type { Check } from '../../check.js';
import { authorizeForCode } from '../../login/authorize.js';
import { siblingResource } from '../resource/resource-probe.js';
import { foreignResourceVerdict } from './foreign-resource.js';
import { redemptionParameters, requestTokens, withTokenParameter } from './token-probe.js';

/**
 * TOK-12: the token endpoint keeps the resource that was authorized. A fresh code, authorized for
 * the MCP URL, is redeemed with `resource` naming a sibling resource on the same origin: it must
 * be refused with `invalid_target`, or the access token must still be for the MCP URL. A token for
 * a resource the user never authorized is a token the user never agreed to.
 * @see RFC 8707 §2.2; MCP Authorization (2026-07-28) "Resource Parameter Implementation"
 */
export const TOK_12: Check = {
  id: 'TOK-12',
  async run(probe) {
    const authorization = await authorizeForCode(probe);
    const sibling = siblingResource(probe.settings.target);
    const answer = await requestTokens(probe, withTokenParameter(redemptionParameters(probe, authorization), 'resource', sibling));
    return foreignResourceVerdict(probe, `a resource other than the authorized one (${sibling})`, answer);
  },
};
