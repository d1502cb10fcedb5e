import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/typescript-estree';
import { visitorKeys } from '@typescript-eslint/visitor-keys';
import { oauth21, rfc } from '../../catalogue/spec.js';
import { enclosingFunction, type FunctionNode, isFunction, memberName, staticPropertyName, stringValue, unwrap, walk } from '../ast.js';
import { declaredVariable, qualifiedName } from '../names.js';
import type { RuleMatch, ScanRule } from '../scan-rule.js';
import type { SourceFile } from '../source-file.js';

// ---------------------------------------------------------------------------------------------
// What a token endpoint's PKCE check looks like. Shared with pkce-failure-keeps-code (exported);
// it belongs in the engine (a `pkce-checks.ts` beside provenance.ts) once a third rule needs it.
// ---------------------------------------------------------------------------------------------

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

const isChallengeName = (name: string | undefined) => name !== undefined && CHALLENGE_NAME.test(name) && !METHOD_NAME.test(name);
const isVerifierName = (name: string | undefined) => name !== undefined && VERIFIER_NAME.test(name);

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

// ---------------------------------------------------------------------------------------------
// Which requests skip the check: conditions read as three-valued logic over "a verifier was
// sent" (V) and "the code has a challenge" (C); anything else is unknown.
// ---------------------------------------------------------------------------------------------

/** One kind of token request: whether it carries a verifier, whether its code carries a challenge. */
interface Scenario {
  readonly verifier?: boolean;
  readonly challenge?: boolean;
  /** The file, to read a `const` a condition names (`const isPkceEnabled = !!grant.codeChallenge`). */
  readonly file?: SourceFile;
}

type Tri = boolean | undefined;

/** A token request without a verifier for a code issued with a challenge: a stolen code redeemed as is. */
const NO_VERIFIER: Scenario = { verifier: false, challenge: true };
/** A verifier for a code issued without a challenge: the downgrade of RFC 9700 §4.8.2. */
const NO_CHALLENGE: Scenario = { verifier: true, challenge: false };

/** Objects that hold settings, not a request or a stored code: `options.pkce` is a switch, not a challenge. */
const SETTINGS = /option|config|setting|opts|flags|features/i;

/** `payload.pkce`, `code.pkce`: the PKCE data stored with a code (openauth's `{ challenge, method }`), whose presence is the challenge's. */
function isStoredPkce(node: TSESTree.Node): boolean {
  const at = unwrap(node);
  if (at.type !== AST_NODE_TYPES.MemberExpression || !/^pkce$/i.test(memberName(at) ?? '')) return false;
  const holder = unwrap(at.object);
  return !(holder.type === AST_NODE_TYPES.ThisExpression || SETTINGS.test(readName(holder) ?? ''));
}

