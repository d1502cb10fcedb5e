/**
 * Where a browser is sent: the calls that navigate (`res.redirect`, `location.assign`, `window.open`),
 * the assignments that do (`location.href = …`), and whether a value ends up as that URL. Used by
 * pkce-verifier-front-channel to tell an authorization URL the browser opens from a back-channel one.
 */
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/typescript-estree';
import { memberName, staticPropertyName, stringValue, unwrap } from './ast.js';
import { nameOf } from './verifier-values.js';

/**
 * Calls that send a browser to a URL: a server's `redirect` (express, hono, fastify, koa,
 * `Response.redirect`), `location.assign`/`replace`, `window.open` and the `open` package,
 * React Native's `Linking.openURL`, Expo's `openAuthSessionAsync`, `chrome.identity.launchWebAuthFlow`.
 */
export function isNavigation(call: TSESTree.CallExpression): boolean {
  const callee = unwrap(call.callee);
  if (callee.type === AST_NODE_TYPES.Identifier) return callee.name === 'open';
  if (callee.type !== AST_NODE_TYPES.MemberExpression) return false;
  const method = memberName(callee) ?? '';
  const receiver = nameOf(unwrap(callee.object));
  if (method === 'assign' || method === 'replace') return receiver === 'location';
  if (method === 'open') return receiver === 'window';
  return ['redirect', 'openAuthSessionAsync', 'openURL', 'launchWebAuthFlow'].includes(method);
}

/** `location = …`, `window.location = …`, `location.href = …`. */
export function isNavigationTarget(target: TSESTree.Node): boolean {
  if (target.type === AST_NODE_TYPES.Identifier) return target.name === 'location';
  if (target.type !== AST_NODE_TYPES.MemberExpression) return false;
  const property = memberName(target);
  return property === 'location' || (property === 'href' && nameOf(unwrap(target.object)) === 'location');
}

/**
 * Whether the value at `node` (`url`, `url.href`, `url.toString()`, a template around it) is
 * where a browser is sent: `res.redirect(…)`, `location.href = …`, `window.open(…)`, a `Location` header.
 */
export function navigatedTo(node: TSESTree.Node): boolean {
  let at: TSESTree.Node = node;
  for (let parent = at.parent; parent !== undefined; at = parent, parent = parent.parent) {
    const carries =
      (parent.type === AST_NODE_TYPES.MemberExpression && parent.object === at) ||
      (parent.type === AST_NODE_TYPES.CallExpression && parent.callee === at && ['toString', 'toJSON'].includes(nameOf(at) ?? '')) ||
      parent.type === AST_NODE_TYPES.TemplateLiteral ||
      (parent.type === AST_NODE_TYPES.BinaryExpression && parent.operator === '+') ||
      parent.type === AST_NODE_TYPES.TSAsExpression ||
      parent.type === AST_NODE_TYPES.TSNonNullExpression;
    if (!carries) break;
  }
  const parent = at.parent;
  if (parent?.type === AST_NODE_TYPES.CallExpression && parent.arguments.includes(at as TSESTree.Expression)) {
    if (isNavigation(parent)) return true;
    const method = nameOf(parent);
    const header = parent.arguments[0] === undefined ? undefined : stringValue(parent.arguments[0]);
    return ['setHeader', 'header', 'set', 'append'].includes(method ?? '') && header?.toLowerCase() === 'location';
  }
  if (parent?.type === AST_NODE_TYPES.AssignmentExpression && parent.right === at) return isNavigationTarget(parent.left);
  return parent?.type === AST_NODE_TYPES.Property && /^location$/i.test(staticPropertyName(parent.key, parent.computed) ?? '');
}
