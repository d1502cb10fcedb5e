import type { Check } from '../../check.js';
import { fail, inconclusive, notApplicable, pass } from '../../verdict.js';
import { describeResourceAnswer, presentToken } from './resource-probe.js';

/**
 * RS-05 (`--foreign-token-file`): the MCP endpoint accepts only tokens its own authorization server
 * issued for it. A token the user brings from another issuer (an upstream identity provider, a
 * sibling service) must get 401: a server that takes, and perhaps passes on, upstream tokens is
 * the token-passthrough anti-pattern. `na` without a token to try.
 * @see MCP Security Best Practices "Token Passthrough"; MCP Authorization (2026-07-28) "Token Handling"
 */
export const RS_05: Check = {
  id: 'RS-05',
  async run(probe) {
    const token = probe.settings.foreignToken;
    if (token === undefined) return notApplicable('needs a token of another issuer: give --foreign-token-file');
    const { use, response } = await presentToken(probe, token);
    if (use === 'refused') return pass(`the foreign token was refused (${describeResourceAnswer(response)})`);
    if (use === 'accepted' || use === 'forbidden') return fail(`the foreign token was accepted (${describeResourceAnswer(response)})`);
    return inconclusive(`the foreign token was answered ${describeResourceAnswer(response)}`);
  },
};
