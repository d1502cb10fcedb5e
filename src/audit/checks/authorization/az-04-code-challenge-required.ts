import { withParameter } from '../../authorization-request.js';
import type { Check } from '../../check.js';
import { registeredRedirectUris, sendAuthorizationProbe } from './authorization-probe.js';
import { mustBeRefused, verdictOf } from './findings.js';

/**
 * AZ-04: an authorization request without `code_challenge` is refused. PKCE is required of every
 * client by OAuth 2.1 and by MCP; a server that lets a request through without it leaves the code
 * open to interception and injection (TOK-07 then sees whether any verifier is taken).
 * @see OAuth 2.1 §4.1.1; RFC 7636 §4.4.1; MCP Authorization (2026-07-28) "Authorization Code Protection"
 */
export const AZ_04: Check = {
  id: 'AZ-04',
  async run(probe) {
    const { request } = await probe.fact('authorizationBaseline');
    const registered = await registeredRedirectUris(probe);
    const outcome = await sendAuthorizationProbe(probe, withParameter(request, 'code_challenge', undefined), registered);
    return verdictOf([mustBeRefused('no code_challenge', outcome)]);
  },
};
