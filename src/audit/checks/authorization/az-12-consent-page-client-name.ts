import { randomSecret } from '../../../core/secrets.js';
import type { Check } from '../../check.js';
import { decodeEntities, readForms } from '../../login/html-forms.js';
import { fail, inconclusive, notApplicable, pass, warn } from '../../verdict.js';
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

/**
 * AZ-12: the page that asks the user names the client, shows where the user will be sent (the
 * redirect URI's host) and the scopes, and shows a `client_name` holding markup as text. Any
 * client can register with any name, so the name is the attacker's: unescaped, it is script in
 * the server's origin on the one page where the user approves. The auditor registers a client
 * named `Audit<random> "><img src=x onerror=alert(1)>` and reads the first page its valid request
 * reaches. Without a login that may be a login page, whose consent comes later: it must escape
 * the name if it shows it; what the consent shows is then not seen (inconclusive when the login
 * page does not name the client at all).
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
    const page = pageOrReason(await followToFirstPage(probe, requestFor(request, client)));
    if (typeof page === 'string') return notApplicable(page);
    const html = page.response.text;
    const where = `the page at ${page.url.origin}${page.url.pathname}`;
    if (html.includes(TAG)) return fail(`${where} writes the client_name into the page as markup: its img element with an onerror handler is not escaped`);
    const text = visibleText(html);
    const loginOnly = isLoginOnly(html);
    if (!text.includes(marker)) {
      return loginOnly
        ? inconclusive(`${where} is a login page that does not name the client: the consent after the login was not seen (run with --login)`)
        : fail(`${where} does not name the client (its client_name)`);
    }
    const host = new URL(redirectUri).host;
    if (loginOnly) {
      return pass(
        `the login page names the client, its markup escaped${text.includes(host) ? `, and the redirect host ${host}` : ''}; the consent page after the login was not seen`,
      );
    }
    if (!text.includes(host)) return fail(`${where} names the client (escaped) but not where the user is sent (${host})`, 'medium');
    const scopes = (request.parameters.find(([name]) => name === 'scope')?.[1] ?? '').split(' ').filter((scope) => scope !== '');
    const hidden = scopes.filter((scope) => !text.includes(scope));
    if (hidden.length > 0) return warn(`${where} names the client (escaped) and the redirect host, but not the scopes ${hidden.join(' ')} by name`);
    return pass(`${where} names the client (its markup escaped), the redirect host ${host}${scopes.length > 0 ? ' and the scopes' : ''}`);
  },
};
