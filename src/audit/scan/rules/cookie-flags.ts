import { rfc } from '../../catalogue/spec.js';
import type { Severity } from '../../check-definition.js';
import { wordsOf } from '../name-words.js';
import type { RuleMatch, ScanRule } from '../scan-rule.js';
import type { SourceFile } from '../source-file.js';
import type { CookieSet } from './cookie-flags-attributes.js';
import { cookieSets } from './cookie-flags-cookie-sets.js';

/**
 * The words of a cookie name that say it carries a session, a sign-in, a flow's state or a
 * credential: `sid`, `connect.sid`, `next-auth.session-token`, `authjs.pkce.code_verifier`,
 * `oauth_state`, `__Host-consent`. Short words count only whole (`sid`, not `sidebar`); `auth`
 * counts as a prefix (`authjs`, `authorization`).
 */
const AUTH_WORDS = new Set(['sid', 'ssid', 'sess', 'state', 'nonce', 'jwt', 'login', 'refresh', 'remember']);
const AUTH_PARTS = /session|verifier|csrf|xsrf|token|consent|pkce|oauth|^auth/;
/** A cookie about cookies (`cookie_consent`, the banner's) or the UI (`sidebar_state`) is not an auth cookie. */
const NOT_AUTH_WORDS = new Set(['cookie', 'cookies', 'sidebar', 'theme', 'locale', 'lang', 'ui', 'layout', 'panel', 'tab', 'banner']);
/** Credentials: missing HttpOnly lets any script (XSS) read them. Short words count only whole, as above. */
const CREDENTIAL_WORDS = new Set(['sid', 'ssid', 'sess', 'jwt', 'refresh', 'remember']);
const CREDENTIAL_PARTS = /session|token|verifier|pkce|^auth/;
/** A double-submit CSRF token cookie is read by the page's script on purpose (`XSRF-TOKEN`): HttpOnly would break it. */
const SCRIPT_READ_PARTS = /csrf|xsrf/;
/** `__Host-session` → [session]; `next-auth.session-token` → [next, auth, session, token]; `authState` → [auth, state]. */
function cookieNameWords(name: string): string[] {
  return wordsOf(name.replace(/^__(Host|Secure)-/i, ''));
}

function isAuthCookie(name: string): boolean {
  const words = cookieNameWords(name);
  if (words.some((word) => NOT_AUTH_WORDS.has(word))) return false;
  return words.some((word) => AUTH_WORDS.has(word) || AUTH_PARTS.test(word));
}

/**
 * cookie-flags: a session, sign-in, state, consent, CSRF or PKCE cookie set by a server without
 * HttpOnly, Secure or SameSite, where the options (or the `Set-Cookie` text) are fully visible:
 * express `res.cookie`, hono `setCookie` / `serialize`, fastify `reply.setCookie`, koa
 * `ctx.cookies.set` (HttpOnly by default), next `cookies().set`, the `cookie` package's `serialize`,
 * and literal `Set-Cookie` headers. Missing HttpOnly on a credential (session, token, verifier) is
 * Medium; otherwise Low; a cookie with every flag that could take the `__Host-` prefix is a note.
 * Silent on: a flag whose value is computed (`secure: process.env.NODE_ENV === 'production'`,
 * `secure: config.https`: the dev-only http localhost case); options from elsewhere (a parameter,
 * a spread); a cookie being cleared (`maxAge: 0`, Expires in 1970; `clearCookie` is no sink);
 * names that say nothing of auth (`theme`, `locale`, `sidebar_state`, `cookie_consent`); HttpOnly
 * on a double-submit CSRF cookie, which the page's script must read; `document.cookie` and
 * js-cookie in a browser, where HttpOnly cannot be set.
 * @see RFC 6265 §4.1.2.5, §4.1.2.6, §8.5; RFC 6265bis §4.1.2.7 (SameSite), §4.1.3.2 (`__Host-`); CWE-1004; CWE-614
 */
export const COOKIE_FLAGS: ScanRule = {
  id: 'cookie-flags',
  mentions: /cookie|session/i,
  title: 'A session, state or consent cookie without HttpOnly, Secure or SameSite',
  severity: 'low',
  cwe: ['CWE-1004', 'CWE-614'],
  spec: [rfc(6265, '4.1.2.5'), rfc(6265, '4.1.2.6'), rfc(6265, '8.5')],
  precision: 'high',
  why: 'Without HttpOnly a script injected into the page can read the session or verifier; without Secure it travels over plain http; without SameSite other sites can make the browser send it.',
  fix: "Set httpOnly: true, secure: true (computed from the environment is fine for http localhost), sameSite: 'lax', and name it __Host-… with path '/' and no domain.",
  tags: ['cookies', 'session', 'oauth'],
  *find(file: SourceFile): Generator<RuleMatch> {
    for (const cookie of cookieSets(file)) {
      const match = judge(cookie);
      if (match !== undefined) yield match;
    }
  },
};

function judge(cookie: CookieSet): RuleMatch | undefined {
  const name = cookie.names.find(isAuthCookie);
  if (name === undefined || cookie.attributes === undefined || cookie.attributes.clears) return undefined;
  const { flags, hostPrefixFits } = cookie.attributes;
  const scriptReads = cookieNameWords(name).some((word) => SCRIPT_READ_PARTS.test(word));
  const missing = (['HttpOnly', 'Secure', 'SameSite'] as const).filter((flag) => flags[flag] === 'missing' && !(flag === 'HttpOnly' && scriptReads));
  if (missing.length > 0) {
    const credential = missing.includes('HttpOnly') && cookieNameWords(name).some((word) => CREDENTIAL_WORDS.has(word) || CREDENTIAL_PARTS.test(word));
    const severity: Severity = credential ? 'medium' : 'low';
    const message = `The cookie ${name} is set without ${missing.join(', ')}${credential ? ': a script on the page can read this credential' : ''}.`;
    return credential ? { node: cookie.node, message, severity } : { node: cookie.node, message };
  }
  const literal = cookie.literalName;
  if (literal !== undefined && hostPrefixFits && !/^__(Host|Secure)-/i.test(literal))
    return {
      node: cookie.node,
      severity: 'info',
      message: `The cookie ${literal} could be named __Host-${literal}, so no subdomain or plain-http page can set or overwrite it.`,
    };
  return undefined;
}