/** What `expression` tests the presence of, if it is a presence test of a verifier or a challenge. */
function presence(expression: TSESTree.Node): { readonly of: 'verifier' | 'challenge'; readonly present: boolean } | undefined {
  const at = unwrap(expression);
  const of = (node: TSESTree.Node) => {
    const name = readName(node);
    return isVerifierName(name) ? 'verifier' : isChallengeName(name) || isStoredPkce(node) ? 'challenge' : undefined;
  };
  if (at.type === AST_NODE_TYPES.Identifier || at.type === AST_NODE_TYPES.MemberExpression) {
    if (at.type === AST_NODE_TYPES.MemberExpression && memberName(at) === 'length') return presence(at.object);
    const kind = of(at);
    return kind === undefined ? undefined : { of: kind, present: true };
  }
  if (at.type === AST_NODE_TYPES.CallExpression) {
    const name = calleeLastName(at);
    if (name === 'Boolean' && at.arguments[0]) return presence(at.arguments[0]);
    // params.has('code_verifier'), body.hasOwnProperty('code_verifier'), params.get('code_verifier')
    const key = at.arguments[0] === undefined ? undefined : stringValue(at.arguments[0]);
    if ((name === 'has' || name === 'hasOwnProperty' || name === 'get') && key !== undefined) {
      const kind = isVerifierName(key) ? 'verifier' : isChallengeName(key) ? 'challenge' : undefined;
      return kind === undefined ? undefined : { of: kind, present: true };
    }
    return undefined;
  }
  if (at.type !== AST_NODE_TYPES.BinaryExpression || at.left.type === AST_NODE_TYPES.PrivateIdentifier) return undefined;
  if (at.operator === 'in') {
    const key = stringValue(at.left);
    const kind = key === undefined ? undefined : isVerifierName(key) ? 'verifier' : isChallengeName(key) ? 'challenge' : undefined;
    return kind === undefined ? undefined : { of: kind, present: true };
  }
  const negated = at.operator === '!==' || at.operator === '!=';
  if (!negated && at.operator !== '===' && at.operator !== '==') {
    // verifier.length > 0
    const left = unwrap(at.left);
    if (left.type === AST_NODE_TYPES.MemberExpression && memberName(left) === 'length' && (at.operator === '>' || at.operator === '>='))
      return presence(left.object);
    return undefined;
  }
  for (const [value, other] of [
    [at.left, at.right],
    [at.right, at.left],
  ] as const) {
    const constant = unwrap(other);
    const absent =
      (constant.type === AST_NODE_TYPES.Literal && (constant.value === null || constant.value === '' || constant.value === 0)) ||
      (constant.type === AST_NODE_TYPES.Identifier && constant.name === 'undefined') ||
      (constant.type === AST_NODE_TYPES.UnaryExpression && constant.operator === 'void');
    const typed = unwrap(value);
    if (absent) {
      const inner = presence(value);
      if (inner !== undefined) return { of: inner.of, present: negated ? inner.present : !inner.present };
    }
    // typeof verifier === 'string' / !== 'undefined'
    if (typed.type === AST_NODE_TYPES.UnaryExpression && typed.operator === 'typeof') {
      const type = stringValue(constant);
      const inner = presence(typed.argument);
      if (inner !== undefined && type !== undefined) return { of: inner.of, present: (type !== 'undefined') !== negated };
    }
  }
  return undefined;
}

/** The value of `expression` in `scenario`: true, false, or undefined when it depends on something else. */
function evaluate(expression: TSESTree.Node, scenario: Scenario, depth = 0): Tri {
  const at = unwrap(expression);
  if (at.type === AST_NODE_TYPES.UnaryExpression && at.operator === '!') {
    const inner = evaluate(at.argument, scenario, depth);
    return inner === undefined ? undefined : !inner;
  }
  if (at.type === AST_NODE_TYPES.LogicalExpression && at.operator !== '??') {
    const left = evaluate(at.left, scenario, depth);
    const right = evaluate(at.right, scenario, depth);
    if (at.operator === '&&') return left === false || right === false ? false : left === true && right === true ? true : undefined;
    return left === true || right === true ? true : left === false && right === false ? false : undefined;
  }
  const test = presence(at);
  if (test === undefined) {
    // if (isPkceEnabled) … where `const isPkceEnabled = !!grantData.codeChallenge`
    const init = at.type === AST_NODE_TYPES.Identifier && scenario.file !== undefined ? singleInit(scenario.file, at) : undefined;
    return init === undefined || depth > 3 ? undefined : evaluate(init, scenario, depth + 1);
  }
  const present = scenario[test.of];
  return present === undefined ? undefined : present === test.present;
}

