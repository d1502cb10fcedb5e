import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/typescript-estree';
import { rfc } from '../../catalogue/spec.js';
import { memberName, unwrap } from '../ast.js';
import { namedValues } from '../named-values.js';
import { type Origin, originsOf } from '../provenance.js';
import type { RuleMatch, ScanRule } from '../scan-rule.js';
import type { SourceFile } from '../source-file.js';

/**
 * Names of values that must be unguessable: a PKCE verifier, `state`, a nonce, a secret, a token,
 * a CSRF token. `codeVerifier` is one (CodeQL's sensitive-name heuristic drops names with `code`).
 */
const SENSITIVE = /verifier|nonce|secret|csrf|xsrf|token|(^|_)state($|_)|[a-z]State$|^state[A-Z]/i;

/** Names that hold a time, a size or a kind beside a secret, not the secret: `tokenExpiresAt = Date.now() + ttl`. */
const NOT_A_SECRET =
  /progress|page|cursor|continuation|expir|ttl|time|date|(^|[a-z_])at$|age$|count|length|size|index|timeout|delay|type$|kind$|url$|uri$|endpoint|name$|usage|limit/i;

/** Sources an attacker can predict or enumerate. @see CWE-338; RFC 7636 §7.1 */
const PREDICTABLE_CALLS: ReadonlyMap<string, string> = new Map([
  ['Math.random', 'Math.random()'],
  ['Date.now', 'Date.now()'],
  ['performance.now', 'performance.now()'],
  ['process.hrtime', 'process.hrtime()'],
  ['process.hrtime.bigint', 'process.hrtime.bigint()'],
  ['crypto.pseudoRandomBytes', 'crypto.pseudoRandomBytes()'],
  ['uuid.v1', 'uuid v1 (a timestamp and the host)'],
  ['uuid.v6', 'uuid v6 (a timestamp)'],
  ['counter', 'a counter'],
]);

/** What about `origin` makes it predictable, or undefined when it is not. */
function predictable(origin: Origin): string | undefined {
  if (origin.kind !== 'call') return undefined;
  if (origin.name !== undefined && PREDICTABLE_CALLS.has(origin.name)) return PREDICTABLE_CALLS.get(origin.name);
  // new Date().getTime() / .valueOf()
  const callee = origin.node.type === AST_NODE_TYPES.CallExpression ? unwrap(origin.node.callee) : undefined;
  if (callee?.type === AST_NODE_TYPES.MemberExpression && ['getTime', 'valueOf'].includes(memberName(callee) ?? '')) {
    const object = unwrap(callee.object);
    if (object.type === AST_NODE_TYPES.NewExpression && object.callee.type === AST_NODE_TYPES.Identifier && object.callee.name === 'Date') return 'the clock';
  }
  return undefined;
}

/**
 * pkce-weak-rng: a verifier, `state`, nonce, secret or token made from a predictable source
 * (`Math.random`, the clock, a counter, uuid v1), followed through concatenation, templates,
 * `toString(36)`, `slice`/`padStart`, alphabet picks, `join` and the module's own small functions.
 * A pick among values that came from a CSPRNG is not predictable, nor is a time stored beside a
 * secret (`expiresAt`), nor jitter or backoff (no secret's name).
 * @see RFC 7636 §4.1 and §7.1; RFC 6749 §10.10, §10.12; CWE-338
 */
export const PKCE_WEAK_RNG: ScanRule = {
  id: 'pkce-weak-rng',
  mentions: /verifier|nonce|secret|csrf|xsrf|token|state/i,
  title: 'A PKCE verifier, state, nonce or secret from a predictable source',
  severity: 'high',
  cwe: ['CWE-338'],
  spec: [rfc(7636, '4.1'), rfc(7636, '7.1'), rfc(6749, '10.10')],
  precision: 'high',
  why: 'Math.random(), the clock, counters and uuid v1 can be predicted, so an attacker can guess the verifier or state and defeat PKCE or CSRF protection.',
  fix: "Use crypto.randomBytes(32).toString('base64url') (Node) or crypto.getRandomValues (browsers), or a PKCE library.",
  tags: ['oauth', 'pkce', 'randomness'],
  *find(file: SourceFile): Generator<RuleMatch> {
    const reported = new Set<TSESTree.Node>();
    for (const { name, value, at } of namedValues(file)) {
      if (!SENSITIVE.test(name) || NOT_A_SECRET.test(name)) continue;
      const weak = originsOf(file, value).filter((origin) => predictable(origin) !== undefined);
      if (weak.length === 0) continue;
      // Reported already where the value was first named (`const verifier = …; params.set('code_verifier', verifier)`).
      if (weak.every((origin) => origin.trail.some((node) => reported.has(node)))) continue;
      reported.add(unwrap(value));
      const source = predictable(weak[0]!)!;
      yield { node: at, message: `${name} comes from ${source}, which an attacker can predict.`, flow: [...weak[0]!.trail].reverse() };
    }
  },
};
