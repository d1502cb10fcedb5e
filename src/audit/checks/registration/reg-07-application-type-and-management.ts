import type { Check } from '../../check.js';
import { inconclusive, notApplicable, pass, type Verdict, warn } from '../../verdict.js';
import { describeOutcome, registerChanged } from './registration-probe.js';

/**
 * REG-07 (info, never fails): what registration does with a client that sends no
 * `application_type` (MCP clients must send one since SEP-837, because an OpenID server that
 * gets none assumes `web`, and a web client may not have the loopback redirect URIs CLI and
 * desktop clients use; older clients still send none), and whether RFC 7592 management came
 * back, which is what lets the auditor delete the clients it registered.
 * @see MCP Authorization (2026-07-28) "Dynamic Client Registration" (SEP-837); OpenID Connect Dynamic Client Registration 1.0 §2; RFC 7592 §2.3
 */
export const REG_07: Check = {
  id: 'REG-07',
  async run(probe) {
    const baseline = await probe.fact('registrationBaseline');
    const outcome = await registerChanged(probe, baseline, 'application_type', undefined);
    let applicationType: Verdict;
    if (outcome.kind === 'accepted') {
      const registered = outcome.registration.body?.['application_type'];
      const as = typeof registered === 'string' && /^[\w-]{1,32}$/.test(registered) ? ` (registered as ${registered})` : '';
      applicationType = pass(`a loopback-redirect client without application_type was accepted${as}`);
    } else if (outcome.kind === 'refused') {
      applicationType = warn(
        `a loopback-redirect client without application_type was ${describeOutcome(outcome)}: clients from before SEP-837 cannot register`,
      );
    } else if (outcome.status === 429 && probe.settings.probeRateLimit) {
      // REG-06's burst, which runs first, spends the registrations the server allows.
      return notApplicable('not reached: registration is rate-limited (429) after the burst of REG-06 (--probe-rate-limit)');
    } else {
      return inconclusive(`the valid registration was accepted; one without application_type was ${describeOutcome(outcome)}`);
    }
    if (!baseline.accepted.manageable) {
      return {
        ...applicationType,
        summary: `${applicationType.summary}; no RFC 7592 management came back (registration_client_uri, registration_access_token), so the clients the auditor registered stay registered`,
      };
    }
    const deleted = outcome.kind === 'accepted' ? await outcome.registration.remove() : undefined;
    if (deleted !== undefined && (deleted < 200 || deleted >= 300)) {
      return warn(`${applicationType.summary}; RFC 7592 management came back, but deleting a client with it was answered ${deleted}`);
    }
    const shown = deleted !== undefined ? ` (this check's client: ${deleted})` : '';
    return { ...applicationType, summary: `${applicationType.summary}; RFC 7592 management came back: the auditor deletes its clients${shown}` };
  },
};
