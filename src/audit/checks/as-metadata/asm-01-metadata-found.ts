import { authorizationServerDiscoveryUrls } from '../../../core/well-known.js';
import type { Check } from '../../check.js';
import { fail, NotReachedError, notApplicable, pass } from '../../verdict.js';

/** What each discovery address is, in the order MCP clients try them (with a path; without one). */
const WITH_PATH = ['RFC 8414, path inserted', 'OpenID Connect Discovery, path inserted', 'OpenID Connect Discovery, path appended'];
const AT_ROOT = ['RFC 8414', 'OpenID Connect Discovery'];

/**
 * ASM-01: the authorization server's metadata is at one of the addresses MCP clients try, in
 * their order: RFC 8414 with the issuer's path inserted, OpenID Connect Discovery with the path
 * inserted, then appended (for an issuer without a path, the two root forms). A client finding
 * none cannot go on.
 * @see RFC 8414 §3.1; OpenID Connect Discovery 1.0 §4; MCP Authorization (2026-07-28) "Authorization Server Metadata Discovery"
 */
export const ASM_01: Check = {
  id: 'ASM-01',
  async run(probe) {
    const { document } = await probe.fact('resourceMetadata');
    const servers = document['authorization_servers'];
    if (!Array.isArray(servers) || !servers.some((server) => typeof server === 'string' && URL.canParse(server))) {
      return notApplicable('the protected-resource metadata names no authorization server to look up (DISC-05)');
    }
    try {
      const found = await probe.fact('authorizationServer');
      const urls = authorizationServerDiscoveryUrls(new URL(found.issuer));
      const index = urls.findIndex((url) => url.href === found.metadataUrl.href);
      const names = urls.length === 3 ? WITH_PATH : AT_ROOT;
      return pass(
        `found at ${found.metadataUrl.href} (${names[index] ?? 'discovery'}${index > 0 ? `, after ${index} other address${index > 1 ? 'es' : ''}` : ''})`,
      );
    } catch (error) {
      if (error instanceof NotReachedError && error.step === 'as-metadata') return fail(error.message);
      throw error;
    }
  },
};
