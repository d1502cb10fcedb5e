/**
 * What a token endpoint's PKCE check looks like (RFC 7636 §4.6): the verifier-to-challenge
 * comparison, the refusal that answers a mismatch, and the code that handles a verifier at all.
 * Used by the pkce-optional-server and pkce-failure-keeps-code rules.
 */
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/typescript-estree';
import { visitorKeys } from '@typescript-eslint/visitor-keys';
import { isFunction, memberName, staticPropertyName, stringValue, unwrap } from './ast.js';
import { declaredVariable } from './names.js';
import type { SourceFile } from './source-file.js';

/** A PKCE verifier: `code_verifier`, `codeVerifier`, `verifier`. */
const VERIFIER_NAME = /verifier/i;

/** A code challenge (`code_challenge`, `codeChallenge`, `challenge`); its method is not the challenge. */
const CHALLENGE_NAME = /challenge/i;
const METHOD_NAME = /method/i;
const CODE_CHALLENGE_NAME = /code_?challenge(?!_?method)/i;

/** A function that checks a verifier against a challenge by name alone (`verifyPkce`, `checkPKCE`, pkce-challenge's `verifyChallenge`). */
const PKCE_CHECK_NAME = /^(verify|check|validate|assert|compare|match|ensure)\w*(pkce|challenge)|^pkce\w*(verif|check|valid|match)|^(verify|check)$/i;

/** A function that compares two values: a check once one of them is the challenge (`timingSafeEqual`, `constantEquals`, `safeCompare`). */
const COMPARE_NAME = /equal|compare|match|verify/i;

/** Names of functions that compute a challenge rather than check one. */
const COMPUTE_NAME = /calculate|compute|generate|create|make|derive|build|^hash|^s256$/i;

/** OAuth error codes a token or authorization endpoint answers a refusal with (RFC 6749 §5.2, §4.1.2.1). */
const OAUTH_ERRORS = new Set(['invalid_grant', 'invalid_request', 'invalid_client', 'unauthorized_client', 'access_denied', 'server_error', 'invalid_scope']);

/** A callee that makes or sends an error: `new InvalidGrantError()`, `oauthError(…)`, `reject(…)`, `ctx.throw(400)`. */
const ERROR_CALLEE = /error|invalid|reject|fail|deny|denied|unauthori[sz]ed|forbidden|badrequest|^throw$/i;

/** The name a value is read by: `verifier`, `body.code_verifier`, `params.get('code_verifier')`, `record?.codeChallenge`. */
export function readName(node: TSESTree.Node): string | undefined {
  let at = unwrap(node);
  if (at.type === AST_NODE_TYPES.AwaitExpression) at = unwrap(at.argument);
  if (at.type === AST_NODE_TYPES.Identifier) return at.name;
  if (at.type === AST_NODE_TYPES.MemberExpression) return memberName(at);
  if (at.type === AST_NODE_TYPES.CallExpression && at.callee.type === AST_NODE_TYPES.MemberExpression && memberName(at.callee) === 'get' && at.arguments[0])
    return stringValue(at.arguments[0]);
  return undefined;
}

export const isChallengeName = (name: string | undefined) => name !== undefined && CHALLENGE_NAME.test(name) && !METHOD_NAME.test(name);
export const isVerifierName = (name: string | undefined) => name !== undefined && VERIFIER_NAME.test(name);

/** The last name of what a call calls: `verifyChallenge` for `pkce.verifyChallenge(…)` or an imported `verifyChallenge`. */
export function calleeLastName(call: TSESTree.CallExpression | TSESTree.NewExpression): string | undefined {
  const callee = unwrap(call.callee);
  if (callee.type === AST_NODE_TYPES.Identifier) return callee.name;
  if (callee.type === AST_NODE_TYPES.MemberExpression) return memberName(callee);
  return undefined;
}

/** Every node below `root` that is not inside a nested function. */
export function ownNodes(root: TSESTree.Node, visit: (node: TSESTree.Node) => void): void {
  const stack: TSESTree.Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node !== root && isFunction(node)) continue;
    visit(node);
    for (const key of visitorKeys[node.type] ?? []) {
      const child = (node as unknown as Record<string, unknown>)[key];
      for (const each of Array.isArray(child) ? child : [child])
        if (typeof each === 'object' && each !== null && typeof (each as { type?: unknown }).type === 'string') stack.push(each as TSESTree.Node);
    }
  }
}

/** Whether `expression` reads the challenge: a challenge name on it, or on the one variable it was set from. */
function readsChallenge(file: SourceFile, expression: TSESTree.Node): boolean {
  let found = false;
  ownNodes(expression, (node) => {
    if (found) return;
    const name = node.type === AST_NODE_TYPES.Identifier || node.type === AST_NODE_TYPES.MemberExpression ? readName(node) : undefined;
    if (isChallengeName(name)) found = true;
    else if (node.type === AST_NODE_TYPES.Identifier && node.parent?.type !== AST_NODE_TYPES.MemberExpression) {
      const init = singleInit(file, node);
      if (init !== undefined && init !== expression && isChallengeName(readName(init))) found = true;
    }
  });
  return found;
}

