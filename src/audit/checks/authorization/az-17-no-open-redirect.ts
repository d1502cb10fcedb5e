import { randomSecret } from '../../../core/secrets.js';
import { withParameter } from '../../authorization-request.js';
import type { Check } from '../../check.js';
import { registeredRedirectUris, sendAuthorizationProbe } from './authorization-probe.js';
import { type Finding, mustNotRedirect, verdictOf } from './findings.js';

/**
 * AZ-17: the error paths never redirect to a URI that was not validated, which would make the
 * authorization endpoint an open redirector for phishing: an unknown client_id with an
 * unregistered redirect_uri, and an unregistered redirect_uri together with a parameter that is
 * itself an error (an unknown response_type, a missing code_challenge), for servers that check
 * the other parameters before the redirect URI. Each redirect_uri is a new canary path.
 * @see RFC 9700 §4.11.2; RFC 6749 §4.1.2.1
 */
export const AZ_17: Check = {
  id: 'AZ-17',
  async run(probe) {
    const { request } = await probe.fact('authorizationBaseline');
    const canary = await probe.fact('canary');
    const registered = await registeredRedirectUris(probe);
    const findings: Finding[] = [];
    const attempts: [string, (presented: string) => typeof request, readonly string[]][] = [
      [
        'an unknown client_id with an unregistered redirect_uri',
        (presented) => withParameter(withParameter(request, 'client_id', `portcullis-audit-unknown-${randomSecret(9)}`), 'redirect_uri', presented),
        [],
      ],
      [
        'an unregistered redirect_uri with an unknown response_type',
        (presented) => withParameter(withParameter(request, 'response_type', 'portcullis-audit-unknown'), 'redirect_uri', presented),
        registered,
      ],
      [
        'an unregistered redirect_uri without code_challenge',
        (presented) => withParameter(withParameter(request, 'code_challenge', undefined), 'redirect_uri', presented),
        registered,
      ],
    ];
    for (const [label, build, known] of attempts) {
      const presented = canary.newRedirectUri();
      const outcome = await sendAuthorizationProbe(probe, build(presented), known);
      findings.push(mustNotRedirect(label, outcome, known, { presented, canary, grantedSeverity: 'critical' }));
    }
    return verdictOf(findings);
  },
};
