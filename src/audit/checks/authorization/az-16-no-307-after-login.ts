import type { Check } from '../../check.js';
import { fail, notApplicable, pass } from '../../verdict.js';

/**
 * AZ-16: after the browser POSTs the user's credentials (or consent), the server redirects with
 * 303 or 302, never 307 or 308, which make the browser POST the same body, password included,
 * to the next address, possibly the client's.
 * @see RFC 9700 §4.12; RFC 9110 §15.4.8
 */
export const AZ_16: Check = {
  id: 'AZ-16',
  async run(probe) {
    const { authorization } = await probe.fact('tokenBaseline');
    const { hops } = authorization.completed;
    if (hops.length === 0) return notApplicable('the redirects of an external browser cannot be seen: run with --browser auto');
    const posts = hops.filter((hop) => hop.method === 'POST');
    if (posts.length === 0) return notApplicable('the baseline authorization posted no form (the server approved at once)');
    const repeated = posts.filter((hop) => hop.status === 307 || hop.status === 308);
    if (repeated.length > 0) return fail(`a form POST was answered ${repeated[0]!.status}: the browser would post the same body on to the next address`);
    return pass(`the ${posts.length} form POST(s) were answered ${[...new Set(posts.map((hop) => hop.status))].join(', ')}`);
  },
};