/** Whether every condition between `node` and the first ancestor that also holds `stop` lets `node` run in `scenario`. */
function runsIn(node: TSESTree.Node, stop: TSESTree.Node, fn: FunctionNode, scenario: Scenario): boolean {
  for (let child = node, at = node.parent; at !== undefined && at !== fn; child = at, at = at.parent) {
    if (contains(child, stop)) return true;
    if (at.type === AST_NODE_TYPES.IfStatement || at.type === AST_NODE_TYPES.ConditionalExpression) {
      if (child === at.test) continue;
      if (evaluate(at.test, scenario) !== (child === at.consequent)) return false;
    } else if (
      at.type === AST_NODE_TYPES.SwitchCase ||
      at.type === AST_NODE_TYPES.CatchClause ||
      at.type === AST_NODE_TYPES.LogicalExpression ||
      at.type === AST_NODE_TYPES.ForStatement ||
      at.type === AST_NODE_TYPES.ForInStatement ||
      at.type === AST_NODE_TYPES.ForOfStatement ||
      at.type === AST_NODE_TYPES.WhileStatement ||
      at.type === AST_NODE_TYPES.DoWhileStatement
    )
      return false;
  }
  return true;
}

function contains(outer: TSESTree.Node, inner: TSESTree.Node): boolean {
  return outer.range[0] <= inner.range[0] && inner.range[1] <= outer.range[1];
}

/** Where a check is skipped: the condition that skips it, and the part of the function that does not run then. */
interface Skip {
  readonly guard: TSESTree.Node;
  /** Code that does not run when the check is skipped; a refusal elsewhere still counts. */
  readonly skipped: TSESTree.Node;
  /** Only a refusal before this position counts (an early `return` skips everything after it). */
  readonly before?: number;
}

/** How `check` is skipped in `scenario` with nothing refusing the request instead, if it is. */
function skipOf(check: TSESTree.Node, fn: FunctionNode, scenario: Scenario): Skip | undefined {
  for (let child: TSESTree.Node = check, at = check.parent; at !== undefined && at !== fn; child = at, at = at.parent) {
    let skip: Skip | undefined;
    if (at.type === AST_NODE_TYPES.IfStatement || at.type === AST_NODE_TYPES.ConditionalExpression) {
      if (child === at.test) skip = skipInTest(check, at, scenario);
      else if (evaluate(at.test, scenario) === (child === at.alternate)) {
        const other = child === at.consequent ? at.alternate : at.consequent;
        skip = refusesIn(other, check, fn, scenario) ? undefined : { guard: at.test, skipped: child };
      }
    } else if (at.type === AST_NODE_TYPES.LogicalExpression && child === at.right && at.operator === '||' && evaluate(at.left, scenario) === true) {
      // `return !verifier || verify(verifier, challenge)`: the check passes when it is skipped.
      if (!insideTest(at) && isPositiveCheck(check)) skip = { guard: at.left, skipped: at.right };
    } else if (at.type === AST_NODE_TYPES.BlockStatement || at.type === AST_NODE_TYPES.SwitchCase) {
      skip = earlyExit(at.type === AST_NODE_TYPES.BlockStatement ? at.body : at.consequent, child, scenario);
    }
    if (skip !== undefined && !refusedElsewhere(check, fn, scenario, skip)) return skip;
    if (skip !== undefined) return undefined;
  }
  return undefined;
}

/** `if (verifier && !verify(verifier, challenge)) throw …`: the check short-circuited away inside the `if`'s own test. */
function skipInTest(check: TSESTree.Node, statement: TSESTree.IfStatement | TSESTree.ConditionalExpression, scenario: Scenario): Skip | undefined {
  for (let child: TSESTree.Node = check, at = check.parent; at !== undefined && at !== statement; child = at, at = at.parent) {
    if (at.type !== AST_NODE_TYPES.LogicalExpression || child !== at.right) continue;
    const left = evaluate(at.left, scenario);
    const skipped = (at.operator === '&&' && left === false) || (at.operator === '||' && left === true);
    if (!skipped) continue;
    const outcome = evaluate(statement.test, scenario);
    if (outcome === undefined) return undefined;
    const taken = outcome ? statement.consequent : statement.alternate;
    if (refusesAlways(taken)) return undefined;
    return { guard: at.left, skipped: at.right };
  }
  return undefined;
}

