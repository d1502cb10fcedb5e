import type { Check } from '../../check.js';
import { fail, pass } from '../../verdict.js';

const OFFLINE_ACCESS = 'offline_access';

/**
 * DISC-06: the resource does not ask for `offline_access`, in its challenge's `scope` or its
 * metadata's `scopes_supported`: whether a client gets a refresh token is between the client and
 * the authorization server, and a resource that lists it makes every client ask for long-lived
 * access it may not need.
 * @see MCP Authorization (2026-07-28) "Refresh Tokens" (SEP-2207), "Scope Selection Strategy"
 */
export const DISC_06: Check = {
  id: 'DISC-06',
  async run(probe) {
    const challenge = await probe.fact('challenge');
    const { document } = await probe.fact('resourceMetadata');
    const challenged = (challenge.bearer?.['scope'] ?? '').split(' ').filter((scope) => scope !== '');
    const supported = document['scopes_supported'];
    const listed = Array.isArray(supported) ? supported.filter((scope): scope is string => typeof scope === 'string') : [];
    const where = [...(challenged.includes(OFFLINE_ACCESS) ? ["the challenge's scope"] : []), ...(listed.includes(OFFLINE_ACCESS) ? ['scopes_supported'] : [])];
    if (where.length > 0) return fail(`${OFFLINE_ACCESS} is in ${where.join(' and ')}: the resource asks every client for a refresh token`);
    const scopes = [...new Set([...challenged, ...listed])];
    return pass(scopes.length === 0 ? 'no scopes named' : `scopes named: ${scopes.join(' ')}`);
  },
};
