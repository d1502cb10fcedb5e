import { withParameter } from '../../authorization-request.js';
import type { Check } from '../../check.js';
import { registeredRedirectUris, sendAuthorizationProbe } from './authorization-probe.js';
import { mustBeRefused, verdictOf } from './findings.js';

/**
 * AZ-06: an S256 challenge that is not 43 base64url characters (the encoding of a SHA-256 digest)
 * is refused: one too short, one too long, one with a character outside base64url. A server that
 * stores any string cannot have checked it, and a client that sends one is broken.
 * @see RFC 7636 §4.2
 */
export const AZ_06: Check = {
  id: 'AZ-06',
  async run(probe) {
    const { request } = await probe.fact('authorizationBaseline');
    const registered = await registeredRedirectUris(probe);
    const challenge = request.parameters.find(([name]) => name === 'code_challenge')?.[1] ?? '';
    const malformed: [string, string][] = [
      ['a 42-character code_challenge', challenge.slice(0, 42)],
      ['a 44-character code_challenge', `${challenge}A`],
      ['a code_challenge with a character outside base64url', `${challenge.slice(0, 42)}.`],
    ];
    const findings = [];
    for (const [label, value] of malformed) {
      findings.push(mustBeRefused(label, await sendAuthorizationProbe(probe, withParameter(request, 'code_challenge', value), registered)));
    }
    return verdictOf(findings);
  },
};