/** `if (!challenge) return next();` before the check: the check never runs in that case. */
function earlyExit(statements: readonly TSESTree.Node[], child: TSESTree.Node, scenario: Scenario): Skip | undefined {
  for (const statement of statements) {
    if (statement === child) return undefined;
    if (statement.type !== AST_NODE_TYPES.IfStatement || statement.alternate !== null || !exits(statement.consequent)) continue;
    if (refusesAlways(statement.consequent)) continue;
    if (evaluate(statement.test, scenario) === true) return { guard: statement.test, skipped: child, before: statement.range[0] };
  }
  return undefined;
}

/** Whether a branch leaves the function or the loop without refusing: `return`, `return next()`, `continue`, `break`. */
function exits(branch: TSESTree.Node): boolean {
  const last = branch.type === AST_NODE_TYPES.BlockStatement ? branch.body.at(-1) : branch;
  return (
    last !== undefined &&
    (last.type === AST_NODE_TYPES.ReturnStatement || last.type === AST_NODE_TYPES.ContinueStatement || last.type === AST_NODE_TYPES.BreakStatement)
  );
}

function insideTest(node: TSESTree.Node): boolean {
  for (let child = node, at = node.parent; at !== undefined && !isFunction(at); child = at, at = at.parent)
    if ((at.type === AST_NODE_TYPES.IfStatement || at.type === AST_NODE_TYPES.ConditionalExpression) && child === at.test) return true;
  return false;
}

/** A check whose `true` means "the verifier matches": a verify call, or `===`. */
function isPositiveCheck(check: TSESTree.Node): boolean {
  if (check.type === AST_NODE_TYPES.BinaryExpression) return check.operator === '===' || check.operator === '==';
  return check.type === AST_NODE_TYPES.CallExpression;
}

/** Whether some refusal in `branch` runs in `scenario`. */
function refusesIn(branch: TSESTree.Node | null, check: TSESTree.Node, fn: FunctionNode, scenario: Scenario): boolean {
  if (branch === null) return false;
  let found = false;
  ownNodes(branch, (node) => {
    if (!found && isRejection(node) && runsIn(node, branch, fn, scenario) && !contains(node, check)) found = true;
  });
  return found;
}

/** Whether a refusal outside what the skip leaves out runs in `scenario` (`if (!verifier) throw …` before the check). */
function refusedElsewhere(check: TSESTree.Node, fn: FunctionNode, scenario: Scenario, skip: Skip): boolean {
  const statement = statementOf(skip.guard);
  let found = false;
  ownNodes(fn.body, (node) => {
    if (found || !isRejection(node) || contains(skip.skipped, node)) return;
    const before = node.range[1] <= (skip.before ?? statement.range[0]);
    if ((before || (skip.before === undefined && followsDirectly(node, statement))) && runsIn(node, check, fn, scenario)) found = true;
  });
  return found;
}

/** The statements of a block, a `case`, or the program. */
function statementsOf(node: TSESTree.Node): readonly TSESTree.Node[] | undefined {
  if (node.type === AST_NODE_TYPES.BlockStatement || node.type === AST_NODE_TYPES.Program || node.type === AST_NODE_TYPES.StaticBlock) return node.body;
  return node.type === AST_NODE_TYPES.SwitchCase ? node.consequent : undefined;
}

/** The statement `node` is in that sits directly in a list of statements. */
function statementOf(node: TSESTree.Node): TSESTree.Node {
  let at = node;
  while (at.parent !== undefined && statementsOf(at.parent) === undefined) at = at.parent;
  return at;
}

/** Whether `node` is in a statement after `statement` in the same list, with no `return` or `throw` between them: reached when the check is skipped. */
function followsDirectly(node: TSESTree.Node, statement: TSESTree.Node): boolean {
  const list = statement.parent === undefined ? undefined : statementsOf(statement.parent);
  if (list === undefined) return false;
  const from = list.indexOf(statement);
  const to = list.findIndex((each) => contains(each, node));
  if (from === -1 || to <= from) return false;
  return list
    .slice(from + 1, to)
    .every((each) => each.type !== AST_NODE_TYPES.ReturnStatement && each.type !== AST_NODE_TYPES.ThrowStatement && !alwaysLeaves(each));
}

