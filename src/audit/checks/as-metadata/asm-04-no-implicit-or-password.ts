import type { Check } from '../../check.js';
import { fail, pass } from '../../verdict.js';

/** The string members of an array member, or [] when it is absent or not an array. */
function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/**
 * ASM-04: no response type that returns an access token from the authorization endpoint
 * (`token`, `id_token token`, `code token`: the implicit grant and its hybrids), and no
 * `implicit` or `password` grant. OAuth 2.1 removed both: the one puts tokens in URLs and
 * browser history, the other hands the user's password to the client.
 * @see OAuth 2.1 §1 (differences from OAuth 2.0), §10.1; RFC 9700 §2.1.2, §2.4
 */
export const ASM_04: Check = {
  id: 'ASM-04',
  async run(probe) {
    const { metadata } = await probe.fact('authorizationServer');
    const implicit = strings(metadata['response_types_supported']).filter((type) => type.split(' ').includes('token'));
    const grants = strings(metadata['grant_types_supported']).filter((grant) => grant === 'password' || grant === 'implicit');
    const found = [
      ...(implicit.length > 0 ? [`response_types_supported lists ${implicit.map((type) => JSON.stringify(type)).join(', ')}`] : []),
      ...(grants.length > 0 ? [`grant_types_supported lists ${grants.join(', ')}`] : []),
    ];
    if (found.length > 0) return fail(`${found.join('; ')}: grants OAuth 2.1 removed`);
    return pass(`response types ${JSON.stringify(strings(metadata['response_types_supported']))}, no implicit or password grant`);
  },
};
