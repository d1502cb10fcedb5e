import type { Check } from '../../check.js';
import { INITIALIZE_REQUEST, MCP_POST_HEADERS } from '../../facts/challenge.js';
import type { ProbeResponse } from '../../guarded-fetch.js';
import { fail, inconclusive, notApplicable, pass, warn } from '../../verdict.js';

/** The web origin the auditor poses as: a browser-based MCP client on a site of its own. */
export const CORS_ORIGIN = 'https://audit.example';

/** The comma-separated tokens of a CORS header, lower-cased. */
function tokens(response: ProbeResponse, name: string): string[] {
  return (response.headers.get(name) ?? '')
    .split(',')
    .map((token) => token.trim().toLowerCase())
    .filter((token) => token !== '');
}

/** Whether the response lets `origin` read it (requests without credentials, as bearer-token clients send). */
function allowsOrigin(response: ProbeResponse): boolean {
  const allowed = response.headers.get('access-control-allow-origin')?.trim();
  return allowed === '*' || allowed === CORS_ORIGIN;
}

/**
 * DISC-07: when the MCP endpoint lets a browser-based client call it from another origin (its
 * CORS preflight passes), its 401 lets that client read the challenge: without
 * `Access-Control-Expose-Headers: WWW-Authenticate` the browser hides the header, and the client
 * can never find the protected-resource metadata. `na` when the server refuses cross-origin
 * requests (for a local server, that is DISC-08 working).
 * @see Fetch Standard, "CORS protocol" (CORS-safelisted response headers; `Authorization` is never covered by `*`); RFC 9728 §5.1
 */
export const DISC_07: Check = {
  id: 'DISC-07',
  async run(probe) {
    const challenge = await probe.fact('challenge');
    if (challenge.response.status !== 401) return notApplicable(`no 401 to expose (initialize without a token was answered ${challenge.response.status})`);
    const preflight = await probe.fetch(probe.settings.target, {
      method: 'OPTIONS',
      headers: { origin: CORS_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });
    if (preflight.status < 200 || preflight.status > 299 || !allowsOrigin(preflight)) {
      return notApplicable(
        `the server refuses cross-origin requests (its preflight for ${CORS_ORIGIN} was answered ${preflight.status}${allowsOrigin(preflight) ? '' : ' without allowing the origin'})`,
      );
    }
    const headers = tokens(preflight, 'access-control-allow-headers');
    const missing = ['authorization', 'content-type'].filter((name) => !headers.includes(name) && !(name !== 'authorization' && headers.includes('*')));
    if (missing.length > 0) {
      return warn(`the preflight allows ${CORS_ORIGIN} but not the header(s) ${missing.join(', ')}: a browser-based client cannot send its request`);
    }
    const post = await probe.fetch(probe.settings.target, { method: 'POST', headers: { ...MCP_POST_HEADERS, origin: CORS_ORIGIN }, body: INITIALIZE_REQUEST });
    if (post.status !== 401) {
      if (post.status >= 200 && post.status < 300)
        return inconclusive(`a cross-origin initialize without a token was answered ${post.status}, though the same request without Origin got 401`);
      return notApplicable(`the preflight passed but the cross-origin initialize was answered ${post.status}: the server refuses cross-origin requests`);
    }
    if (!allowsOrigin(post))
      return fail(`the cross-origin 401 has no Access-Control-Allow-Origin for ${CORS_ORIGIN}: a browser-based client cannot read it at all`);
    const exposed = tokens(post, 'access-control-expose-headers');
    if (!exposed.includes('www-authenticate') && !exposed.includes('*')) {
      return fail('the cross-origin 401 does not list WWW-Authenticate in Access-Control-Expose-Headers: a browser-based client cannot read the challenge');
    }
    return pass(`a cross-origin 401 exposes WWW-Authenticate to ${CORS_ORIGIN}`);
  },
};