/** An `if` both of whose branches return or throw. */
function alwaysLeaves(statement: TSESTree.Node): boolean {
  return statement.type === AST_NODE_TYPES.IfStatement && statement.alternate !== null && exits(statement.consequent) && exits(statement.alternate);
}

// ---------------------------------------------------------------------------------------------
// The authorization request: a schema that lets code_challenge be left out.
// ---------------------------------------------------------------------------------------------

/** Keys only an authorization request has, or has together (RFC 6749 §4.1.1). */
const AUTHORIZE_ONLY = 'response_type';
const AUTHORIZE_PAIR = ['client_id', 'redirect_uri'];
/** Keys of a token request (RFC 6749 §4.1.3): such a schema is not the authorization request's. */
const TOKEN_KEYS = ['grant_type', 'code', 'code_verifier'];

/** Calls that build an object schema from a shape (zod, valibot, joi, yup, superstruct). */
const OBJECT_SCHEMA = new Set(['object', 'strictObject', 'looseObject', 'keys', 'shape', 'extend', 'append', 'type']);

/** Modules whose schemas are optional unless marked required. */
const OPTIONAL_BY_DEFAULT = /^(joi|@hapi\/joi|yup)$/;

/** Whether a schema expression lets its value be absent: `.optional()`, `.nullish()`, `v.optional(…)`, a joi or yup schema without `.required()`. */
function isOptionalSchema(file: SourceFile, schema: TSESTree.Node): boolean {
  const names: string[] = [];
  let root: TSESTree.Node = unwrap(schema);
  for (;;) {
    if (root.type === AST_NODE_TYPES.CallExpression) {
      const name = calleeLastName(root);
      if (name !== undefined) names.push(name);
      // v.optional(v.string()), z.optional(z.string())
      if ((name === 'optional' || name === 'nullish') && root.callee.type === AST_NODE_TYPES.MemberExpression && root.arguments.length > 0) return true;
      root = unwrap(root.callee);
    } else if (root.type === AST_NODE_TYPES.MemberExpression) root = unwrap(root.object);
    else break;
  }
  if (names.includes('required') || names.includes('exist') || names.includes('defined') || names.includes('nonNullable')) return false;
  if (names.includes('optional') || names.includes('nullish') || names.includes('notRequired')) return true;
  const module = qualifiedName(file, root);
  return module !== undefined && OPTIONAL_BY_DEFAULT.test(module.split('.')[0]!);
}

/** Whether the file refuses an authorization request that has no challenge somewhere: `if (!code_challenge) throw`, `if (client.isPublic && !challenge) return error(…)`. */
function refusesMissingChallenge(file: SourceFile): boolean {
  let found = false;
  walk(file.program, (node) => {
    if (found || node.type !== AST_NODE_TYPES.IfStatement) return;
    if (evaluate(node.test, { challenge: false, file }) === false || evaluate(node.test, { challenge: true, file }) === true) return;
    if (mentionsChallengeAbsence(node.test) && refusesAlways(node.consequent)) found = true;
  });
  return found;
}

/** Whether a test could be true because the challenge is missing (it names the challenge in a presence test). */
function mentionsChallengeAbsence(test: TSESTree.Node): boolean {
  let found = false;
  walk(test, (node) => {
    if (!found && presence(node)?.of === 'challenge') found = true;
  });
  return found;
}

/** A `.refine`/`.superRefine`/`.check` on the schema that mentions the challenge: a rule we cannot read, so no finding. */
function refinedForChallenge(schemaCall: TSESTree.CallExpression): boolean {
  for (let at: TSESTree.Node | undefined = schemaCall; at !== undefined; at = at.parent) {
    if (at.type === AST_NODE_TYPES.CallExpression && ['refine', 'superRefine', 'check', 'custom', 'when'].includes(calleeLastName(at) ?? '')) {
      let mentions = false;
      for (const argument of at.arguments)
        walk(argument, (node) => {
          const name = node.type === AST_NODE_TYPES.Literal ? stringValue(node) : readName(node);
          if (isChallengeName(name)) mentions = true;
        });
      if (mentions) return true;
    }
    if (at.type !== AST_NODE_TYPES.CallExpression && at.type !== AST_NODE_TYPES.MemberExpression) break;
  }
  return false;
}

