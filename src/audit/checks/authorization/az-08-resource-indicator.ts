import { withParameter } from '../../authorization-request.js';
import type { Check } from '../../check.js';
import { registeredRedirectUris, sendAuthorizationProbe } from './authorization-probe.js';
import { type Finding, mustBeRefused, verdictOf } from './findings.js';

/**
 * AZ-08: a `resource` the server must not issue for is refused with `invalid_target`: one with a
 * fragment and a relative one (RFC 8707 §2: an absolute URI without a fragment), and a foreign
 * one (a token for another server's audience is one that server may accept). A refusal with
 * another error code is a warning.
 * @see RFC 8707 §2; MCP Authorization (2026-07-28) "Resource Parameter Implementation"
 */
export const AZ_08: Check = {
  id: 'AZ-08',
  async run(probe) {
    const { request } = await probe.fact('authorizationBaseline');
    const registered = await registeredRedirectUris(probe);
    const resource = request.parameters.find(([name]) => name === 'resource')?.[1] ?? probe.settings.target.href;
    const target = new URL(resource);
    const bad: [string, string][] = [
      ['a resource with a fragment', `${resource}#fragment`],
      ['a relative resource', `${target.pathname}${target.search}`],
      ['a foreign resource', 'https://foreign-resource.invalid/mcp'],
    ];
    const findings: Finding[] = [];
    for (const [label, value] of bad) {
      const outcome = await sendAuthorizationProbe(probe, withParameter(request, 'resource', value), registered);
      const finding = mustBeRefused(label, outcome);
      if (outcome.kind === 'refused' && outcome.error !== undefined && outcome.error !== 'invalid_target') {
        findings.push({ label, status: 'warn', seen: `refused with ${outcome.error}, where RFC 8707 §2 names invalid_target` });
      } else findings.push(finding);
    }
    return verdictOf(findings);
  },
};
