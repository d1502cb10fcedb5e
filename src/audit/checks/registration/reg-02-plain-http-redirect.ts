import type { Check } from '../../check.js';
import { fail, inconclusive, pass } from '../../verdict.js';
import { describeOutcome, registerChanged, registeredWith } from './registration-probe.js';

const PLAIN_HTTP = 'http://portcullis-audit.example/callback';
const FOREIGN_HTTPS = 'https://portcullis-audit.example/callback';

/**
 * REG-02: open registration refuses a plain `http://` redirect URI off loopback (codes would
 * travel in the clear; only a loopback `http` redirect is allowed, for native apps). Then, for the
 * record, whether an https redirect URI on any host is accepted: that is what open registration
 * is, so it never fails here, but it makes the consent checks (AZ-13, AZ-14) what stands between
 * an attacker's client and a user's code.
 * @see OAuth 2.1 §1.5, §2.3.1; RFC 8252 §7.3, §8.3; MCP Authorization (2026-07-28) "Communication Security"
 */
export const REG_02: Check = {
  id: 'REG-02',
  async run(probe) {
    const baseline = await probe.fact('registrationBaseline');
    const http = await registerChanged(probe, baseline, 'redirect_uris', [PLAIN_HTTP]);
    if (http.kind === 'accepted' && registeredWith(http.registration, 'redirect_uris', PLAIN_HTTP) === 'kept') {
      return fail(`a client was registered with the plain-http redirect URI ${PLAIN_HTTP}`);
    }
    if (http.kind === 'unattributable') return inconclusive(`the valid registration was accepted, but one with ${PLAIN_HTTP} was ${describeOutcome(http)}`);
    const https = await registerChanged(probe, baseline, 'redirect_uris', [FOREIGN_HTTPS]);
    const info =
      https.kind === 'accepted'
        ? `an https redirect URI on any host (${FOREIGN_HTTPS}) is accepted, so consent (AZ-13, AZ-14) is what protects users from a registered attacker`
        : `an https redirect URI on a foreign host (${FOREIGN_HTTPS}) was ${describeOutcome(https)}`;
    const httpSeen = http.kind === 'refused' ? describeOutcome(http) : 'accepted with the URI removed';
    return pass(`${PLAIN_HTTP}: ${httpSeen}; ${info}`);
  },
};
