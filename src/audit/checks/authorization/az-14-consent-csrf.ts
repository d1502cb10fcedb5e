import { sameRedirectTarget } from '../../authorization-answer.js';
import { authorizationUrl, baselineAuthorizationRequest } from '../../authorization-request.js';
import type { Check } from '../../check.js';
import type { ProbeResponse } from '../../guarded-fetch.js';
import { type AutoBrowser, type FormSubmission, isConsentPage } from '../../login/auto-browser.js';
import { CookieJar } from '../../login/cookie-jar.js';
import type { Probe } from '../../probe.js';
import { fail, inconclusive, notApplicable, pass, warn } from '../../verdict.js';
import { registerProbeClient, requestFor } from './probe-client.js';

/** Hidden fields that look like an anti-CSRF token (not OAuth parameters carried through the form). */
const CSRF_FIELD = /csrf|xsrf|authenticity|anti.?forgery|_token$|^token$/i;

/**
 * Posts the consent form with `body` and the cookies of `jar`, then follows the server's redirects
 * on its own origins (as a browser would: oidc-provider resumes the authorization at /auth/<uid>)
 * until the client's redirect URI: whether that carried a code, and the last status seen.
 */
async function postConsent(probe: Probe, submission: FormSubmission, body: URLSearchParams, jar: CookieJar, redirectUri: string, origins: readonly string[]) {
  let response: ProbeResponse = await probe.fetch(submission.url, {
    method: 'POST',
    headers: { accept: 'text/html', ...jar.headersFor(submission.url) },
    body,
  });
  jar.keep(submission.url, response);
  for (let hop = 0; hop < 5; hop++) {
    const location = response.status >= 300 && response.status < 400 ? response.location() : undefined;
    if (location === undefined) break;
    if (sameRedirectTarget(location, redirectUri)) return { code: location.searchParams.has('code'), status: response.status };
    if (!origins.includes(location.origin)) break;
    response = await probe.fetch(location, { headers: { accept: 'text/html', ...jar.headersFor(location) } });
    jar.keep(location, response);
  }
  return { code: false, status: response.status };
}

/**
 * AZ-14: the consent decision cannot be forged. For a new client (so the server shows its consent
 * page again in the user's session), the approving form is captured, not submitted, and posted
 * twice as an attacker's page would make the user's browser post it: without the browser's
 * cookies, and with them but without the form's CSRF token. Neither may give a code; then the
 * genuine form must, or nothing can be attributed. A consent form that asks for the password
 * each time cannot be forged.
 * @see RFC 6749 §10.12 (CSRF); MCP Security Best Practices, "Consent protections"
 */
export const AZ_14: Check = {
  id: 'AZ-14',
  async run(probe) {
    const driver: Partial<AutoBrowser> = await probe.fact('driver');
    if (driver.untilConsent === undefined) return notApplicable('needs the built-in browser (--browser auto) to capture the consent form');
    const { authorization } = await probe.fact('tokenBaseline');
    if (!authorization.completed.pages.some((page) => isConsentPage(page.html)))
      return notApplicable('the server never asked for consent in the baseline authorization');
    const canary = await probe.fact('canary');
    const fresh = await registerProbeClient(probe, { redirect_uris: [canary.newRedirectUri()], client_name: 'Portcullis audit (consent check)' });
    if (!('clientId' in fresh)) return inconclusive(`a client of the check's own could not be registered: ${fresh.refused}`);
    const stop = await driver.untilConsent(authorizationUrl(requestFor(await baselineAuthorizationRequest(probe), fresh)), fresh.redirectUri);
    if (stop.kind === 'completed') {
      return stop.completed.pages.length > 0
        ? pass('every consent form asks for the password, so a forged POST cannot complete it')
        : inconclusive('a new client got its code without a consent page (AZ-15 says more)');
    }
    const { submission, jar } = stop;
    if (submission.method !== 'POST' || submission.body === undefined) return inconclusive('the consent form is not a POST');
    const { interactionOrigins } = await probe.fact('authorizationBaseline');
    const origins = [...interactionOrigins, submission.url.origin];
    const post = (body: URLSearchParams, cookies: CookieJar) => postConsent(probe, submission, body, cookies, fresh.redirectUri, origins);
    // An attacker's own browser: a jar of its own, empty.
    if ((await post(submission.body, new CookieJar())).code)
      return fail("a consent decision posted without the user's cookies was accepted: any page can approve a client");
    const tokens = [...submission.body.keys()].filter((name) => CSRF_FIELD.test(name));
    if (tokens.length > 0) {
      const stripped = new URLSearchParams([...submission.body].filter(([name]) => !tokens.includes(name)));
      if ((await post(stripped, jar)).code)
        return fail(`the consent form was accepted without its CSRF token (${tokens.join(', ')}), on the session cookie alone`);
    }
    const genuine = await post(submission.body, jar);
    if (!genuine.code) return inconclusive(`the genuine consent form did not give a code either (${genuine.status}), so the refusals cannot be attributed`);
    if (tokens.length === 0)
      return warn('forged posts were refused, but the consent form carries no CSRF token: only the session cookie’s SameSite stands in its way');
    return pass(
      `a consent POST without the browser's cookies, and one without its CSRF token (${tokens.join(', ')}), were refused; the genuine one gave a code`,
    );
  },
};
