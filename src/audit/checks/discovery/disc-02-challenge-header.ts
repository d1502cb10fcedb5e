import { isAllowedEndpoint, isHttpsOrLoopbackHttp } from '../../../core/plain-http.js';
import type { Check } from '../../check.js';
import { fail, pass } from '../../verdict.js';

/**
 * DISC-02: the 401 names the protected-resource metadata in its challenge
 * (`WWW-Authenticate: Bearer resource_metadata="…"`, an absolute https URL, http only on
 * loopback), and carries no `error` when no credentials were sent. High when the metadata is not
 * at a well-known address either: a client then has no way to find it.
 * @see RFC 9728 §5.1; RFC 6750 §3.1
 */
export const DISC_02: Check = {
  id: 'DISC-02',
  async run(probe) {
    const challenge = await probe.fact('challenge');
    if (challenge.response.status !== 401) return fail(`no 401 to read a challenge from (answered ${challenge.response.status})`);
    const bearer = challenge.bearer;
    const metadataElsewhere = await probe.fact('resourceMetadata').then(
      (found) => found.source !== 'challenge',
      () => false,
    );
    const severity = metadataElsewhere ? undefined : 'high';
    if (bearer === null) return fail('the 401 has no Bearer challenge in WWW-Authenticate', severity);
    const url = bearer['resource_metadata'];
    if (url === undefined) return fail('the Bearer challenge has no resource_metadata', severity);
    if (!URL.canParse(url)) return fail(`resource_metadata ${JSON.stringify(url)} is not an absolute URL`, severity);
    if (!isAllowedEndpoint(new URL(url), probe.settings.target)) {
      return fail(
        `resource_metadata ${url} is plain http${isHttpsOrLoopbackHttp(new URL(url)) ? ' for an MCP endpoint that is not on loopback' : ' off loopback'}`,
        severity,
      );
    }
    if (bearer['error'] !== undefined) return fail(`the challenge carries error="${bearer['error']}" though no token was sent (RFC 6750 §3.1)`);
    return pass(`Bearer challenge with resource_metadata ${url}`);
  },
};
