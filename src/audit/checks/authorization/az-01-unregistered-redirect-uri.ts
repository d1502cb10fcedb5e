import { withParameter } from '../../authorization-request.js';
import type { Check } from '../../check.js';
import { registeredRedirectUris, sendAuthorizationProbe } from './authorization-probe.js';
import { mustNotRedirect, verdictOf } from './findings.js';

/**
 * AZ-01: a redirect URI that is not registered for the client is answered with an error page,
 * never a redirect. The probe is the valid request with `redirect_uri` on a new path of the
 * auditor's canary: a code sent there is a code an attacker's page would receive. An error
 * redirected there is an open redirector (medium); a code, the theft itself (critical).
 * @see RFC 6749 §3.1.2.4, §4.1.2.1; OAuth 2.1 §2.3.1
 */
export const AZ_01: Check = {
  id: 'AZ-01',
  async run(probe) {
    const { request } = await probe.fact('authorizationBaseline');
    const canary = await probe.fact('canary');
    const registered = await registeredRedirectUris(probe);
    const presented = canary.newRedirectUri();
    const outcome = await sendAuthorizationProbe(probe, withParameter(request, 'redirect_uri', presented), registered);
    return verdictOf([mustNotRedirect('an unregistered redirect_uri', outcome, registered, { presented, canary, errorSeverity: 'medium' })]);
  },
};
