import { mcpAuth, oauth21, rfc } from '../../catalogue/spec.js';
import { authorizationRequests } from '../authorization-requests.js';
import type { RuleMatch, ScanRule } from '../scan-rule.js';
import type { SourceFile } from '../source-file.js';

/**
 * oauth-state-missing: a code-flow authorization request whose parameters are all visible and
 * carry no `state` (the same requests as pkce-missing: parameters objects, URLSearchParams,
 * `searchParams.set` chains, URL templates and cataloged library calls; passport-oauth2 without
 * `state: true` or a `store`; the MCP SDK's `startAuthorization` without `state`). Without
 * `state` an attacker can start a flow and land its code in the victim's session (login CSRF,
 * RFC 6749 §10.12). High when no PKCE is sent either; Low when PKCE is sent, since OAuth 2.1
 * §7.12 lets PKCE stand in for `state` when the server enforces it (some servers accept a token
 * request without the verifier, and then nothing binds the code to the browser).
 *
 * Deliberately silent on: parameters built further where this file does not show; Auth.js
 * providers without `checks` (Auth.js binds the callback to the browser with its PKCE cookie);
 * arctic providers that take no state.
 * @see RFC 6749 §10.12; OAuth 2.1 §4.1.1, §7.12; MCP authorization, authorization code protection; CWE-352
 */
export const OAUTH_STATE_MISSING: ScanRule = {
  id: 'oauth-state-missing',
  mentions: /response_?type|authori[sz]|passport|checks/i,
  title: 'An authorization code request without state',
  severity: 'high',
  cwe: ['CWE-352'],
  spec: [rfc(6749, '10.12'), oauth21('4.1.1'), oauth21('7.12'), mcpAuth('code-protection')],
  precision: 'high',
  why: 'Without state (or enforced PKCE) nothing ties the authorization response to the browser that started the flow, so an attacker can log the victim in to the attacker’s account (login CSRF).',
  fix: 'Send a fresh random state per request, store it in the user’s session or an HttpOnly cookie, and compare it on the callback; send PKCE as well.',
  tags: ['oauth', 'csrf'],
  *find(file: SourceFile): Generator<RuleMatch> {
    for (const request of authorizationRequests(file)) {
      if (request.state !== 'absent') continue;
      const where = request.library === undefined ? 'This authorization request' : `${request.library.library} ${request.library.call}`;
      const how = request.library?.library === 'passport-oauth2' ? 'pass state: true to the strategy' : 'send a random state and check it on the callback';
      const withPkce = request.pkce === 'sent' || request.pkce === 'library';
      yield withPkce
        ? {
            node: request.node,
            severity: 'low',
            message: `${where} sends no state; PKCE is sent, which protects the code only if the server requires the verifier, so ${how}.`,
          }
        : { node: request.node, message: `${where} sends neither state nor PKCE, so nothing ties the response to the browser that started the flow; ${how}.` };
    }
  },
};
