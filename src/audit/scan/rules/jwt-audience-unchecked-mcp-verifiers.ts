/**
 * jwt-audience-unchecked's MCP SDK part: `OAuthTokenVerifier.verifyAccessToken` implementations
 * that build AuthInfo without an audience check, and `requireBearerAuth({ verifier })` without
 * `expectedResource` whose verifier reports a `resource` it never compares.
 */
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/typescript-estree';
import { enclosingFunction, type FunctionNode, isFullyVisible, isFunction, memberName, objectProperty, staticPropertyName, unwrap, walk } from '../ast.js';
import { calleeName, declaredVariable } from '../names.js';
import { originsOf } from '../provenance.js';
import type { RuleMatch } from '../scan-rule.js';
import type { SourceFile } from '../source-file.js';
import { audienceOption, readsAudience } from './jwt-audience-unchecked-audience-reads.js';
import { DECODERS, VERIFIERS } from './jwt-audience-unchecked-jwt-calls.js';

/** Functions that implement the MCP SDK's `OAuthTokenVerifier.verifyAccessToken` (a property, a method, or a class method). */
export function verifyAccessTokenImplementations(program: TSESTree.Program): FunctionNode[] {
  const found: FunctionNode[] = [];
  walk(program, (node) => {
    if (isFunction(node) && isVerifyAccessToken(node)) found.push(node);
  });
  return found;
}

export function isVerifyAccessToken(fn: FunctionNode): boolean {
  const parent = fn.parent;
  if (parent?.type !== AST_NODE_TYPES.Property && parent?.type !== AST_NODE_TYPES.MethodDefinition) return false;
  return parent.value === fn && staticPropertyName(parent.key, parent.computed) === 'verifyAccessToken';
}

/**
 * A `verifyAccessToken` that builds AuthInfo itself and neither reads the token's `aud`, nor
 * reports a `resource` (which `requireBearerAuth({ expectedResource })` compares), nor calls a
 * JWT verifier or decoder (each judged on its own above). One that only delegates (`return this.inner(token)`)
 * builds nothing we can see.
 */
export function verifierWithoutAudience(file: SourceFile, fn: FunctionNode): RuleMatch | undefined {
  if (readsAudience(fn) || mentionsResource(fn) || callsCatalogueVerifier(file, fn)) return undefined;
  const authInfo = returnedAuthInfo(file, fn);
  if (authInfo === undefined) return undefined;
  return {
    node: authInfo,
    message: 'verifyAccessToken returns AuthInfo without checking aud or reporting resource, so a token issued for another server is accepted.',
  };
}

function mentionsResource(fn: FunctionNode): boolean {
  let mentions = false;
  walk(fn, (node) => {
    if (node.type === AST_NODE_TYPES.MemberExpression && memberName(node) === 'resource') mentions = true;
    else if (node.type === AST_NODE_TYPES.Property && staticPropertyName(node.key, node.computed) === 'resource') mentions = true;
  });
  return mentions;
}

function callsCatalogueVerifier(file: SourceFile, fn: FunctionNode): boolean {
  let calls = false;
  walk(fn, (node) => {
    if (node.type !== AST_NODE_TYPES.CallExpression) return;
    const name = calleeName(file, node) ?? '';
    if (VERIFIERS.has(name) || DECODERS.has(name)) calls = true;
  });
  return calls;
}

/** The object literal `fn` returns as AuthInfo (`{ token, clientId, scopes, … }`), if it builds one in view. */
function returnedAuthInfo(file: SourceFile, fn: FunctionNode): TSESTree.ObjectExpression | undefined {
  const results: TSESTree.Node[] = [];
  if (fn.body.type !== AST_NODE_TYPES.BlockStatement) results.push(fn.body);
  else
    walk(fn.body, (node) => {
      if (node.type === AST_NODE_TYPES.ReturnStatement && node.argument !== null && enclosingFunction(node) === fn) results.push(node.argument);
    });
  for (const result of results)
    for (const origin of originsOf(file, result)) {
      const object = origin.node;
      if (origin.kind === 'literal' && object.type === AST_NODE_TYPES.ObjectExpression && isAuthInfo(object)) return object;
    }
  return undefined;
}

function isAuthInfo(object: TSESTree.ObjectExpression): boolean {
  return objectProperty(object, 'clientId') !== undefined && objectProperty(object, 'scopes') !== undefined;
}

/**
 * `requireBearerAuth({ verifier })` with no `expectedResource`: the SDK then compares the
 * AuthInfo's `resource` with nothing. Reported only when the options are fully visible and the
 * verifier is in view, reports `resource`, and does not compare the audience itself.
 */
