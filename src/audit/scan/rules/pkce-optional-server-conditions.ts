/**
 * Which token requests skip a PKCE check: conditions read as three-valued logic over "a verifier
 * was sent" (V) and "the code has a challenge" (C); anything else is unknown. Used by the
 * pkce-optional-server rule, for the token endpoint and for the authorization request's schema.
 */
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/typescript-estree';
import { memberName, stringValue, unwrap } from '../ast.js';
import { calleeLastName, isChallengeName, isVerifierName, readName, singleInit } from '../pkce-checks.js';
import type { SourceFile } from '../source-file.js';

/** One kind of token request: whether it carries a verifier, whether its code carries a challenge. */
export interface Scenario {
  readonly verifier?: boolean;
  readonly challenge?: boolean;
  /** The file, to read a `const` a condition names (`const isPkceEnabled = !!grant.codeChallenge`). */
  readonly file?: SourceFile;
}

type Tri = boolean | undefined;

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
export function presence(expression: TSESTree.Node): { readonly of: 'verifier' | 'challenge'; readonly present: boolean } | undefined {
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
export function evaluate(expression: TSESTree.Node, scenario: Scenario, depth = 0): Tri {
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
