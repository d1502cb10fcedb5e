import type { Check } from '../../check.js';
import { fail, pass } from '../../verdict.js';
import { shown } from './advertised-urls.js';

/**
 * ASM-10: a `revocation_endpoint` is advertised, so a client can end its tokens when the user
 * signs out or removes it.
 * @see RFC 7009 §2; RFC 8414 §2
 */
export const ASM_10: Check = {
  id: 'ASM-10',
  async run(probe) {
    const { metadata } = await probe.fact('authorizationServer');
    const endpoint = metadata['revocation_endpoint'];
    if (typeof endpoint !== 'string') return fail('no revocation_endpoint: a client cannot revoke its tokens');
    if (!URL.canParse(endpoint)) return fail(`revocation_endpoint ${shown(endpoint)} is not a URL`);
    return pass(`revocation_endpoint ${shown(endpoint)}`);
  },
};
