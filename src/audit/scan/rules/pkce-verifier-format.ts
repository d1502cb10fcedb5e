import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/typescript-estree';
import { rfc } from '../../catalogue/spec.js';
import { isFunction, memberName, stringValue, unwrap, walk } from '../ast.js';
import { initOf, MAX_FOLD_DEPTH } from '../constant-fold.js';
import { namedValues } from '../named-values.js';
import { calleeName } from '../names.js';
import type { RuleMatch, ScanRule } from '../scan-rule.js';
import type { SourceFile } from '../source-file.js';
import { foldValue } from './pkce-verifier-format-fold.js';
import type { Folded } from './pkce-verifier-format-folded.js';

/** Names that hold a PKCE verifier (`codeVerifier`, `code_verifier`, `pkceVerifier`, `verifier`). */
const VERIFIER_NAME = /verifier$/i;

/** Names of functions that turn a verifier into its challenge (`calculatePKCECodeChallenge`, `generateCodeChallenge`, `s256Challenge`). */
const CHALLENGE_FUNCTION = /challenge/i;

/** Functions with a challenge in their name that read one rather than make one (`parseChallenge(header)`, `verifyChallenge`). */
const NOT_A_CHALLENGE_MAKER = /^(parse|verify|validate|check|send|handle|is|has|assert|respond)/i;

/** RFC 7636 §4.1: a verifier is 43 to 128 characters. */
const MIN_LENGTH = 43;
const MAX_LENGTH = 128;
/** RFC 7636 §7.1: 32 octets from a CSPRNG, base64url-encoded, is the recommended verifier. */
const RECOMMENDED_BYTES = 32;

/** What is wrong with a folded verifier, and how bad: the format is a MUST (§4.1), the entropy a SHOULD (§7.1). */
function problem(value: Folded | undefined): { readonly message: string; readonly low: boolean } | undefined {
  if (value?.kind !== 'text' || !value.random) return undefined;
  if (value.bad.size > 0)
    return { message: `is ${value.made}, which can hold ${[...value.bad].join(' ')}: outside the verifier alphabet [A-Za-z0-9-._~]`, low: false };
  const length = value.min === value.max ? `${value.max}` : `at most ${value.max}`;
  if (value.max < MIN_LENGTH) return { message: `is ${value.made}: ${length} characters, fewer than the 43 a verifier needs`, low: false };
  if (value.min > MAX_LENGTH) return { message: `is ${value.made}: ${value.min} characters, more than the 128 a verifier may have`, low: false };
  if (value.bytes !== undefined && value.bytes < RECOMMENDED_BYTES)
    return { message: `is ${value.made}: ${value.bytes * 8} random bits, fewer than the 256 (32 octets) recommended`, low: true };
  return undefined;
}

/** Arguments of a challenge computation: `calculatePKCECodeChallenge(v)`, `createHash('sha256').update(v)` inside a challenge. */
function challengeInputs(file: SourceFile): TSESTree.Node[] {
  const inputs: TSESTree.Node[] = [];
  walk(file.program, (node) => {
    if (node.type !== AST_NODE_TYPES.CallExpression || node.arguments.length !== 1 || node.arguments[0]!.type === AST_NODE_TYPES.SpreadElement) return;
    const callee = unwrap(node.callee);
    const name = callee.type === AST_NODE_TYPES.Identifier ? callee.name : callee.type === AST_NODE_TYPES.MemberExpression ? memberName(callee) : undefined;
    if (name !== undefined && CHALLENGE_FUNCTION.test(name) && !NOT_A_CHALLENGE_MAKER.test(name)) inputs.push(node.arguments[0]!);
    else if (name === 'update' && callee.type === AST_NODE_TYPES.MemberExpression && isSha256(file, callee.object) && insideChallenge(node))
      inputs.push(node.arguments[0]!);
  });
  return inputs;
}

