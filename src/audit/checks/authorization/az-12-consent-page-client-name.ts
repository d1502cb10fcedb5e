import { randomSecret } from '../../../core/secrets.js';
import { type AuthorizationRequest, authorizationUrl } from '../../authorization-request.js';
import type { Check } from '../../check.js';
import type { AutoBrowser, ConsentStop } from '../../login/auto-browser.js';
import { decodeEntities, readForms } from '../../login/html-forms.js';
import type { Probe } from '../../probe.js';
import { fail, inconclusive, notApplicable, pass, type Verdict, warn } from '../../verdict.js';
import { followToFirstPage, pageOrReason } from './first-page.js';
import { registerProbeClient, requestFor } from './probe-client.js';

/** Markup in a client_name: shown as it is, it runs in the server's origin (and breaks out of a quoted attribute first). */
const MARKUP = '"><img src=x onerror=alert(1)>';
const TAG = '<img src=x onerror=alert(1)>';

/** What a person reads on the page: its text, without tags, scripts, styles or hidden fields. */
function visibleText(html: string): string {
  return decodeEntities(
    html
      .replace(/<(script|style|template)\b[\s\S]*?<\/\1\s*>/gi, ' ')
      .replace(/<!--[\s\S]*?-->/g, ' ')
      .replace(/<[^>]*>/g, ' '),
  ).replace(/\s+/g, ' ');
}

const APPROVE = /\b(approve|allow|accept|authori[sz]e|consent|grant)\b/i;

/** A login page only asks who the user is: the consent (and what it must show) comes after it. */
function isLoginOnly(html: string): boolean {
  const forms = readForms(html);
  const login = forms.some((form) => form.fields.some((field) => field.type === 'password'));
  const consent = forms.some((form) => form.buttons.some((button) => APPROVE.test(`${button.label} ${button.value ?? ''} ${button.name ?? ''}`)));
  return login && !consent;
}

/** What the consent page must show: the marker of the client's name, the redirect host, the scopes. */
interface Expected {
  readonly marker: string;
  readonly host: string;
  readonly scopes: readonly string[];
}

/** The verdict on a page that asks the user to approve the client (`where` names it). */
function judgeConsentPage(html: string, where: string, expected: Expected): Verdict {
  if (html.includes(TAG)) return fail(`${where} writes the client_name into the page as markup: its img element with an onerror handler is not escaped`);
  const text = visibleText(html);
  if (!text.includes(expected.marker)) return fail(`${where} does not name the client (its client_name)`);
  if (!text.includes(expected.host)) return fail(`${where} names the client (escaped) but not where the user is sent (${expected.host})`, 'medium');
  const hidden = expected.scopes.filter((scope) => !text.includes(scope));
  if (hidden.length > 0) return warn(`${where} names the client (escaped) and the redirect host, but not the scopes ${hidden.join(' ')} by name`);
  return pass(`${where} names the client (its markup escaped), the redirect host ${expected.host}${expected.scopes.length > 0 ? ' and the scopes' : ''}`);
}

const pageName = (url: URL) => `the page at ${url.origin}${url.pathname}`;

/**
 * With `--login` and the built-in browser: through the login (the user name and password of
 * `--login`), to the consent page it leads to, which is read and not submitted (no code is
 * issued). Undefined when the browser is not the built-in one.
 */
async function consentAfterLogin(probe: Probe, request: AuthorizationRequest, redirectUri: string): Promise<ConsentStop | undefined> {
  if (!probe.settings.login) return undefined;
  const driver: Partial<AutoBrowser> = await probe.fact('driver');
  if (driver.untilConsent === undefined) return undefined;
  return driver.untilConsent(authorizationUrl(request), redirectUri);
}

/**
 * AZ-12: the page that asks the user names the client, shows where the user will be sent (the
 * redirect URI's host) and the scopes, and shows a `client_name` holding markup as text. Any
 * client can register with any name, so the name is the attacker's: unescaped, it is script in
 * the server's origin on the one page where the user approves. The auditor registers a client
 * named `Audit<random> "><img src=x onerror=alert(1)>` and reads the first page its valid request
 * reaches. That may be a login page, whose consent comes later: it must escape the name if it
 * shows it; with `--login` and the built-in browser the auditor signs in and reads the consent
 * page after it as it would one met at once; otherwise what the consent shows is not seen
 * (inconclusive when the login page does not name the client at all).
 * @see MCP Security Best Practices, "Confused Deputy Problem" (consent UI); RFC 7591 §5; RFC 6749 §10.2
 */
export const AZ_12: Check = {
  id: 'AZ-12',
  async run(probe) {
    const { request } = await probe.fact('authorizationBaseline');
    const canary = await probe.fact('canary');
    const marker = `Audit${randomSecret(6).replace(/[^A-Za-z0-9]/g, '')}`;
    const redirectUri = canary.newRedirectUri();
    const client = await registerProbeClient(probe, { redirect_uris: [redirectUri], client_name: `${marker} ${MARKUP}` });
    if ('refused' in client) {
      // Refused as metadata (RFC 7591 §3.2.2, a 400): was it the markup? The same name without it tells.
      if (client.status === 400) {
        const plain = await registerProbeClient(probe, { redirect_uris: [redirectUri], client_name: marker });
        if (!('refused' in plain)) return pass('registration refuses a client_name holding markup, and accepts the same name without it');
      }
      return notApplicable(`a client of the auditor's own could not be registered (${client.refused})`);
    }
    const own = requestFor(request, client);
    const page = pageOrReason(await followToFirstPage(probe, own));
    if (typeof page === 'string') return notApplicable(page);
    const html = page.response.text;
    const where = pageName(page.url);
    const scopes = (request.parameters.find(([name]) => name === 'scope')?.[1] ?? '').split(' ').filter((scope) => scope !== '');
    const expected: Expected = { marker, host: new URL(redirectUri).host, scopes };
    if (!isLoginOnly(html)) return judgeConsentPage(html, where, expected);
    if (html.includes(TAG)) return fail(`${where} writes the client_name into the page as markup: its img element with an onerror handler is not escaped`);
    const stop = await consentAfterLogin(probe, own, redirectUri);
    if (stop?.kind === 'consent') return judgeConsentPage(stop.html, `the consent page after the login (${pageName(stop.url)})`, expected);
    const text = visibleText(html);
    const unseen =
      stop !== undefined
        ? 'after the login the server sent the browser back to the client without a consent page (AZ-15 says more)'
        : probe.settings.login
          ? 'the consent after the login was not seen (only the built-in browser, --browser auto, goes through the login for this check)'
          : 'the consent after the login was not seen (run with --login)';
    if (!text.includes(marker)) return inconclusive(`${where} is a login page that does not name the client: ${unseen}`);
    return pass(
      `the login page names the client, its markup escaped${text.includes(expected.host) ? `, and the redirect host ${expected.host}` : ''}; ${unseen}`,
    );
  },
};
