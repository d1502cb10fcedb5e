import { baselineAuthorizationRequest } from '../../authorization-request.js';
import type { Check } from '../../check.js';
import { authorize } from '../../login/authorize.js';
import { isConsentPage } from '../../login/auto-browser.js';
import { fail, inconclusive, notApplicable, pass } from '../../verdict.js';
import { registerProbeClient, requestFor } from './probe-client.js';

/**
 * AZ-15: a consent the user gave one client is not silently reused for another. After the
 * baseline authorization (in which the user approved the auditor's client), a freshly registered
 * client asks for the same scope: the server must ask the user again, not issue it a code on the
 * strength of the first consent (a confused deputy: anyone can register a client).
 * @see MCP Security Best Practices, "Confused Deputy Problem" (consent per client); RFC 6749 §10.2
 */
export const AZ_15: Check = {
  id: 'AZ-15',
  async run(probe) {
    const { authorization } = await probe.fact('tokenBaseline');
    if (authorization.completed.pages.length === 0 && probe.settings.browser.kind !== 'auto') {
      return notApplicable('the pages of an external browser cannot be seen: run with --browser auto');
    }
    if (!authorization.completed.pages.some((page) => isConsentPage(page.html))) {
      return notApplicable('the server never asked for consent in the baseline authorization, so there is no remembered consent to reuse');
    }
    const canary = await probe.fact('canary');
    const fresh = await registerProbeClient(probe, { redirect_uris: [canary.newRedirectUri()], client_name: 'Portcullis audit (second client)' });
    if (!('clientId' in fresh)) return inconclusive(`a second client could not be registered: ${fresh.refused}`);
    const second = await authorize(probe, requestFor(await baselineAuthorizationRequest(probe), fresh));
    const asked = second.completed.pages.some((page) => isConsentPage(page.html));
    if (asked) return pass('a newly registered client was shown a consent page of its own');
    if (second.code !== undefined) return fail('a newly registered client got a code at once, on the consent the user gave another client');
    return inconclusive(`the second client's authorization ended without a code or a consent page (${second.parameters.get('error') ?? 'no error'})`);
  },
};