/**
 * Whether the schema is used in this file (parsed, or handed to a validator or a route), so the
 * code that accepts the request is here to be read. A schema declared in a types module and
 * used elsewhere is not judged: the refusal may be where it is used.
 */
function usedHere(file: SourceFile, schemaCall: TSESTree.CallExpression): boolean {
  // Up the method chain (`z.object({…}).passthrough().refine(…)`) to the expression that holds the schema.
  let top: TSESTree.Node = schemaCall;
  for (;;) {
    const parent: TSESTree.Node | undefined = top.parent;
    if (parent?.type === AST_NODE_TYPES.MemberExpression && parent.object === top) top = parent;
    else if (parent?.type === AST_NODE_TYPES.CallExpression && parent.callee === top) top = parent;
    else if (parent !== undefined && (parent.type === AST_NODE_TYPES.TSAsExpression || parent.type === AST_NODE_TYPES.TSSatisfiesExpression)) top = parent;
    else break;
  }
  const holder = top.parent;
  if (holder?.type !== AST_NODE_TYPES.VariableDeclarator || holder.id.type !== AST_NODE_TYPES.Identifier) return true;
  const variable = file.scopes.getDeclaredVariables(holder)[0];
  if (variable === undefined) return false;
  return variable.references.some((reference) => !reference.init && acceptsRequests(reference.identifier));
}

/** Methods that run a schema on input (zod, valibot, joi, yup, superstruct). */
const PARSE_METHODS = new Set([
  'parse',
  'safeParse',
  'parseAsync',
  'safeParseAsync',
  'validate',
  'validateAsync',
  'validateSync',
  'assert',
  'is',
  'create',
  'cast',
]);

/** A reference that runs the schema on a request: `Schema.safeParse(q)`, `v.parse(Schema, q)`, `zValidator('query', Schema)`; not `Schema.extend(…)` or an export. */
function acceptsRequests(identifier: TSESTree.Node): boolean {
  const parent = identifier.parent;
  if (parent?.type === AST_NODE_TYPES.CallExpression) return parent.arguments.includes(identifier as TSESTree.Expression);
  if (parent?.type === AST_NODE_TYPES.MemberExpression && parent.object === identifier) return PARSE_METHODS.has(memberName(parent) ?? '');
  return parent?.type === AST_NODE_TYPES.Property && parent.value === identifier;
}

function* optionalChallengeSchemas(file: SourceFile): Generator<RuleMatch> {
  const found: RuleMatch[] = [];
  walk(file.program, (node) => {
    if (node.type !== AST_NODE_TYPES.ObjectExpression || node.parent?.type !== AST_NODE_TYPES.CallExpression) return;
    const call = node.parent;
    if (!OBJECT_SCHEMA.has(calleeLastName(call) ?? '')) return;
    const keys = new Map<string, TSESTree.Property>();
    for (const property of node.properties) {
      if (property.type !== AST_NODE_TYPES.Property) continue;
      const key = staticPropertyName(property.key, property.computed);
      if (key !== undefined) keys.set(key, property);
    }
    const challenge = keys.get('code_challenge') ?? keys.get('codeChallenge');
    if (challenge === undefined || TOKEN_KEYS.some((key) => keys.has(key))) return;
    if (!keys.has(AUTHORIZE_ONLY) && !AUTHORIZE_PAIR.every((key) => keys.has(key))) return;
    if (!isOptionalSchema(file, challenge.value) || refinedForChallenge(call) || !usedHere(file, call)) return;
    found.push({
      node: challenge.key,
      severity: 'high',
      message: 'The authorization request schema makes code_challenge optional and nothing here refuses a request without one: PKCE can be left out.',
    });
  });
  if (found.length > 0 && !refusesMissingChallenge(file)) yield* found;
}

