import { randomSecret } from '../../../core/secrets.js';
import { withParameter } from '../../authorization-request.js';
import type { Check } from '../../check.js';
import { sendAuthorizationProbe } from './authorization-probe.js';
import { mustNotRedirect, verdictOf } from './findings.js';

/**
 * AZ-03: an unknown `client_id` is answered with an error page and no redirect: with no client,
 * no redirect URI is registered, so none can have been validated. The probe is the valid request
 * with a client_id no server issued; its redirect_uri is the auditor's registered one, so a server
 * that looks the URI up among all clients, not the requesting one's, is caught too.
 * @see RFC 6749 §4.1.2.1 ("MUST NOT automatically redirect the user-agent to the invalid redirection URI")
 */
export const AZ_03: Check = {
  id: 'AZ-03',
  async run(probe) {
    const { request } = await probe.fact('authorizationBaseline');
    const canary = await probe.fact('canary');
    const unknown = withParameter(request, 'client_id', `portcullis-audit-unknown-${randomSecret(9)}`);
    const outcome = await sendAuthorizationProbe(probe, unknown, []);
    return verdictOf([mustNotRedirect('an unknown client_id', outcome, [], { presented: request.redirectUri, canary, grantedSeverity: 'critical' })]);
  },
};