function isSha256(file: SourceFile, node: TSESTree.Node): boolean {
  const at = unwrap(node);
  return (
    at.type === AST_NODE_TYPES.CallExpression && calleeName(file, at) === 'crypto.createHash' && stringValue(at.arguments[0] ?? at)?.toLowerCase() === 'sha256'
  );
}

/** Whether `node` is part of a value named like a challenge (`const codeChallenge = createHash…`, `{ code_challenge: … }`). */
function insideChallenge(node: TSESTree.Node): boolean {
  for (let at = node.parent; at !== undefined && !isFunction(at); at = at.parent) {
    const name =
      at.type === AST_NODE_TYPES.VariableDeclarator && at.id.type === AST_NODE_TYPES.Identifier
        ? at.id.name
        : at.type === AST_NODE_TYPES.Property && at.key.type === AST_NODE_TYPES.Identifier
          ? at.key.name
          : at.type === AST_NODE_TYPES.Property
            ? stringValue(at.key)
            : undefined;
    if (name !== undefined) return CHALLENGE_FUNCTION.test(name);
  }
  return false;
}

/** The expression a value reduces to once names are followed: one finding per verifier, where it is first named. */
function origin(file: SourceFile, node: TSESTree.Node): TSESTree.Node {
  let at = unwrap(node);
  for (let step = 0; step < MAX_FOLD_DEPTH && at.type === AST_NODE_TYPES.Identifier; step += 1) {
    const init = initOf({ file, bound: new Map(), depth: 0 }, at);
    if (init === undefined) break;
    at = unwrap(init);
  }
  return at;
}

/**
 * pkce-verifier-format: a PKCE verifier that cannot meet RFC 7636 §4.1 (43 to 128 characters of
 * `[A-Za-z0-9-._~]`) or carries less than the 32 random octets §7.1 recommends, found by folding
 * the expression that makes it: `randomBytes(n)` with `.toString('hex' | 'base64' | 'base64url')`,
 * base64 and its `+ / =` replace chain, UUIDs, nanoid, `btoa`, slices, concatenation and the
 * module's own one-return helpers. Only values named as a verifier or given to a challenge
 * computation are judged, so a 16-byte `state` or nonce is not a finding; neither is a verifier
 * whose making cannot be seen (`generateRandomCodeVerifier()`, pkce-challenge, a request field),
 * base64url, base64 with the full replace chain, two UUIDs joined (72 characters), or a literal.
 * @see RFC 7636 §4.1 and §7.1; CWE-331
 */
export const PKCE_VERIFIER_FORMAT: ScanRule = {
  id: 'pkce-verifier-format',
  mentions: /verifier|challenge/i,
  title: 'A PKCE verifier too short, too long or with characters outside its alphabet',
  severity: 'medium',
  cwe: ['CWE-331'],
  spec: [rfc(7636, '4.1'), rfc(7636, '7.1')],
  precision: 'high',
  why: 'A verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~; a shorter one has too little entropy, and a strict server rejects the token request.',
  fix: "Use crypto.randomBytes(32).toString('base64url') (43 characters, 256 bits) or a PKCE library's verifier generator.",
  tags: ['oauth', 'pkce', 'randomness'],
  *find(file: SourceFile): Generator<RuleMatch> {
    const reported = new Set<TSESTree.Node>();
    const judge = function* (name: string, value: TSESTree.Node, at: TSESTree.Node): Generator<RuleMatch> {
      const made = origin(file, value);
      if (reported.has(made)) return;
      const found = problem(foldValue({ file, bound: new Map(), depth: 0 }, value));
      if (found === undefined) return;
      reported.add(made);
      yield { node: at, message: `${name} ${found.message} (RFC 7636 §${found.low ? '7.1' : '4.1'}).`, ...(found.low ? { severity: 'low' as const } : {}) };
    };
    for (const { name, value, at } of namedValues(file)) if (VERIFIER_NAME.test(name)) yield* judge(name, value, at);
    for (const input of challengeInputs(file)) yield* judge('The verifier given to the challenge', input, input);
  },
};
