import type { Check } from '../../check.js';
import type { ProbeResponse } from '../../guarded-fetch.js';
import { register } from '../../registration.js';
import { fail, inconclusive, notApplicable, pass, type Verdict } from '../../verdict.js';
import { describeOutcome, outcomeOf } from './registration-probe.js';

/** The most registrations the burst sends: enough to meet any sane limit, far from load. */
export const RATE_LIMIT_BURST = 20;

/**
 * REG-06 (opt-in, `--probe-rate-limit`): open registration is rate-limited. Up to 20 valid
 * registrations in a row must meet a 429 (RFC 6585 §4); none within them is Low (anyone can fill
 * the client table). `Access-Control-Allow-Origin: *` on registration is reported, never failed:
 * browser-based MCP clients need it, and registration carries no credentials.
 * @see RFC 7591 §3 (open registration requests "MAY be rate-limited ... to prevent a denial-of-service attack"); RFC 6585 §4
 */
export const REG_06: Check = {
  id: 'REG-06',
  async run(probe) {
    if (!probe.settings.probeRateLimit) return notApplicable('opt-in: sends a burst of registrations; run with --probe-rate-limit');
    const baseline = await probe.fact('registrationBaseline');
    const responses: ProbeResponse[] = [baseline.accepted.response];
    let verdict: Verdict | undefined;
    for (let sent = 1; sent <= RATE_LIMIT_BURST && verdict === undefined; sent++) {
      const registration = await register(probe, baseline.endpoint, { ...baseline.metadata });
      responses.push(registration.response);
      if (registration.response.status === 429) {
        const retryAfter = registration.response.headers.get('retry-after');
        verdict = pass(`registration ${sent} of the burst was answered 429${retryAfter !== null ? ', with Retry-After' : ''}`);
        continue;
      }
      const outcome = outcomeOf(registration);
      if (outcome.kind !== 'accepted') verdict = inconclusive(`registration ${sent} of the burst was ${describeOutcome(outcome)}, neither a client nor a 429`);
    }
    const cors = responses.some((response) => response.headers.get('access-control-allow-origin') === '*')
      ? '; registration answers Access-Control-Allow-Origin: * (info: browser-based clients need it)'
      : '';
    const kept = baseline.accepted.manageable ? '' : '; the server offers no RFC 7592 deletion, so these clients stay registered';
    if (verdict === undefined) return fail(`${RATE_LIMIT_BURST} registrations in a row were all accepted, none answered 429${cors}${kept}`);
    return { ...verdict, summary: `${verdict.summary}${cors}${kept}` };
  },
};
