import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/typescript-estree';
import { oauth21, rfc } from '../../catalogue/spec.js';
import { type FunctionNode, isFunction, memberName, staticPropertyName, unwrap, walk } from '../ast.js';
import {
  calleeLastName,
  contains,
  handlesVerifier,
  holdsPkceComparison,
  isPkceCheckCall,
  isRejection,
  ownNodes,
  readName,
  refusesAlways,
  singleInit,
} from '../pkce-checks.js';
import type { RuleMatch, ScanRule } from '../scan-rule.js';
import type { SourceFile } from '../source-file.js';

/** Calls that delete or spend a stored value: `codes.delete`, `redis.del`/`getdel`, `store.consumeCode`, `findOneAndDelete`, `revoke`. */
const CONSUME_CALL =
  /^(delete|del|remove|destroy|consume|revoke|invalidate|expire|burn|getdel|findOneAndDelete|findAndDelete|findOneAndRemove|deleteOne|deleteMany|hdel|unlink)|^(mark|set|flag)\w*(used|consumed|redeemed|spent)|^(redeem|exchange)\w*code/i;

/** Flags that mark a code used: `code.used = true`, `{ consumedAt: now }`. */
const USED_FLAG = /^(is_?)?(used|consumed|redeemed|spent|exchanged)(_?at)?$/i;

/** What an authorization code is called: `code`, `codes`, `authorizationCodes`, `consumeGrantSource`, `'code:' + id`. */
const CODE_NAME = /code|grant/i;

/** Names with `code` in them that are not the authorization code. */
const NOT_THE_CODE = /verifier|challenge|status|country|postal|zip|error|qr|device_?code|user_?code|unicode|encode|decode/i;

/** SQL that deletes a row or marks it used, when the whole statement's verb is a visible literal. */
const CONSUME_SQL = /^\s*(delete\s+from\b|update\s+\S+\s+set\b[\s\S]*\b(used|consumed|redeemed))/i;

/** Where a wrong verifier is refused: the `if` (or the statement that throws), its refusing branch, and the refusal a finding points at. */
interface Refusal {
  readonly check: TSESTree.Node;
  readonly branch: TSESTree.Node | undefined;
  readonly at: TSESTree.Node;
}

const relatesToCode = (name: string | undefined) => name !== undefined && CODE_NAME.test(name) && !NOT_THE_CODE.test(name);

/** Whether a call, `delete`, assignment, flag or SQL text in `node` spends the authorization code. */
function consumesCode(file: SourceFile, node: TSESTree.Node): boolean {
  if (node.type === AST_NODE_TYPES.CallExpression) {
    const name = calleeLastName(node);
    if (name === undefined || !CONSUME_CALL.test(name)) return false;
    if (relatesToCode(name)) return true;
    return namesIn(file, node).some(relatesToCode);
  }
  if (node.type === AST_NODE_TYPES.UnaryExpression && node.operator === 'delete') {
    // delete grant.authCodeId spends the code; delete grant.codeChallenge does not.
    const target = unwrap(node.argument);
    const key = target.type === AST_NODE_TYPES.MemberExpression ? memberName(target) : undefined;
    return key !== undefined ? relatesToCode(key) : namesIn(file, target).some(relatesToCode);
  }
  if (node.type === AST_NODE_TYPES.AssignmentExpression && node.left.type === AST_NODE_TYPES.MemberExpression)
    return USED_FLAG.test(memberName(node.left) ?? '') && !isFalsy(node.right);
  if (
    node.type === AST_NODE_TYPES.Property &&
    node.parent.type === AST_NODE_TYPES.ObjectExpression &&
    node.parent.parent?.type !== AST_NODE_TYPES.VariableDeclarator
  )
    return USED_FLAG.test(staticPropertyName(node.key, node.computed) ?? '') && !isFalsy(node.value);
  if (node.type === AST_NODE_TYPES.Literal && typeof node.value === 'string') return CONSUME_SQL.test(node.value) && relatesToCode(node.value);
  if (node.type === AST_NODE_TYPES.TemplateLiteral) {
    const text = node.quasis.map((quasi) => quasi.value.cooked ?? '').join(' ');
    return CONSUME_SQL.test(node.quasis[0]!.value.cooked ?? '') && relatesToCode(text);
  }
  return false;
}

function isFalsy(node: TSESTree.Node): boolean {
  const at = unwrap(node);
  return at.type === AST_NODE_TYPES.Literal && (at.value === false || at.value === null || at.value === 0);
}

