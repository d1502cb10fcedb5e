/**
 * Which value is the URI a check is about: an OAuth redirect URI, which must match exactly, or a
 * post-login return target (`returnTo`, `next`), for which a same-origin check is right. Read from
 * its name or from where it comes from (a query getter, a request parameter). Used by
 * redirect-uri-loose-match.
 */
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/typescript-estree';
import { memberName, stringValue, unwrap } from '../ast.js';
import { type Origin, originsOf } from '../provenance.js';
import type { SourceFile } from '../source-file.js';
import { writtenName } from '../value-shape.js';

/** An OAuth redirect URI: the value RFC 6749 §3.1.2.2 and OAuth 2.1 §2.3.1 require be matched exactly. */
const OAUTH_REDIRECT = /^(redirect|post_?logout_?redirect)_?ur[il]$|^(requested|provided|given|incoming|client|target)_?redirect_?ur[il]$/i;

/** Where to go after login (an open redirect when loose): same-origin checks are the right fix for these. Auth.js's `callbackUrl` is one. */
const RETURN_TARGET =
  /^(return_?to|return_?ur[il]|redirect_?to|redirect|next_?url|continue_?url|success_?url|target_?url|callback_?ur[il]|dest(ination)?(_?url)?)$/i;

/** A query or body parameter read by a name too common to trust elsewhere (`next` is also express's callback). */
const PARAMETER_ONLY = /^(next|continue|return|to|goto|url)$/i;

export type Target = 'redirect' | 'return';

export const TARGET_KIND = (name: string): Target | undefined => (OAUTH_REDIRECT.test(name) ? 'redirect' : RETURN_TARGET.test(name) ? 'return' : undefined);

/** The name a getter reads: `redirect_uri` in `url.searchParams.get('redirect_uri')`. */
function getterKey(call: TSESTree.CallExpression | TSESTree.NewExpression): string | undefined {
  const callee = unwrap(call.callee);
  if (callee.type !== AST_NODE_TYPES.MemberExpression || !['get', 'query', 'param'].includes(memberName(callee) ?? '')) return undefined;
  return call.arguments[0] === undefined ? undefined : stringValue(call.arguments[0]);
}

export function originTarget(origin: Origin): Target | undefined {
  if (origin.kind === 'call') {
    if (origin.node.type !== AST_NODE_TYPES.CallExpression && origin.node.type !== AST_NODE_TYPES.NewExpression) return undefined;
    const key = getterKey(origin.node);
    if (key === undefined) return undefined;
    return TARGET_KIND(key) ?? (PARAMETER_ONLY.test(key) ? 'return' : undefined);
  }
  if (origin.kind === 'parameter') return TARGET_KIND(origin.name);
  if (origin.kind !== 'read') return undefined;
  const segments = origin.path.split('.');
  const last = segments.at(-1)!;
  // `req.query.next`, `ctx.request.body.returnTo`: a parameter of the request.
  const fromRequest = segments.some((segment) => ['query', 'body', 'params', 'searchParams'].includes(segment));
  return TARGET_KIND(last) ?? (fromRequest && PARAMETER_ONLY.test(last) ? 'return' : undefined);
}

/** Whether `expression` is the URI being checked (a redirect URI or a return target), by its name or where it comes from. */
export function targetOf(file: SourceFile, expression: TSESTree.Node): Target | undefined {
  const name = writtenName(expression);
  const byName = name === undefined ? undefined : TARGET_KIND(name);
  if (byName !== undefined) return byName;
  const origins = originsOf(file, expression);
  // Only origins reached without a comparison on the way (`a === b` is a boolean, not a or b).
  for (const origin of origins) {
    if (origin.trail.some((node) => node.type === AST_NODE_TYPES.BinaryExpression && node.operator !== '+')) continue;
    const kind = originTarget(origin);
    if (kind !== undefined) return kind;
  }
  return undefined;
}
