import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/typescript-estree';
import { oauth21, rfc } from '../../catalogue/spec.js';
import { isFunction, memberName, staticPropertyName, stringValue, unwrap, walk } from '../ast.js';
import { namedValues } from '../named-values.js';
import { originsOf } from '../provenance.js';
import type { RuleMatch, ScanRule } from '../scan-rule.js';
import type { SourceFile } from '../source-file.js';

/** Where a client or server names the method it uses: a request parameter or its camel-case option. */
const METHOD_NAMES = new Set(['code_challenge_method', 'codeChallengeMethod']);

/** Where a server lists the methods it accepts (RFC 8414 metadata, oidc-provider's `pkce.methods`, option names). */
const METHOD_LISTS = new Set(['code_challenge_methods_supported', 'codeChallengeMethodsSupported', 'pkceMethods', 'supportedCodeChallengeMethods']);

/** Switches that turn `plain` on (workers-oauth-provider's `allowPlainPKCE`, and the spellings people give theirs). */
const PLAIN_SWITCHES = /^allowPlain(PKCE|Pkce|CodeChallengeMethod|Challenge)?$/;

/** A URL template that asks for `plain`, read only when its whole text is a literal. */
const PLAIN_IN_URL = /[?&]code_challenge_method=plain(&|$)/;

function isPlain(file: SourceFile, value: TSESTree.Node): boolean {
  return originsOf(file, value).some((origin) => origin.kind === 'literal' && stringValue(origin.node) === 'plain');
}

function listsPlain(file: SourceFile, value: TSESTree.Node): boolean {
  const list = unwrap(value);
  if (list.type === AST_NODE_TYPES.ArrayExpression)
    return list.elements.some((element) => element !== null && element.type !== AST_NODE_TYPES.SpreadElement && isPlain(file, element));
  return originsOf(file, list).some(
    (origin) =>
      origin.kind === 'literal' &&
      origin.node.type === AST_NODE_TYPES.ArrayExpression &&
      origin.node.elements.some((element) => element !== null && stringValue(element) === 'plain'),
  );
}

/**
 * pkce-plain: `plain` chosen (a client sends `code_challenge_method=plain`) or allowed (a server
 * lists it, or a switch turns it on). With `plain` the challenge is the verifier, so whoever sees
 * the authorization request (logs, a malicious app on the device) can redeem the code.
 * A comparison with `'plain'` (a server refusing it) is not a finding, and neither is a test file
 * that sends `plain` to check that it is refused.
 * @see RFC 7636 §4.2 and §7.2; OAuth 2.1 §4.1.1 (S256 is mandatory to implement, plain must not be used); CWE-757
 */
export const PKCE_PLAIN: ScanRule = {
  id: 'pkce-plain',
  mentions: /plain/i,
  title: 'The PKCE plain method chosen or allowed',
  severity: 'high',
  cwe: ['CWE-757'],
  spec: [rfc(7636, '4.2'), rfc(7636, '7.2'), oauth21('4.1.1')],
  precision: 'very-high',
  why: 'With plain the code challenge is the verifier itself, so anyone who sees the authorization request can redeem the code.',
  fix: "Send code_challenge_method=S256 with BASE64URL(SHA-256(verifier)); on a server, accept only S256 and refuse 'plain' with invalid_request.",
  tags: ['oauth', 'pkce'],
  *find(file: SourceFile): Generator<RuleMatch> {
    for (const { name, value, at } of namedValues(file)) {
      if (METHOD_NAMES.has(name) && !file.isTest && isPlain(file, value))
        yield chosenByCaller(at)
          ? { node: at, severity: 'low', message: `${name} is plain when the caller asks for it: a library offering plain lets its users pick it.` }
          : { node: at, message: `${name} is plain: the challenge is the verifier, in the clear.` };
      else if (METHOD_LISTS.has(name) && listsPlain(file, value))
        yield { node: at, message: `${name} includes plain, so a client (or an attacker downgrading one) can send the verifier in the clear.` };
      else if (name === 'methods' && isPkceOption(at) && listsPlain(file, value)) yield { node: at, message: 'pkce.methods includes plain.' };
      else if (PLAIN_SWITCHES.test(name) && unwrap(value).type === AST_NODE_TYPES.Literal && (unwrap(value) as TSESTree.Literal).value === true)
        yield { node: at, message: `${name}: true lets clients use plain PKCE.` };
    }
    if (file.isTest) return;
    yield* plainInUrlTemplates(file);
  },
};

/**
 * Whether `node` runs only in a branch taken when a method the caller gave equals plain
 * (`if (method === CodeChallengeMethod.Plain)`, `case 'plain':`): a library honouring a choice,
 * not code making it (arctic's generic OAuth2Client).
 */
function chosenByCaller(node: TSESTree.Node): boolean {
  for (let at: TSESTree.Node | undefined = node; at !== undefined && !isFunction(at); at = at.parent) {
    const parent: TSESTree.Node | undefined = at.parent;
    if (parent?.type === AST_NODE_TYPES.IfStatement && parent.consequent === at && testsForPlain(parent.test)) return true;
    if (parent?.type === AST_NODE_TYPES.SwitchCase && parent.test !== null && namesPlain(parent.test)) return true;
  }
  return false;
}

function testsForPlain(test: TSESTree.Node): boolean {
  const at = unwrap(test);
  return at.type === AST_NODE_TYPES.BinaryExpression && (at.operator === '===' || at.operator === '==') && (namesPlain(at.left) || namesPlain(at.right));
}

/** `'plain'`, or a member named for it (`CodeChallengeMethod.Plain`, `Methods.PLAIN`). */
function namesPlain(node: TSESTree.Node): boolean {
  const at = unwrap(node);
  if (stringValue(at)?.toLowerCase() === 'plain') return true;
  return at.type === AST_NODE_TYPES.MemberExpression && /^plain$/i.test(memberName(at) ?? '');
}

/** `{ pkce: { methods: […] } }`: the `methods` key inside a `pkce` option (oidc-provider's configuration). */
function isPkceOption(key: TSESTree.Node): boolean {
  const object = key.parent?.parent;
  const holder = object?.parent;
  return holder?.type === AST_NODE_TYPES.Property && staticPropertyName(holder.key, holder.computed) === 'pkce';
}

function* plainInUrlTemplates(file: SourceFile): Generator<RuleMatch> {
  const found: RuleMatch[] = [];
  walk(file.program, (node) => {
    const text = node.type === AST_NODE_TYPES.Literal || node.type === AST_NODE_TYPES.TemplateLiteral ? stringValue(node) : undefined;
    if (text !== undefined && PLAIN_IN_URL.test(text)) found.push({ node, message: 'The authorization URL asks for code_challenge_method=plain.' });
  });
  yield* found;
}
