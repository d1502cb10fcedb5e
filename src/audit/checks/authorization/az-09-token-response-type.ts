import { withParameter } from '../../authorization-request.js';
import type { Check } from '../../check.js';
import { registeredRedirectUris, sendAuthorizationProbe } from './authorization-probe.js';
import { mustBeRefused, verdictOf } from './findings.js';

/**
 * AZ-09: `response_type=token` (the implicit grant, removed by OAuth 2.1) is refused. An access
 * token in a redirect's fragment leaks through browser history, referrers and injected scripts.
 * A server that ignores the parameter and sends a code is a lesser fault: a warning.
 * @see OAuth 2.1 §1 and §10.1 (implicit grant removed); RFC 9700 §2.1.2
 */
export const AZ_09: Check = {
  id: 'AZ-09',
  async run(probe) {
    const { request } = await probe.fact('authorizationBaseline');
    const registered = await registeredRedirectUris(probe);
    const outcome = await sendAuthorizationProbe(probe, withParameter(request, 'response_type', 'token'), registered);
    if (outcome.kind === 'granted' && !outcome.parameters.has('access_token')) {
      return verdictOf([{ label: 'response_type=token', status: 'warn', seen: 'ignored: the server answered with a code, as for response_type=code' }]);
    }
    return verdictOf([mustBeRefused('response_type=token', outcome)]);
  },
};
