import { AST_NODE_TYPES } from '@typescript-eslint/typescript-estree';
import { oauth21, rfc } from '../../catalogue/spec.js';
import { memberName, staticPropertyName, walk } from '../ast.js';
import { authorizationRequests } from '../authorization-requests.js';
import type { RuleMatch, ScanRule } from '../scan-rule.js';
import type { SourceFile } from '../source-file.js';

/** Names under which a client secret is configured or sent: a confidential client (RFC 6749 §2.1). */
const CLIENT_SECRET = /^client_?secret$/i;

/**
 * Whether the file visibly uses a client secret: `client_secret` in a token request,
 * `clientSecret` in a library's options, simple-oauth2's `client: { secret }`.
 */
function usesClientSecret(file: SourceFile): boolean {
  let found = false;
  walk(file.program, (node) => {
    if (found) return;
    if (node.type === AST_NODE_TYPES.Property) {
      const key = staticPropertyName(node.key, node.computed);
      const holder = node.parent.parent;
      const inClient = holder?.type === AST_NODE_TYPES.Property && staticPropertyName(holder.key, holder.computed) === 'client';
      found = key !== undefined && (CLIENT_SECRET.test(key) || (key === 'secret' && inClient));
    } else if (node.type === AST_NODE_TYPES.MemberExpression) found = CLIENT_SECRET.test(memberName(node) ?? '');
    else if (node.type === AST_NODE_TYPES.CallExpression && node.callee.type === AST_NODE_TYPES.MemberExpression) {
      const [key] = node.arguments;
      found = key?.type === AST_NODE_TYPES.Literal && typeof key.value === 'string' && CLIENT_SECRET.test(key.value);
    }
  });
  return found;
}

/**
 * pkce-missing: a code-flow authorization request whose parameters are all visible and carry no
 * `code_challenge`: a parameters object, URLSearchParams, `searchParams.set` chain or URL
 * template with `response_type=code`, a library call that leaves the challenge to the caller
 * (openid-client `buildAuthorizationUrl` / v5 `authorizationUrl`, simple-oauth2 `authorizeURL`,
 * arctic's `createAuthorizationURL` with a `null` verifier or on `OAuth2Client`), passport-oauth2
 * without `pkce: true`, Auth.js `checks` without `pkce`. Without PKCE a stolen or injected code
 * can be redeemed (RFC 7636 §1). Medium, not High, when the client visibly has a secret or sends
 * an OIDC nonce (the code is still injectable, but not redeemable by whoever intercepts it alone).
 *
 * Deliberately silent on: parameters built further in another function, spread in, or passed to
 * code we cannot see (not fully visible); authorization-server code that reads these parameters;
 * library calls that send PKCE themselves (the MCP SDK's `startAuthorization`, Auth.js defaults);
 * arctic providers that take no verifier (the caller cannot add one there).
 * @see RFC 7636 §1, §4.3; OAuth 2.1 §4.1.1, §7.5.1; CWE-294
 */
export const PKCE_MISSING: ScanRule = {
  id: 'pkce-missing',
  mentions: /response_?type|authori[sz]|passport|checks/i,
  title: 'An authorization code request without PKCE',
  severity: 'high',
  cwe: ['CWE-294'],
  spec: [rfc(7636, '1'), rfc(7636, '4.3'), oauth21('4.1.1'), oauth21('7.5.1')],
  precision: 'high',
  why: 'Without a code_challenge, an authorization code that is intercepted or injected can be redeemed by whoever holds it; OAuth 2.1 requires PKCE for every client.',
  fix: 'Send code_challenge=BASE64URL(SHA-256(verifier)) with code_challenge_method=S256, keep the verifier server-side per flow, and send it as code_verifier in the token request.',
  tags: ['oauth', 'pkce'],
  *find(file: SourceFile): Generator<RuleMatch> {
    const requests = authorizationRequests(file).filter((request) => request.pkce === 'absent');
    if (requests.length === 0) return;
    const confidential = usesClientSecret(file);
    for (const request of requests) {
      const where = request.library === undefined ? 'This authorization request' : `${request.library.library} ${request.library.call}`;
      const how = howToSend(request.library?.library);
      const lesser = request.nonce
        ? ' (an OIDC nonce is sent, which does not protect the code)'
        : confidential
          ? ' (the client has a secret, which does not stop code injection)'
          : '';
      yield {
        node: request.node,
        message: `${where} asks for an authorization code without a PKCE code_challenge${lesser}; ${how}.`,
        ...(request.nonce || confidential ? { severity: 'medium' as const } : {}),
      };
    }
  },
};

/** The fix in the library's own terms. */
function howToSend(library: string | undefined): string {
  switch (library) {
    case 'passport-oauth2':
      return 'pass { pkce: true, state: true } to the strategy';
    case '@auth/core':
      return "include 'pkce' in checks (the default)";
    case 'arctic':
      return 'pass a code verifier (generateCodeVerifier()), or use createAuthorizationURLWithPKCE';
    default:
      return 'add code_challenge and code_challenge_method=S256';
  }
}
