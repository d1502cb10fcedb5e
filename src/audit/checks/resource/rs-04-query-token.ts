import type { Check } from '../../check.js';
import { fail, inconclusive, pass } from '../../verdict.js';
import { callResource, describeResourceAnswer, presentToken, tokenUseOf } from './resource-probe.js';

/**
 * RS-04: the MCP endpoint reads tokens from the Authorization header only. The baseline's access
 * token, which works in the header (the control), is sent as `?access_token=` with no header: it
 * must not be accepted (a 401, or a 400 for the malformed request). Tokens in URLs end up in
 * logs, proxies and Referer headers.
 * @see OAuth 2.1 §5.1 (MUST NOT in the query); RFC 6750 §2.3; MCP Authorization (2026-07-28) "Token Requirements"
 */
export const RS_04: Check = {
  id: 'RS-04',
  async run(probe) {
    const { tokens } = await probe.fact('tokenBaseline');
    const control = await presentToken(probe, tokens.access_token);
    if (control.use !== 'accepted')
      return inconclusive(`the token in the Authorization header was answered ${describeResourceAnswer(control.response)}, so no refusal can be attributed`);
    const response = await callResource(probe, { query: { access_token: tokens.access_token } });
    const use = tokenUseOf(response);
    if (use === 'accepted' || use === 'forbidden') return fail(`a token in the query string was accepted (${describeResourceAnswer(response)})`);
    if (response.status === 401 || response.status === 400)
      return pass(`a token in the query string was refused (${describeResourceAnswer(response)}), while the header works`);
    return inconclusive(`a token in the query string was answered ${describeResourceAnswer(response)}`);
  },
};
