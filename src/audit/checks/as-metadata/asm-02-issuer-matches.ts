import { isLoopbackHttpUrl } from '../../../core/plain-http.js';
import type { Check } from '../../check.js';
import { fail, pass } from '../../verdict.js';
import { shown } from './advertised-urls.js';

/**
 * ASM-02: the metadata's `issuer` is, character for character, the issuer the protected-resource
 * metadata named and the discovery URL was built from, an https URL (plain http only on loopback)
 * without query or fragment. A client must refuse metadata whose issuer differs (RFC 8414 §3.3):
 * that comparison is what stops one server's metadata from impersonating another's (mix-up).
 * @see RFC 8414 §2, §3.3; MCP Authorization (2026-07-28) "Authorization Server Metadata Discovery"
 */
export const ASM_02: Check = {
  id: 'ASM-02',
  async run(probe) {
    const { issuer: named, metadata } = await probe.fact('authorizationServer');
    const issuer = metadata['issuer'];
    if (typeof issuer !== 'string') return fail('the metadata has no issuer: a client cannot check it is the server it asked for');
    if (issuer !== named) return fail(`issuer ${shown(issuer)} is not ${shown(named)}, the issuer the metadata was looked up for: a client must refuse it`);
    const url = new URL(issuer);
    if (url.protocol !== 'https:' && !isLoopbackHttpUrl(url)) return fail(`issuer ${shown(issuer)} is not https`);
    // The URL parser drops an empty `?` or `#`: look at the characters.
    if (issuer.includes('?') || issuer.includes('#')) return fail(`issuer ${shown(issuer)} has a query or fragment, which an issuer never has`);
    return pass(`issuer ${shown(issuer)} is the one the protected-resource metadata names`);
  },
};
