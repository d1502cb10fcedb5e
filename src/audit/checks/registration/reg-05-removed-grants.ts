import type { Check } from '../../check.js';
import { fail, inconclusive, pass } from '../../verdict.js';
import { describeOutcome, registerChanged, registeredWith } from './registration-probe.js';

/**
 * REG-05: OAuth 2.1 removed the implicit grant (tokens in the redirect) and the password grant
 * (the client sees the user's password); registration must not hand them out. Each probe adds one
 * to the baseline's list, so a server that only looks for `authorization_code` is caught too:
 * `grant_types` with `implicit`, `grant_types` with `password`, `response_types` with `token`.
 * Accepted with the value dropped from the registered client (RFC 7591 §3.2.1) is no flaw.
 * @see RFC 7591 §2 (`grant_types`, `response_types`); OAuth 2.1 §1 (removed grants), §10
 */
export const REG_05: Check = {
  id: 'REG-05',
  async run(probe) {
    const baseline = await probe.fact('registrationBaseline');
    const grants = baseline.metadata['grant_types'] as string[];
    const responseTypes = baseline.metadata['response_types'] as string[];
    const probes = [
      { field: 'grant_types', value: 'implicit', list: [...grants, 'implicit'] },
      { field: 'grant_types', value: 'password', list: [...grants, 'password'] },
      { field: 'response_types', value: 'token', list: [...responseTypes, 'token'] },
    ];
    const accepted: string[] = [];
    const seen: string[] = [];
    const unclear: string[] = [];
    for (const { field, value, list } of probes) {
      const outcome = await registerChanged(probe, baseline, field, list);
      const label = `${value} in ${field}`;
      if (outcome.kind === 'accepted') {
        if (registeredWith(outcome.registration, field, value) === 'kept') accepted.push(label);
        else seen.push(`${label}: accepted with ${value} removed`);
      } else if (outcome.kind === 'unattributable') unclear.push(`${label}: ${describeOutcome(outcome)}`);
      else seen.push(`${label}: ${describeOutcome(outcome)}`);
    }
    if (accepted.length > 0) return fail(`a client was registered with ${accepted.join(' and with ')}`);
    if (unclear.length > 0) return inconclusive(`the valid registration was accepted, but not these: ${unclear.join('; ')}`);
    return pass(seen.join('; '));
  },
};
