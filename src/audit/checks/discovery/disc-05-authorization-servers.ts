import { isLoopbackHttpUrl } from '../../../core/plain-http.js';
import type { Check } from '../../check.js';
import { fail, pass } from '../../verdict.js';
import { shown } from '../as-metadata/advertised-urls.js';

/**
 * DISC-05: `authorization_servers` names at least one issuer, each an absolute https URL (plain
 * http only for a development server on loopback, and only when the MCP endpoint is one too): an
 * MCP client has no other way to find where to get a token, and an issuer reached in the clear
 * can be replaced on the way.
 * @see RFC 9728 §2; MCP Authorization (2026-07-28) "Authorization Server Location"; OAuth 2.1 §1.5
 */
export const DISC_05: Check = {
  id: 'DISC-05',
  async run(probe) {
    const { document } = await probe.fact('resourceMetadata');
    const servers = document['authorization_servers'];
    if (servers === undefined) return fail('the protected-resource metadata has no authorization_servers: a client cannot find where to get a token');
    if (!Array.isArray(servers)) return fail('authorization_servers is not an array');
    if (servers.length === 0) return fail('authorization_servers is empty: a client cannot find where to get a token');
    const localTarget = isLoopbackHttpUrl(probe.settings.target);
    for (const server of servers) {
      if (typeof server !== 'string') return fail(`authorization_servers holds ${JSON.stringify(server)?.slice(0, 40)}, not a URL string`);
      if (!URL.canParse(server)) return fail(`authorization server ${shown(server)} is not an absolute URL`);
      const url = new URL(server);
      if (url.protocol === 'https:') continue;
      if (url.protocol === 'http:' && isLoopbackHttpUrl(url) && localTarget) continue;
      if (url.protocol === 'http:') {
        const where = isLoopbackHttpUrl(url) ? 'on loopback, for an MCP endpoint that is not' : 'off loopback';
        return fail(`authorization server ${shown(server)} is plain http ${where}: its metadata, codes and tokens travel in the clear`);
      }
      return fail(`authorization server ${shown(server)} is not an https URL`);
    }
    return pass(`authorization_servers: ${servers.map((server) => new URL(server).href).join(', ')}`);
  },
};
