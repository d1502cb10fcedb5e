/**
 * Whether a call's receiver is a server's response or request context, read from the name its
 * member chain starts from (`res.cookie`, `ctx.cookies.set`, `c.header`). Used by cookie-flags to
 * tell a server setting a cookie from a client or a redactor.
 */
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/typescript-estree';
import { unwrap } from './ast.js';

/**
 * The names a server's context or response goes by in handlers (`ctx`, `c`, `res`, `reply`,
 * `response`): a client's cookie jar in a test (`browser.cookies.set`) or a redactor's
 * `header('set-cookie', …)` is not a server setting a cookie.
 */
export const RESPONSE_NAMES = /^(c|ctx|context|res|resp|response|reply|this)$/i;

/** The identifier (or `this`) a member chain starts from: `ctx` for `ctx.cookies`, `c` for `c.res.headers`. */
export function rootName(node: TSESTree.Node): string | undefined {
  let at = unwrap(node);
  while (at.type === AST_NODE_TYPES.MemberExpression) at = unwrap(at.object);
  if (at.type === AST_NODE_TYPES.Identifier) return at.name;
  return at.type === AST_NODE_TYPES.ThisExpression ? 'this' : undefined;
}