function* optionalChecks(file: SourceFile): Generator<RuleMatch> {
  const reported = new Set<TSESTree.Node>();
  const found: RuleMatch[] = [];
  walk(file.program, (node) => {
    if (!isPkceComparison(file, node)) return;
    const fn = enclosingFunction(node);
    if (fn === undefined || !handlesVerifier(fn)) return;
    const noVerifier = skipOf(node, fn, { ...NO_VERIFIER, file });
    const skip = noVerifier ?? skipOf(node, fn, { ...NO_CHALLENGE, file });
    if (skip === undefined || reported.has(skip.guard)) return;
    reported.add(skip.guard);
    found.push(
      noVerifier !== undefined
        ? { node: skip.guard, message: 'The PKCE check runs only when a code_verifier is sent: a token request that leaves it out redeems the code unchecked.' }
        : {
            node: skip.guard,
            severity: 'high',
            message:
              'The PKCE check runs only when the code has a challenge, and a code_verifier sent for a code issued without one is accepted (the RFC 9700 §4.8.2 downgrade).',
          },
    );
  });
  yield* found;
}

/**
 * pkce-optional-server: an authorization server that checks PKCE only when it is there, so PKCE
 * can be switched off by the attacker (a downgrade):
 * - at the token endpoint, a condition on the verifier's or the stored challenge's presence that
 *   skips the verifier-to-challenge comparison with nothing refusing the request instead
 *   (`if (body.code_verifier) { …compare… }`, `if (verifier && !verify(…)) throw`,
 *   `if (!code.codeChallenge) return next()`): Critical when a request without a verifier
 *   redeems a code that has a challenge, High when only a code issued without a challenge skips
 *   the check (a verifier is then accepted for it: RFC 9700 §4.8.2);
 * - at the authorization endpoint, a zod/valibot/joi/yup schema of the authorization request
 *   (it has `response_type`, or `client_id` and `redirect_uri`, and no token-request key) with
 *   an optional `code_challenge`, and no `if` in the file that refuses a request without one (High).
 * Not findings: an `else` or an earlier/later refusal for the skipped case (`if (!verifier) throw
 * invalidGrant()`); `if (verifier || challenge)`, which is RFC 9700 §4.8.2's own countermeasure;
 * conditions on other things (`grant_type`, the method, a `skipLocalPkceValidation` switch); a
 * server requiring PKCE of public clients only (`if (client.isPublic && !challenge) reject`),
 * which OAuth 2.1 §7.5.1 allows for confidential clients that use an OpenID Connect nonce.
 * @see OAuth 2.1 §4.1.1, §4.1.3, §7.5.1; RFC 9700 §2.1.1, §4.8 and §4.8.2; CVE-2025-4144; RFC 7636 §4.6; CWE-757
 */
export const PKCE_OPTIONAL_SERVER: ScanRule = {
  id: 'pkce-optional-server',
  mentions: /verifier|challenge/i,
  title: 'The authorization server checks PKCE only when it is present',
  severity: 'critical',
  cwe: ['CWE-757'],
  spec: [oauth21('4.1.1'), oauth21('4.1.3'), oauth21('7.5.1'), rfc(9700, '2.1.1'), rfc(9700, '4.8'), rfc(9700, '4.8.2')],
  precision: 'high',
  why: 'An attacker who leaves code_verifier or code_challenge out gets the PKCE check skipped, so a stolen or injected authorization code is redeemed.',
  fix: 'Refuse with invalid_grant a token request whose verifier is missing when the code has a challenge, or present when it has none; require code_challenge (S256) at /authorize.',
  tags: ['oauth', 'pkce', 'authorization-server'],
  *find(file: SourceFile): Generator<RuleMatch> {
    yield* optionalChecks(file);
    yield* optionalChallengeSchemas(file);
  },
};
