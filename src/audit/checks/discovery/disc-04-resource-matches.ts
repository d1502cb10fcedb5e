import { canonicalResource } from '../../../core/resource-uri.js';
import type { Check } from '../../check.js';
import { fail, pass, warn } from '../../verdict.js';
import { shown } from '../as-metadata/advertised-urls.js';

/** Whether two URLs differ only in a trailing `/` on the path (`/mcp` and `/mcp/`). */
function differOnlyInTrailingSlash(a: URL, b: URL): boolean {
  const strip = (url: URL) => `${url.origin}${url.pathname.replace(/\/$/, '')}${url.search}`;
  return strip(a) === strip(b);
}

/**
 * DISC-04: the metadata's `resource` is the MCP URL the client connected to, character for
 * character: a client compares the two (RFC 9728 §3.3) and must not use metadata for another
 * resource, which is what stops a server from passing itself off as another. The target's
 * canonical form (no `/` on an empty path) counts as the same. A difference of only a trailing
 * slash on the path is a warning: some clients compare loosely, others refuse.
 * @see RFC 9728 §3.3, §7.3; MCP Authorization (2026-07-28) "Canonical Server URI"
 */
export const DISC_04: Check = {
  id: 'DISC-04',
  async run(probe) {
    const { document } = await probe.fact('resourceMetadata');
    const target = probe.settings.target;
    const resource = document['resource'];
    if (typeof resource !== 'string') return fail('the protected-resource metadata has no resource string: a client cannot tell which server it describes');
    if (resource === target.href || resource === canonicalResource(target.href)) return pass(`resource is ${resource}, the MCP URL`);
    if (!URL.canParse(resource)) return fail(`resource ${shown(resource)} is not an absolute URL`);
    const named = new URL(resource);
    if (named.href === target.href)
      return warn(`resource ${shown(resource)} is the MCP URL ${target.href} written another way: clients comparing strings refuse it`);
    if (differOnlyInTrailingSlash(named, target)) {
      return warn(`resource ${shown(resource)} differs from the MCP URL ${target.href} only by a trailing slash: clients comparing strings refuse it`);
    }
    return fail(`resource ${shown(resource)} is not the MCP URL ${target.href}: a client must refuse this metadata`);
  },
};