/** The initialiser of the `const` an identifier names, when it has exactly one and is never written again. */
export function singleInit(file: SourceFile, identifier: TSESTree.Identifier): TSESTree.Expression | undefined {
  const variable = declaredVariable(file, identifier);
  if (variable === undefined || variable.defs.length !== 1) return undefined;
  const definition = variable.defs[0]!.node;
  if (definition.type !== AST_NODE_TYPES.VariableDeclarator || definition.id.type !== AST_NODE_TYPES.Identifier || definition.init === null) return undefined;
  if (variable.references.some((each) => each.isWrite() && each.writeExpr !== definition.init)) return undefined;
  return definition.init;
}

/** A value nobody compares a secret with: a literal, `null`, `undefined`, a `typeof` or a `.length`. */
function isConstantSide(node: TSESTree.Node): boolean {
  const at = unwrap(node);
  if (at.type === AST_NODE_TYPES.Literal || (at.type === AST_NODE_TYPES.TemplateLiteral && at.expressions.length === 0)) return true;
  if (at.type === AST_NODE_TYPES.Identifier && at.name === 'undefined') return true;
  if (at.type === AST_NODE_TYPES.UnaryExpression && (at.operator === 'typeof' || at.operator === 'void')) return true;
  return at.type === AST_NODE_TYPES.MemberExpression && memberName(at) === 'length';
}

/**
 * Whether `node` is where a verifier is checked against a challenge (RFC 7636 §4.6): a call to a
 * PKCE check (`verifyPkce(v, c)`, `checkPKCE(…)`, `verifyChallenge(…)`), a constant-time compare
 * with the challenge (`timingSafeEqual(a, Buffer.from(stored.codeChallenge))`), or `===`/`!==`
 * with the challenge on one side and a computed value on the other. A format check of the
 * verifier alone (`isValidCodeVerifier(v)`) and a method check (`method !== 'S256'`) are not.
 */
export function isPkceComparison(file: SourceFile, node: TSESTree.Node): boolean {
  if (node.type === AST_NODE_TYPES.BinaryExpression && ['===', '!==', '==', '!='].includes(node.operator)) {
    if (node.left.type === AST_NODE_TYPES.PrivateIdentifier || isConstantSide(node.left) || isConstantSide(node.right)) return false;
    return readsChallenge(file, node.left) || readsChallenge(file, node.right);
  }
  if (node.type !== AST_NODE_TYPES.CallExpression) return false;
  const name = calleeLastName(node);
  if (name === undefined || COMPUTE_NAME.test(name)) return false;
  const args = node.arguments.filter((each) => each.type !== AST_NODE_TYPES.SpreadElement);
  if (isPkceCheckCall(node)) return true;
  // assert.equal(…) in a test states a fact; it does not decide a request.
  if (isAssertion(node)) return false;
  return COMPARE_NAME.test(name) && args.length >= 2 && args.some((each) => readsChallenge(file, each));
}

/**
 * A call to a function that checks PKCE by its name (`checkPKCE(…)`, `verifyPkce(…)`,
 * `verifyChallenge(…)`, `pkce.verify(…)`) with a verifier or a code challenge among its
 * arguments (not WWW-Authenticate or DPoP challenges). Called as a statement, it throws on a mismatch.
 */
export function isPkceCheckCall(call: TSESTree.CallExpression): boolean {
  const name = calleeLastName(call);
  if (name === undefined || COMPUTE_NAME.test(name) || !PKCE_CHECK_NAME.test(name) || !(/pkce|challenge/i.test(name) || isPkceObject(call))) return false;
  return call.arguments.some((each) => mentionsName(each, VERIFIER_NAME) || mentionsName(each, CODE_CHALLENGE_NAME));
}

function isAssertion(call: TSESTree.CallExpression): boolean {
  let root: TSESTree.Node = unwrap(call.callee);
  while (root.type === AST_NODE_TYPES.MemberExpression || root.type === AST_NODE_TYPES.CallExpression)
    root = unwrap(root.type === AST_NODE_TYPES.MemberExpression ? root.object : root.callee);
  return root.type === AST_NODE_TYPES.Identifier && /^(assert|expect|t)$/.test(root.name);
}

/** Whether a name matching `pattern` is read anywhere in `expression`. */
function mentionsName(expression: TSESTree.Node, pattern: RegExp): boolean {
  let found = false;
  ownNodes(expression, (node) => {
    if (!found && (node.type === AST_NODE_TYPES.Identifier || node.type === AST_NODE_TYPES.MemberExpression) && pattern.test(readName(node) ?? ''))
      found = true;
  });
  return found;
}