/** The names a call or expression reads: its receivers, its arguments' identifiers and properties, and their string parts. */
function namesIn(file: SourceFile, node: TSESTree.Node, depth = 0): string[] {
  const names: string[] = [];
  ownNodes(node, (each) => {
    if (each.type === AST_NODE_TYPES.Identifier || each.type === AST_NODE_TYPES.MemberExpression) {
      const name = readName(each);
      if (name !== undefined) names.push(name);
      // Storage.remove(storage, key) with `const key = ['oauth:code', code]`: the key's own names.
      const init = each.type === AST_NODE_TYPES.Identifier && depth === 0 ? singleInit(file, each) : undefined;
      if (init !== undefined) names.push(...namesIn(file, init, depth + 1));
    } else if (each.type === AST_NODE_TYPES.Literal && typeof each.value === 'string') names.push(each.value);
    else if (each.type === AST_NODE_TYPES.TemplateElement) names.push(each.value.cooked ?? '');
  });
  return names;
}

/** The places in `fn` where a verifier that does not match is refused. */
function refusals(file: SourceFile, fn: FunctionNode): Refusal[] {
  const found: Refusal[] = [];
  ownNodes(fn.body, (node) => {
    if (node.type === AST_NODE_TYPES.IfStatement && holdsPkceComparison(file, node.test)) {
      const branch = refusesAlways(node.consequent) ? node.consequent : refusesAlways(node.alternate) ? node.alternate! : undefined;
      if (branch !== undefined) found.push({ check: node, branch, at: firstRejection(branch) });
    } else if (node.type === AST_NODE_TYPES.ExpressionStatement) {
      // checkPKCE(verifier, code.codeChallenge, method): its result unused, so it throws on a mismatch.
      const call = unwrap(node.expression.type === AST_NODE_TYPES.AwaitExpression ? node.expression.argument : node.expression);
      if (call.type === AST_NODE_TYPES.CallExpression && isPkceCheckCall(call)) found.push({ check: node, branch: undefined, at: node });
    }
  });
  return found;
}

function firstRejection(branch: TSESTree.Node): TSESTree.Node {
  return branch.type === AST_NODE_TYPES.BlockStatement ? (branch.body.find(isRejection) ?? branch) : branch;
}

/** Whether `consume` runs when the verifier is refused: before the check, in the refusing branch before the refusal, or in a `catch`/`finally` around it. */
function burnsOnFailure(consume: TSESTree.Node, refusal: Refusal): boolean {
  if (consume.range[1] <= refusal.check.range[0]) return !inLeavingBranch(consume, refusal.check);
  if (refusal.check.type === AST_NODE_TYPES.IfStatement && contains(refusal.check.test, consume)) return true;
  if (refusal.branch !== undefined && contains(refusal.branch, consume) && consume.range[1] <= refusal.at.range[0]) return true;
  for (let at = refusal.check.parent; at !== undefined && !isFunction(at); at = at.parent) {
    if (at.type !== AST_NODE_TYPES.TryStatement || !contains(at.block, refusal.check)) continue;
    if ((at.handler !== null && contains(at.handler, consume)) || (at.finalizer !== null && contains(at.finalizer, consume))) return true;
  }
  return false;
}

/** Whether `consume` is in a branch that returns or throws before `check` is reached (a replayed code revoked, then refused). */
function inLeavingBranch(consume: TSESTree.Node, check: TSESTree.Node): boolean {
  for (let child = consume, at = consume.parent; at !== undefined && !contains(at, check); child = at, at = at.parent) {
    const branch = at.type === AST_NODE_TYPES.IfStatement && child !== at.test ? child : at.type === AST_NODE_TYPES.SwitchCase ? at : undefined;
    if (branch === undefined) continue;
    const statements = branch.type === AST_NODE_TYPES.BlockStatement ? branch.body : branch.type === AST_NODE_TYPES.SwitchCase ? branch.consequent : [branch];
    const last = statements.at(-1);
    if (last?.type === AST_NODE_TYPES.ReturnStatement || last?.type === AST_NODE_TYPES.ThrowStatement) return true;
  }
  return false;
}

