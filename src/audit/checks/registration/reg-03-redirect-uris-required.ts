import type { Check } from '../../check.js';
import { fail, inconclusive, pass } from '../../verdict.js';
import { describeOutcome, registerChanged } from './registration-probe.js';

/**
 * REG-03: a client of the authorization code grant must register its redirect URIs: an empty
 * `redirect_uris`, or none at all, is refused. A server that takes one has nothing to compare a
 * request's redirect URI with, and ends up sending codes wherever a request says.
 * @see RFC 7591 §2 (`redirect_uris`); RFC 6749 §3.1.2.2; OAuth 2.1 §2.3
 */
export const REG_03: Check = {
  id: 'REG-03',
  async run(probe) {
    const baseline = await probe.fact('registrationBaseline');
    const empty = await registerChanged(probe, baseline, 'redirect_uris', []);
    const missing = await registerChanged(probe, baseline, 'redirect_uris', undefined);
    const accepted = [empty.kind === 'accepted' ? 'an empty redirect_uris' : undefined, missing.kind === 'accepted' ? 'no redirect_uris' : undefined].filter(
      (what) => what !== undefined,
    );
    if (accepted.length > 0) return fail(`a code-grant client was registered with ${accepted.join(' and with ')}`);
    if (empty.kind !== 'refused' || missing.kind !== 'refused') {
      return inconclusive(`the valid registration was accepted; an empty redirect_uris was ${describeOutcome(empty)}, none at all ${describeOutcome(missing)}`);
    }
    return pass(`an empty redirect_uris: ${describeOutcome(empty)}; none at all: ${describeOutcome(missing)}`);
  },
};
