/**
 * The PKCE verifier as a value: the names it goes by, the calls that make it, and whether an
 * expression is the verifier itself (not its S256 hash or a sealed copy) or an object holding it.
 * Used by pkce-verifier-front-channel (the verifier sent through the browser) and
 * pkce-verifier-shared-store (the verifier kept where other flows read it). `nameOf`, the name a
 * node goes by in a trail, is how the verifier is recognised; navigation.ts reads receivers with it.
 */
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/typescript-estree';
import { isFunction, memberName, staticPropertyName, stringValue, unwrap } from './ast.js';
import { type Origin, originsOf } from './provenance.js';
import type { SourceFile } from './source-file.js';

/** Names a PKCE verifier goes by: `verifier`, `codeVerifier`, `code_verifier`, `pkceCodeVerifier`, `_codeVerifier`; not `jwtVerifier`. */
export const VERIFIER_NAME = /^(_*|.*code_?|.*pkce_?)verifier$/i;

/** Calls that make a verifier: oauth4webapi `generateRandomCodeVerifier`, openid-client `randomPKCECodeVerifier` / `generators.codeVerifier`, arctic `generateCodeVerifier`. */
const VERIFIER_FACTORY = /(code|pkce)_?verifier$/i;

/**
 * Calls and names that turn the verifier into something else: the S256 challenge is a hash of it
 * (RFC 7636 §4.2), and a sealed or encrypted value does not reveal it.
 */
const TRANSFORMS = /hash|sha\d*|digest|challenge|encrypt|seal|cipher|hmac/i;

/** The name a node is known by in a trail: an identifier, a member's property, a function's name, a call's callee. */
export function nameOf(node: TSESTree.Node): string | undefined {
  if (node.type === AST_NODE_TYPES.Identifier) return node.name;
  if (node.type === AST_NODE_TYPES.MemberExpression) return memberName(node);
  if (node.type === AST_NODE_TYPES.CallExpression || node.type === AST_NODE_TYPES.NewExpression) {
    const callee = unwrap(node.callee);
    return nameOf(callee);
  }
  if (isFunction(node)) {
    if (node.type !== AST_NODE_TYPES.ArrowFunctionExpression && node.id !== null) return node.id.name;
    return node.parent?.type === AST_NODE_TYPES.VariableDeclarator && node.parent.id.type === AST_NODE_TYPES.Identifier ? node.parent.id.name : undefined;
  }
  return undefined;
}

function lastSegment(path: string): string {
  return path.slice(path.lastIndexOf('.') + 1);
}

/** Whether the value `origin` traces is the verifier itself, not a hash or a sealed copy of it. */
function isVerifierOrigin(origin: Origin): boolean {
  const names = origin.trail.map(nameOf).filter((name) => name !== undefined);
  if (names.some((name) => TRANSFORMS.test(name))) return false;
  if (names.some((name) => VERIFIER_NAME.test(name))) return true;
  if (origin.kind === 'read') return VERIFIER_NAME.test(lastSegment(origin.path));
  if (origin.kind === 'parameter') return VERIFIER_NAME.test(origin.name);
  if (origin.kind !== 'call') return false;
  if (origin.name !== undefined && VERIFIER_FACTORY.test(lastSegment(origin.name))) return true;
  return isStoredVerifierRead(origin.node);
}

/** `sessionStorage.getItem('pkce_code_verifier')`, `cookies.get('code_verifier')`: a read by a key named for the verifier. */
function isStoredVerifierRead(call: TSESTree.CallExpression | TSESTree.NewExpression): boolean {
  const method = call.type === AST_NODE_TYPES.CallExpression ? nameOf(call) : undefined;
  const key = call.arguments[0] === undefined ? undefined : stringValue(call.arguments[0]);
  return (method === 'getItem' || method === 'get') && key !== undefined && /verifier$/i.test(key);
}

/**
 * Whether `expression` is the PKCE verifier (by its name, the names it passed through, or the call
 * that made it), followed through assignments, templates and the module's functions.
 */
export function verifierOrigin(file: SourceFile, expression: TSESTree.Node): Origin | undefined {
  return originsOf(file, expression).find(isVerifierOrigin);
}

/**
 * Whether `expression` is the verifier or an object that holds it (`{ verifier, state }`,
 * `JSON.stringify({ codeVerifier })`), a property deep at most `depth`.
 */
export function holdsVerifier(file: SourceFile, expression: TSESTree.Node, depth = 2): boolean {
  for (const origin of originsOf(file, expression)) {
    if (isVerifierOrigin(origin)) return true;
    if (depth > 0 && origin.kind === 'literal' && origin.node.type === AST_NODE_TYPES.ObjectExpression)
      for (const property of origin.node.properties) {
        if (property.type !== AST_NODE_TYPES.Property) continue;
        const key = staticPropertyName(property.key, property.computed);
        if (key !== undefined && TRANSFORMS.test(key)) continue;
        if ((key !== undefined && VERIFIER_NAME.test(key)) || holdsVerifier(file, property.value, depth - 1)) return true;
      }
  }
  return false;
}
