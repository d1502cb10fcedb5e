import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/typescript-estree';
import { oauth21, rfc } from '../../catalogue/spec.js';
import { enclosingFunction, type FunctionNode, isFunction, walk } from '../ast.js';
import { contains, handlesVerifier, isPkceComparison, isRejection, ownNodes, refusesAlways } from '../pkce-checks.js';
import type { RuleMatch, ScanRule } from '../scan-rule.js';
import type { SourceFile } from '../source-file.js';
import { evaluate, type Scenario } from './pkce-optional-server-conditions.js';
import { optionalChallengeSchemas } from './pkce-optional-server-schemas.js';

// ---------------------------------------------------------------------------------------------
// The token endpoint: a condition on the verifier's or the challenge's presence that skips the
// check (see pkce-optional-server-conditions.ts for how conditions are read).
// ---------------------------------------------------------------------------------------------

/** A token request without a verifier for a code issued with a challenge: a stolen code redeemed as is. */
const NO_VERIFIER: Scenario = { verifier: false, challenge: true };
/** A verifier for a code issued without a challenge: the downgrade of RFC 9700 §4.8.2. */
const NO_CHALLENGE: Scenario = { verifier: true, challenge: false };

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