export function bearerAuthWithoutResource(file: SourceFile, call: TSESTree.CallExpression): RuleMatch | undefined {
  const options = call.arguments[0];
  if (options === undefined) return undefined;
  const origins = originsOf(file, options);
  if (origins.length !== 1) return undefined;
  const object = origins[0]!.node;
  if (origins[0]!.kind !== 'literal' || object.type !== AST_NODE_TYPES.ObjectExpression || !isFullyVisible(object)) return undefined;
  const expected = objectProperty(object, 'expectedResource');
  if (expected !== undefined && !isNothing(expected.value)) return undefined;
  const verifier = objectProperty(object, 'verifier');
  if (verifier === undefined) return undefined;
  const implementations = verifierImplementations(file, verifier.value);
  const unchecked = implementations.find((fn) => mentionsResource(fn) && !comparesAudience(file, fn));
  if (unchecked === undefined) return undefined;
  return {
    node: call,
    message: 'requireBearerAuth has no expectedResource, so the resource its verifier reports is never compared with this server.',
    flow: [unchecked, call],
  };
}

function isNothing(node: TSESTree.Node): boolean {
  const value = unwrap(node);
  return (value.type === AST_NODE_TYPES.Identifier && value.name === 'undefined') || (value.type === AST_NODE_TYPES.Literal && value.value === null);
}

/** The `verifyAccessToken` functions of a verifier in view: an object literal, or `new LocalClass()`. */
function verifierImplementations(file: SourceFile, verifier: TSESTree.Node): FunctionNode[] {
  const found: FunctionNode[] = [];
  for (const origin of originsOf(file, verifier)) {
    const node = origin.node;
    if (origin.kind === 'literal' && node.type === AST_NODE_TYPES.ObjectExpression) {
      const method = objectProperty(node, 'verifyAccessToken');
      const value = method === undefined ? undefined : unwrap(method.value);
      if (value !== undefined && isFunction(value)) found.push(value);
    } else if (origin.kind === 'call' && node.type === AST_NODE_TYPES.NewExpression && node.callee.type === AST_NODE_TYPES.Identifier) {
      const definition = declaredVariable(file, node.callee)?.defs[0]?.node;
      if (definition?.type !== AST_NODE_TYPES.ClassDeclaration) continue;
      for (const member of definition.body.body)
        if (
          member.type === AST_NODE_TYPES.MethodDefinition &&
          staticPropertyName(member.key, member.computed) === 'verifyAccessToken' &&
          member.value.type === AST_NODE_TYPES.FunctionExpression
        )
          found.push(member.value);
    }
  }
  return found;
}

const EQUALITY = new Set(['===', '!==', '==', '!=']);
const MEMBERSHIP = new Set(['includes', 'some', 'every', 'find', 'indexOf', 'has']);

/** Whether `fn` compares the audience: `aud === x`, `auds.includes(x)`, `new URL(aud).origin === …`, or a verifier given an `audience`. */
function comparesAudience(file: SourceFile, fn: FunctionNode): boolean {
  let compares = false;
  walk(fn, (node) => {
    if (compares) return;
    if (node.type === AST_NODE_TYPES.BinaryExpression && EQUALITY.has(node.operator))
      compares = [node.left, node.right].every((side) => !isNothing(side) && !isTypeof(side)) && (mentionsAud(node.left) || mentionsAud(node.right));
    else if (
      node.type === AST_NODE_TYPES.CallExpression &&
      node.callee.type === AST_NODE_TYPES.MemberExpression &&
      MEMBERSHIP.has(memberName(node.callee) ?? '')
    )
      compares = mentionsAud(node.callee.object) || node.arguments.some(mentionsAud);
    else if (node.type === AST_NODE_TYPES.CallExpression && VERIFIERS.has(calleeName(file, node) ?? ''))
      compares = audienceOption(file, node.arguments[VERIFIERS.get(calleeName(file, node)!)!], node) !== 'missing';
  });
  return compares;
}

function isTypeof(node: TSESTree.Node): boolean {
  const at = unwrap(node);
  return at.type === AST_NODE_TYPES.UnaryExpression && at.operator === 'typeof';
}

/** Whether an expression reads an audience: `x.aud`, `x.resource`, a variable named `aud` or `audience…`. */
function mentionsAud(root: TSESTree.Node): boolean {
  let mentions = false;
  walk(root, (node) => {
    if (node.type === AST_NODE_TYPES.MemberExpression && ['aud', 'resource', 'audience'].includes(memberName(node) ?? '')) mentions = true;
    else if (node.type === AST_NODE_TYPES.Identifier && /^(aud|audiences?|resource)$/i.test(node.name)) mentions = true;
  });
  return mentions;
}
