import type { Check } from '../../check.js';
import { auditClientMetadata, register } from '../../registration.js';
import { fail, inconclusive, pass } from '../../verdict.js';
import { describeOutcome, outcomeOf } from './registration-probe.js';

/**
 * REG-04: every registration makes a client of its own. A second registration, with redirect
 * URIs of its own, must get a `client_id` (and a secret, when secrets are issued) other than the
 * first's: a server that hands every registrant the same static client lets any of them redeem
 * the others' codes and refresh tokens, whatever the redirect URIs say.
 * @see RFC 7591 §3.2.1 (`client_id` "SHOULD NOT be currently valid for any other registered client")
 */
export const REG_04: Check = {
  id: 'REG-04',
  async run(probe) {
    const baseline = await probe.fact('registrationBaseline');
    const canary = await probe.fact('canary');
    const first = baseline.accepted;
    const second = outcomeOf(await register(probe, baseline.endpoint, auditClientMetadata([canary.newRedirectUri()])));
    if (second.kind !== 'accepted')
      return inconclusive(`the first registration was accepted, the second (the same metadata, another redirect URI) was ${describeOutcome(second)}`);
    const { clientId, clientSecret } = second.registration;
    if (clientId === first.clientId) return fail('two registrations with different redirect URIs got the same client_id: registrants share one client');
    if (clientSecret !== undefined && clientSecret === first.clientSecret) return fail('two registrations got different client_ids but the same client_secret');
    const secrets = clientSecret !== undefined && first.clientSecret !== undefined ? ' and distinct secrets' : '';
    return pass(`two registrations got distinct client_ids${secrets}`);
  },
};
