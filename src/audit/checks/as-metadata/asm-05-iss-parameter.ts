import type { Check } from '../../check.js';
import { fail, pass } from '../../verdict.js';

/**
 * ASM-05: `authorization_response_iss_parameter_supported` is true: the authorization response
 * names its issuer, so a client talking to several servers can tell whose code it received
 * (mix-up attacks) instead of sending it to the wrong token endpoint.
 * @see RFC 9207 §2, §3; RFC 9700 §4.4; MCP Authorization (2026-07-28)
 */
export const ASM_05: Check = {
  id: 'ASM-05',
  async run(probe) {
    const { metadata } = await probe.fact('authorizationServer');
    const supported = metadata['authorization_response_iss_parameter_supported'];
    if (supported === true) return pass('authorization_response_iss_parameter_supported: true');
    return fail(
      supported === undefined
        ? 'authorization_response_iss_parameter_supported is absent: a client cannot rely on iss in the response to detect mix-up'
        : `authorization_response_iss_parameter_supported is ${JSON.stringify(supported)}, not true`,
    );
  },
};
