import type { Check } from '../../check.js';
import { INITIALIZE_REQUEST, MCP_POST_HEADERS } from '../../facts/challenge.js';
import type { ProbeResponse } from '../../guarded-fetch.js';
import { fail, inconclusive, notApplicable, pass, type Verdict, warn } from '../../verdict.js';

/** The site a DNS-rebinding page is served from. Not DISC-07's origin: a server may trust that one. */
export const FOREIGN_SITE = 'evil.example';

/** What the server did with the changed request, against the tokenless baseline's 401. */
function judge(what: string, response: ProbeResponse | Error, refusals: readonly number[]): Verdict | 'refused' {
  if (response instanceof Error) return inconclusive(`${what} got no answer (${response.message})`);
  const { status } = response;
  if (refusals.includes(status)) return 'refused';
  if (status >= 200 && status < 300) return fail(`${what} was answered ${status}: the endpoint serves a page on another site`);
  if (status === 401) {
    // The same answer as without the header: the header was not looked at, or only after the token.
    return fail(`${what} got the same 401 as any request without a token, not a 403: the endpoint does not check it (or only after the token)`, 'medium');
  }
  if (status >= 400 && status < 500) return warn(`${what} was refused with ${status}, not the 403 the transport asks for`);
  return inconclusive(`${what} was answered ${status}`);
}

/**
 * DISC-08: an MCP endpoint on loopback or a private address refuses a request from a page on
 * another site: a foreign `Origin` with 403 (the Streamable HTTP transport's MUST), and a foreign
 * `Host` (what a DNS-rebinding page sends once its name points at the endpoint) with 403, 421,
 * 400 or 404. Each probe is the tokenless initialize of DISC-01 with that one header changed, so a
 * refusal is the header's doing. `na` for a public target: rebinding reaches what a browser can
 * reach and an attacker cannot.
 * @see MCP Transports (2026-07-28) "Streamable HTTP", security warning; MCP Security Best Practices "Local MCP Server Compromise"
 */
export const DISC_08: Check = {
  id: 'DISC-08',
  async run(probe) {
    const { target, targetKind } = probe.settings;
    if (targetKind !== 'loopback' && targetKind !== 'private')
      return notApplicable(`the target is on a ${targetKind} address: DNS rebinding is a threat to local servers`);
    const challenge = await probe.fact('challenge');
    if (challenge.response.status !== 401) {
      return inconclusive(`initialize without a token was answered ${challenge.response.status}, not 401, so no refusal can be attributed to Origin or Host`);
    }
    // A connection dropped for the changed header is no answer to attribute.
    const send = (header: Record<string, string>) =>
      probe.fetch(target, { method: 'POST', headers: { ...MCP_POST_HEADERS, ...header }, body: INITIALIZE_REQUEST }).catch((error: Error) => error);
    const host = `${FOREIGN_SITE}${target.port === '' ? '' : `:${target.port}`}`;
    const byOrigin = await send({ origin: `https://${FOREIGN_SITE}` });
    const byHost = await send({ host });
    const originVerdict = judge(`a request with Origin https://${FOREIGN_SITE}`, byOrigin, [403]);
    const hostVerdict = judge(`a request with Host ${host}`, byHost, [400, 403, 404, 421]);
    const found = [originVerdict, hostVerdict].filter((verdict): verdict is Verdict => verdict !== 'refused');
    const failures = found.filter((verdict) => verdict.status === 'fail');
    // The worst first: a failure at the check's own severity before a lesser one.
    const worst = failures.find((verdict) => verdict.severity === undefined) ?? failures[0] ?? found[0];
    if (worst !== undefined) return worst;
    const statusOf = (response: ProbeResponse | Error) => (response instanceof Error ? '' : response.status);
    return pass(`a foreign Origin was refused with ${statusOf(byOrigin)}, a foreign Host with ${statusOf(byHost)}`);
  },
};