/** Whether `consume` runs after the check passes: later in the same sequence of statements, or in the branch taken on success. */
function runsOnSuccess(consume: TSESTree.Node, refusal: Refusal): boolean {
  const check = refusal.check;
  if (check.type === AST_NODE_TYPES.IfStatement && contains(check, consume)) return refusal.branch === undefined || !contains(refusal.branch, consume);
  if (consume.range[0] < check.range[1]) return false;
  // Not in another branch of an if or a switch that also holds the check.
  let shared: TSESTree.Node | undefined = consume.parent;
  while (shared !== undefined && !contains(shared, check)) shared = shared.parent;
  return (
    shared !== undefined &&
    (shared.type === AST_NODE_TYPES.BlockStatement ||
      shared.type === AST_NODE_TYPES.Program ||
      shared.type === AST_NODE_TYPES.StaticBlock ||
      (shared.type === AST_NODE_TYPES.SwitchCase && contains(shared, consume)) ||
      isFunction(shared) ||
      shared.type === AST_NODE_TYPES.TryStatement)
  );
}

/** A short name for a consuming node in a message: `codes.delete(…)`, `code.used = …`. */
function describe(file: SourceFile, node: TSESTree.Node): string {
  if (node.type === AST_NODE_TYPES.CallExpression) return `${file.text.slice(node.callee.range[0], node.callee.range[1]).replace(/\s+/g, '')}(…)`;
  if (node.type === AST_NODE_TYPES.AssignmentExpression) return `${file.text.slice(node.left.range[0], node.left.range[1])} = …`;
  if (node.type === AST_NODE_TYPES.Property) return `${staticPropertyName(node.key, node.computed)}: …`;
  if (node.type === AST_NODE_TYPES.UnaryExpression) return file.text.slice(node.range[0], node.range[1]).replace(/\s+/g, ' ');
  return 'the SQL statement';
}

/**
 * pkce-failure-keeps-code: a token endpoint that refuses a wrong code_verifier before it consumes
 * the authorization code (deletes it or marks it used), so the code survives the failure and can
 * be tried again with other verifiers until it expires. OAuth 2.1 §4.1.3 and RFC 6749 §4.1.2 have the code
 * used once; burning it on any failed redemption ends its life as soon as someone who is not the
 * client tries it, and turns guessing a verifier into one guess per stolen code (RFC 6749 §10.10).
 * Not findings: the code consumed before the check (an atomic consume, `GETDEL`,
 * `DELETE … RETURNING`, `findOneAndDelete`), in the refusing branch, or in a `catch`/`finally`
 * around it; a function where no consumption is visible (it may happen elsewhere: we cannot tell);
 * a format check of the verifier before the consume (nothing about the code is learned).
 * @see RFC 6749 §10.10 (guessing credentials) and §4.1.2; OAuth 2.1 §4.1.3; CWE-307
 */
export const PKCE_FAILURE_KEEPS_CODE: ScanRule = {
  id: 'pkce-failure-keeps-code',
  mentions: /verifier/i,
  title: 'A failed PKCE check leaves the authorization code redeemable',
  severity: 'low',
  cwe: ['CWE-307'],
  spec: [rfc(6749, '10.10'), oauth21('4.1.3'), rfc(6749, '4.1.2')],
  precision: 'high',
  why: 'The code is consumed only after the verifier matched, so whoever holds a stolen code can keep trying verifiers, and the client never learns of the attempt.',
  fix: 'Consume the code atomically first (delete or mark it used in one statement) and check the verifier after, so every failed redemption burns it.',
  tags: ['oauth', 'pkce', 'authorization-server'],
  *find(file: SourceFile): Generator<RuleMatch> {
    const found: RuleMatch[] = [];
    walk(file.program, (node) => {
      if (!isFunction(node) || !handlesVerifier(node)) return;
      const consumes: TSESTree.Node[] = [];
      ownNodes(node.body, (each) => {
        if (consumesCode(file, each)) consumes.push(each);
      });
      if (consumes.length === 0) return;
      consumes.sort((a, b) => a.range[0] - b.range[0]);
      for (const refusal of refusals(file, node)) {
        if (consumes.some((each) => burnsOnFailure(each, refusal))) continue;
        const later = consumes.find((each) => runsOnSuccess(each, refusal));
        if (later === undefined) continue;
        found.push({
          node: refusal.at,
          message: `A wrong code_verifier is refused here, before ${describe(file, later)} on line ${later.loc.start.line} consumes the code: the code stays redeemable and can be tried again.`,
        });
      }
    });
    yield* found;
  },
};
