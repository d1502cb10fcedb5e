/**
 * The query of the request being handled, read by parameter name: `req.query.code`,
 * `c.req.query('state')`, `url.searchParams.get('code')` where the URL is the incoming one,
 * `const { code } = req.query`. A form body or a URL a client received is not it. Used by
 * oauth-state-unchecked to find a redirect-URI callback's `code` and `state`.
 */
import { DefinitionType } from '@typescript-eslint/scope-manager';
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/typescript-estree';
import { memberName, stringValue, unwrap, walk } from './ast.js';
import { declaredVariable } from './names.js';
import type { SourceFile } from './source-file.js';

/**
 * Reads of query parameter `name` under `root`: `req.query.code`, `c.req.query('code')`,
 * `url.searchParams.get('code')` (and `params.get` where `params` is the URL's query),
 * `const { code } = req.query`. A form body (`req.body.code`, a token endpoint's) is not a query.
 */
export function queryReads(file: SourceFile, root: TSESTree.Node, name: string): TSESTree.Node[] {
  const found: TSESTree.Node[] = [];
  walk(root, (node) => {
    if (node.type === AST_NODE_TYPES.MemberExpression) {
      const object = unwrap(node.object);
      if (memberName(node) === name && object.type === AST_NODE_TYPES.MemberExpression && memberName(object) === 'query' && !isWriteTarget(node))
        found.push(node);
    } else if (node.type === AST_NODE_TYPES.CallExpression && node.callee.type === AST_NODE_TYPES.MemberExpression) {
      const method = memberName(node.callee);
      const key = node.arguments[0] === undefined ? undefined : stringValue(node.arguments[0]);
      if (key !== name) return;
      if (method === 'get' && isQuery(file, node.callee.object)) found.push(node);
      else if (method === 'query' && isHonoRequest(node.callee.object)) found.push(node);
    } else if (
      node.type === AST_NODE_TYPES.VariableDeclarator &&
      node.id.type === AST_NODE_TYPES.ObjectPattern &&
      node.init !== null &&
      isQueryObject(file, node.init)
    ) {
      for (const property of node.id.properties)
        if (property.type === AST_NODE_TYPES.Property && memberKey(property) === name) {
          const value = property.value.type === AST_NODE_TYPES.AssignmentPattern ? property.value.left : property.value;
          if (value.type === AST_NODE_TYPES.Identifier) found.push(value);
        }
    }
  });
  return found;
}

/** The key a property is written with: `{ code }`, `{ 'code': c }`, `{ ['code']: c }`; oauth-state-unchecked reads option keys by it too. */
export function memberKey(property: TSESTree.Property): string | undefined {
  return property.computed ? stringValue(property.key) : property.key.type === AST_NODE_TYPES.Identifier ? property.key.name : stringValue(property.key);
}

function isWriteTarget(node: TSESTree.Node): boolean {
  return node.parent?.type === AST_NODE_TYPES.AssignmentExpression && node.parent.left === node;
}

/** `c.req` (Hono's request). */
function isHonoRequest(node: TSESTree.Node): boolean {
  const at = unwrap(node);
  return at.type === AST_NODE_TYPES.MemberExpression && memberName(at) === 'req';
}

/** `req.query`, `c.req.query()`, `Object.fromEntries(url.searchParams)`: the query as an object. */
function isQueryObject(file: SourceFile, node: TSESTree.Node): boolean {
  let at = unwrap(node);
  if (at.type === AST_NODE_TYPES.AwaitExpression) at = unwrap(at.argument);
  if (at.type === AST_NODE_TYPES.MemberExpression) return memberName(at) === 'query';
  if (at.type !== AST_NODE_TYPES.CallExpression || at.callee.type !== AST_NODE_TYPES.MemberExpression) return false;
  const method = memberName(at.callee);
  if (method === 'query' && at.arguments.length === 0) return isHonoRequest(at.callee.object);
  return method === 'fromEntries' && at.arguments[0] !== undefined && isQuery(file, at.arguments[0]);
}

/**
 * The URL of the request being handled: `new URL(req.url)`, `new URL(c.req.url)`,
 * `request.nextUrl`, `window.location`, or a URL a function is given (`completeLogin(currentUrl)`).
 * A URL a test or a client received (`new URL(response.headers.get('location'))`) is not.
 */
function isIncomingUrl(file: SourceFile, node: TSESTree.Node, depth = 0): boolean {
  const at = unwrap(node);
  if (depth > 3) return false;
  if (at.type === AST_NODE_TYPES.MemberExpression) return ['nextUrl', 'location'].includes(memberName(at) ?? '');
  if (at.type === AST_NODE_TYPES.NewExpression) {
    const first = at.arguments[0] === undefined ? undefined : unwrap(at.arguments[0]);
    return first?.type === AST_NODE_TYPES.MemberExpression && ['url', 'href', 'originalUrl'].includes(memberName(first) ?? '');
  }
  if (at.type !== AST_NODE_TYPES.Identifier) return false;
  if (at.name === 'location') return true;
  const definition = declaredVariable(file, at)?.defs[0];
  if (definition?.type === DefinitionType.Parameter) return true;
  const declarator = definition?.node;
  return declarator?.type === AST_NODE_TYPES.VariableDeclarator && declarator.init !== null && isIncomingUrl(file, declarator.init, depth + 1);
}

/** Names a query string goes by. */
const QUERY_TEXT = /^(search|location|query|queryString|qs)$/i;

/** The URL query as URLSearchParams: `url.searchParams`, `new URLSearchParams(location.search)`, `useSearchParams()`, or a variable holding one. */
function isQuery(file: SourceFile, node: TSESTree.Node, depth = 0): boolean {
  const at = unwrap(node);
  if (depth > 3) return false;
  if (at.type === AST_NODE_TYPES.MemberExpression) return memberName(at) === 'searchParams' && isIncomingUrl(file, at.object);
  if (at.type === AST_NODE_TYPES.NewExpression && at.callee.type === AST_NODE_TYPES.Identifier && at.callee.name === 'URLSearchParams') {
    const source = at.arguments[0] === undefined ? undefined : unwrap(at.arguments[0]);
    // `location.search`, or a helper's parameter named for it: `parseCallback(location)` called with `window.location.search`.
    if (source?.type === AST_NODE_TYPES.Identifier) return QUERY_TEXT.test(source.name);
    return source?.type === AST_NODE_TYPES.MemberExpression && memberName(source) === 'search';
  }
  if (at.type === AST_NODE_TYPES.CallExpression && at.callee.type === AST_NODE_TYPES.Identifier) return at.callee.name === 'useSearchParams';
  if (at.type !== AST_NODE_TYPES.Identifier) return false;
  const declarator = declaredVariable(file, at)?.defs[0]?.node;
  return declarator?.type === AST_NODE_TYPES.VariableDeclarator && declarator.init !== null && isQuery(file, declarator.init, depth + 1);
}
