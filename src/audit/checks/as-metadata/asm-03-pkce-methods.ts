import type { Check } from '../../check.js';
import { fail, pass } from '../../verdict.js';

/**
 * ASM-03: `code_challenge_methods_supported` is advertised, with S256 and without `plain`. MCP
 * clients MUST refuse an authorization server that does not advertise it (they cannot know PKCE
 * is enforced), and `plain` sends the verifier's equivalent through the browser, where an
 * attacker who reads the authorization request can use the code.
 * @see RFC 8414 §2; RFC 7636 §4.2, §7.2; MCP Authorization (2026-07-28) "Authorization Code Protection"
 */
export const ASM_03: Check = {
  id: 'ASM-03',
  async run(probe) {
    const { metadata } = await probe.fact('authorizationServer');
    const methods = metadata['code_challenge_methods_supported'];
    if (methods === undefined) return fail('code_challenge_methods_supported is absent: MCP clients must refuse this server, and PKCE may not be enforced');
    if (!Array.isArray(methods) || !methods.every((method) => typeof method === 'string'))
      return fail('code_challenge_methods_supported is not an array of strings');
    if (!methods.includes('S256')) return fail(`code_challenge_methods_supported is ${JSON.stringify(methods)}, without S256`);
    if (methods.includes('plain')) return fail(`code_challenge_methods_supported lists plain (${JSON.stringify(methods)}): offer S256 only`, 'medium');
    return pass(`code_challenge_methods_supported: ${JSON.stringify(methods)}`);
  },
};
