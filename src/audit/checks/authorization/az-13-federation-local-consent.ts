import type { Check } from '../../check.js';
import { fail, inconclusive, notApplicable, pass } from '../../verdict.js';
import { followToFirstPage } from './first-page.js';
import { registerProbeClient, requestFor } from './probe-client.js';

/**
 * AZ-13: a server that signs users in at an upstream identity provider (a proxy, a federating
 * authorization server) first asks its own user to approve a client it has never seen. If it
 * sends a freshly registered client straight to the upstream provider, the provider's remembered
 * consent for the proxy's one static client is all an attacker needs: they register a client with
 * their own redirect URI and send a signed-in victim the link (the confused deputy). The probe is
 * the valid request of a fresh client (the auditor's own, or one registered for this check when
 * the client was given); redirects on the server's origins are followed until a page, the client
 * or another origin. An OAuth authorization request to another origin, with no page of the
 * server's own before it, fails; `na` when the server issues the code itself.
 * @see MCP Security Best Practices, "Confused Deputy Problem"
 */
export const AZ_13: Check = {
  id: 'AZ-13',
  async run(probe) {
    const { request } = await probe.fact('authorizationBaseline');
    const client = await probe.fact('client');
    let fresh = request;
    if (client.how === 'given') {
      const canary = await probe.fact('canary');
      const registered = await registerProbeClient(probe, { redirect_uris: [canary.newRedirectUri()] });
      if ('refused' in registered) return notApplicable(`no fresh client could be registered (${registered.refused})`);
      fresh = requestFor(request, registered);
    }
    const landing = await followToFirstPage(probe, fresh);
    switch (landing.kind) {
      case 'to-client':
        if (landing.parameters.has('code')) return notApplicable('not a federating server: it issued the code itself, with no upstream identity provider');
        return inconclusive(`the valid request of a fresh client came back with ${landing.parameters.get('error') ?? 'neither a code nor an error'}`);
      case 'page':
        return pass(`a fresh client meets a page of the server's own first (${landing.url.origin}${landing.url.pathname}), not an upstream identity provider`);
      case 'refused':
        return inconclusive(`the valid request of a fresh client ended with ${landing.status}`);
      case 'elsewhere': {
        const upstream = landing.location.searchParams;
        const where = `${landing.location.origin}${landing.location.pathname}`;
        if (upstream.has('client_id') || upstream.has('response_type')) {
          return fail(
            `a freshly registered client was sent straight to ${where}, an authorization request to another origin, with no consent page of the server's own before it`,
          );
        }
        return inconclusive(
          `a fresh client is sent to ${where}, on another origin, which is not an authorization request: its own login elsewhere, or not (not followed)`,
        );
      }
    }
  },
};