/** Whether `expression` checks a verifier against a challenge, itself or through the one `const` it reads (`const ok = verify(…); if (!ok)`). */
export function holdsPkceComparison(file: SourceFile, expression: TSESTree.Node): boolean {
  let found = false;
  ownNodes(expression, (node) => {
    if (found) return;
    if (isPkceComparison(file, node)) found = true;
    else if (node.type === AST_NODE_TYPES.Identifier && node.parent?.type !== AST_NODE_TYPES.MemberExpression) {
      const init = singleInit(file, node);
      if (init !== undefined) ownNodes(init, (inner) => (found ||= isPkceComparison(file, inner)));
    }
  });
  return found;
}

/** `pkce.verify(…)`: a generic verb on an object named for PKCE. */
function isPkceObject(call: TSESTree.CallExpression): boolean {
  const callee = unwrap(call.callee);
  return callee.type === AST_NODE_TYPES.MemberExpression && /pkce/i.test(readName(callee.object) ?? '');
}

/** Whether a function mentions a verifier at all: a PKCE check is in code that handles one (a WebAuthn `challenge` compare is not). */
export function handlesVerifier(fn: TSESTree.Node): boolean {
  let found = false;
  ownNodes(fn, (node) => {
    if (found) return;
    if (node.type === AST_NODE_TYPES.Identifier && isVerifierName(node.name)) found = true;
    else if (node.type === AST_NODE_TYPES.Literal && typeof node.value === 'string' && /^code_verifier$/.test(node.value)) found = true;
  });
  return found;
}

/** An expression that makes or sends a refusal: an error object, an OAuth error code, a 4xx status. */
function isErrorValue(expression: TSESTree.Node): boolean {
  let found = false;
  ownNodes(expression, (node) => {
    if (found) return;
    if (
      (node.type === AST_NODE_TYPES.CallExpression || node.type === AST_NODE_TYPES.NewExpression) &&
      ERROR_CALLEE.test(calleeLastName(node) ?? '') &&
      !isLog(node)
    )
      found = true;
    else if (node.type === AST_NODE_TYPES.Literal && typeof node.value === 'string' && OAUTH_ERRORS.has(node.value)) found = true;
    else if (isClientErrorStatus(node)) found = true;
    else if (node.type === AST_NODE_TYPES.Property && staticPropertyName(node.key, node.computed) === 'error') found = true;
  });
  return found;
}

/** `console.error(…)`, `logger.error(…)`: a log line, not a refusal. */
function isLog(call: TSESTree.CallExpression | TSESTree.NewExpression): boolean {
  const callee = unwrap(call.callee);
  return callee.type === AST_NODE_TYPES.MemberExpression && /^(console|log|logger|debug)$/i.test(readName(callee.object) ?? '');
}

/** A 4xx status given to a response: `res.status(400)`, `c.json(body, 400)`, `{ status: 400 }`. */
function isClientErrorStatus(node: TSESTree.Node): boolean {
  if (node.type !== AST_NODE_TYPES.Literal || typeof node.value !== 'number' || node.value < 400 || node.value >= 500) return false;
  const parent = node.parent;
  if (parent?.type === AST_NODE_TYPES.CallExpression || parent?.type === AST_NODE_TYPES.NewExpression) return parent.arguments.includes(node);
  return parent?.type === AST_NODE_TYPES.Property && /^(status|statusCode)$/.test(staticPropertyName(parent.key, parent.computed) ?? '');
}

/** A statement that refuses the request: `throw`, `return <error>`, `return false`, `res.status(400).json(…)`, `next(new Error(…))`. */
export function isRejection(node: TSESTree.Node): boolean {
  if (node.type === AST_NODE_TYPES.ThrowStatement) return true;
  if (node.type === AST_NODE_TYPES.ReturnStatement) {
    if (node.argument === null) return false;
    const value = unwrap(node.argument);
    if (value.type === AST_NODE_TYPES.Literal && value.value === false) return true;
    return isErrorValue(value);
  }
  return node.type === AST_NODE_TYPES.ExpressionStatement && isErrorValue(node.expression);
}

/** Whether `branch` refuses the request whatever else holds: it is a rejection, or a block with one at its top level. */
export function refusesAlways(branch: TSESTree.Node | null): boolean {
  if (branch === null) return false;
  if (branch.type === AST_NODE_TYPES.BlockStatement) return branch.body.some(isRejection);
  return isRejection(branch);
}

/** Whether `inner` lies within `outer`'s source range. */
export function contains(outer: TSESTree.Node, inner: TSESTree.Node): boolean {
  return outer.range[0] <= inner.range[0] && inner.range[1] <= outer.range[1];
}
