import type { Variable } from '@typescript-eslint/scope-manager';
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/typescript-estree';
import { oauth21, rfc } from '../../catalogue/spec.js';
import { enclosingFunction, memberName, stringValue, unwrap, walk } from '../ast.js';
import { declaredVariable } from '../names.js';
import { type Origin, originsOf } from '../provenance.js';
import type { RuleMatch, ScanRule } from '../scan-rule.js';
import type { SourceFile } from '../source-file.js';
import { shapeOf, writtenName } from '../value-shape.js';
import { originTarget, TARGET_KIND, type Target, targetOf } from './redirect-uri-loose-match-targets.js';

/** Loopback hosts, whose port RFC 8252 §7.3 lets vary: testing for them is how the relaxation starts. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', '::1', 'localhost']);

/** A string literal that names a host: `https://app.example.com`, `.example.com`, `localhost`. Only a whole literal is read. */
const NAMES_HOST = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]+|^[.@]?[a-z0-9-]+(\.[a-z0-9-]+)+(:\d+)?\/?$|^localhost(:\d*)?$/i;

/** A pattern (escapes removed) that names a host: a scheme followed by one, or a dotted domain. */
const NAMES_HOST_IN_PATTERN = /:\/\/[a-z0-9[]|[a-z0-9-]\.[a-z]{2,}/i;

/** The literal text a side holds when every origin is a string literal (`'https://'`, a const). */
function literalTexts(file: SourceFile, expression: TSESTree.Node): string[] | undefined {
  const at = unwrap(expression);
  const direct = stringValue(at);
  if (direct !== undefined) return [direct];
  const origins = originsOf(file, at);
  if (origins.length === 0 || !origins.every((origin) => origin.kind === 'literal' && stringValue(origin.node) !== undefined)) return undefined;
  return origins.map((origin) => stringValue(origin.node)!);
}

/** Names of what a return target is trusted against: an origin, a base URL, an allowlist entry. */
const ALLOWANCE = /origin|base|host|domain|(app|site|public|frontend|client|server|home)_?ur[il]|allowed|trusted|white_?list|allow_?list|registered|permitted/i;

/** Whether `expression` is what a return target is trusted against: by name, by being read from the environment, or an element of an allowlist. */
function isAllowance(file: SourceFile, expression: TSESTree.Node): boolean {
  const name = writtenName(expression);
  if (name !== undefined && ALLOWANCE.test(name)) return true;
  return originsOf(file, expression).some((origin) => {
    if (origin.kind === 'read') return origin.path.startsWith('process.env.') || ALLOWANCE.test(origin.path.split('.').at(-1)!);
    if (origin.kind !== 'parameter') return false;
    // `allowed.some((entry) => returnTo.startsWith(entry))`: the callback's parameter is an element of the list.
    const fn = origin.node.parent;
    const call = fn?.parent;
    return call?.type === AST_NODE_TYPES.CallExpression && call.callee.type === AST_NODE_TYPES.MemberExpression && isAllowanceList(call.callee.object);
  });
}

function isAllowanceList(expression: TSESTree.Node): boolean {
  const name = writtenName(expression);
  return name !== undefined && ALLOWANCE.test(name);
}

/** A template or concatenation that ends in `/` (`${origin}/`): a prefix that cannot stop inside the host. */
function endsWithSlash(expression: TSESTree.Node): boolean {
  const at = unwrap(expression);
  if (at.type === AST_NODE_TYPES.TemplateLiteral) return at.quasis.at(-1)!.value.cooked?.endsWith('/') === true && at.expressions.length > 0;
  if (at.type === AST_NODE_TYPES.BinaryExpression && at.operator === '+') return stringValue(at.right)?.endsWith('/') === true;
  return false;
}

/**
 * Whether the result of `node` decides something (an `if`, a return, a callback of `.some`, a
 * variable), rather than being logged or thrown away. Climbs through `!`, `&&`/`||` and comparisons.
 */
function decides(node: TSESTree.Node): boolean {
  let at: TSESTree.Node = node;
  while (
    at.parent !== undefined &&
    ((at.parent.type === AST_NODE_TYPES.UnaryExpression && at.parent.operator === '!') ||
      at.parent.type === AST_NODE_TYPES.LogicalExpression ||
      at.parent.type === AST_NODE_TYPES.ChainExpression ||
      (at.parent.type === AST_NODE_TYPES.BinaryExpression && at.parent.operator !== '+'))
  )
    at = at.parent;
  const parent = at.parent;
  if (parent === undefined || parent.type === AST_NODE_TYPES.ExpressionStatement) return false;
  return !(parent.type === AST_NODE_TYPES.CallExpression && parent.arguments.includes(at as TSESTree.CallExpressionArgument));
}

/** What a finding is about: a variable when the URI is in one, else its access path by names. */
function subjectKey(file: SourceFile, expression: TSESTree.Node): Variable | string | undefined {
  const at = unwrap(expression);
  if (at.type === AST_NODE_TYPES.Identifier) return declaredVariable(file, at) ?? at.name;
  if (at.type === AST_NODE_TYPES.MemberExpression) {
    const object = subjectKey(file, at.object);
    const name = memberName(at);
    return object === undefined || name === undefined ? undefined : `${typeof object === 'string' ? object : object.name}.${name}`;
  }
  return undefined;
}

/**
 * Whether the same function also matches `subject` exactly (`===`, or membership in a list), so a
 * loose check before it is a pre-filter: `if (!uri.startsWith('https://')) …; if (!registered.includes(uri)) …`.
 */
function matchedExactlyToo(file: SourceFile, at: TSESTree.Node, subject: TSESTree.Node): boolean {
  const key = subjectKey(file, subject);
  if (key === undefined) return false;
  const same = (node: TSESTree.Node) => node !== subject && subjectKey(file, node) === key;
  let exact = false;
  walk(enclosingFunction(at) ?? file.program, (node) => {
    if (exact) return;
    if (node.type === AST_NODE_TYPES.BinaryExpression && ['===', '!==', '==', '!='].includes(node.operator)) {
      const [left, right] = [node.left, node.right];
      if (left.type === AST_NODE_TYPES.PrivateIdentifier) return;
      exact = (same(left) && literalTexts(file, right) === undefined) || (same(right) && literalTexts(file, left) === undefined);
    } else if (node.type === AST_NODE_TYPES.CallExpression && node.callee.type === AST_NODE_TYPES.MemberExpression && node.arguments[0] !== undefined) {
      const method = memberName(node.callee);
      if (['includes', 'indexOf', 'has'].includes(method ?? '') && same(node.arguments[0]))
        exact = method === 'has' || shapeOf(file, node.callee.object) === 'list';
    }
  });
  return exact;
}

const STRING_MATCHES = new Set(['startsWith', 'endsWith', 'includes', 'indexOf', 'lastIndexOf']);

const MATCH_WORDING: Readonly<Record<string, string>> = {
  startsWith: 'a prefix match',
  endsWith: 'a suffix match',
  includes: 'a substring match',
  indexOf: 'a substring match',
  lastIndexOf: 'a substring match',
};

/** `uri.startsWith(registered)`, `registered.includes(uri)` on strings, `uri.indexOf(allowed) !== -1`. */
function stringMatch(file: SourceFile, call: TSESTree.CallExpression, method: string): RuleMatch | undefined {
  const receiver = (call.callee as TSESTree.MemberExpression).object;
  const argument = call.arguments[0];
  if (argument === undefined || argument.type === AST_NODE_TYPES.SpreadElement) return undefined;
  const receiverTarget = targetOf(file, receiver);
  const argumentTarget = targetOf(file, argument);
  const target = receiverTarget ?? argumentTarget;
  if (target === undefined) return undefined;
  const [subject, other] = receiverTarget !== undefined ? [receiver, argument] : [argument, receiver];
  // `registered.includes(uri)` on a list is exact membership; a string's `includes` is a substring search (the URI itself is a string).
  const onString = receiverTarget !== undefined || shapeOf(file, receiver) === 'string';
  if ((method === 'includes' || method === 'indexOf' || method === 'lastIndexOf') && !onString) return undefined;
  const texts = literalTexts(file, other);
  // `startsWith('https://')`, `includes('?')`, `endsWith('/')`: the URI's form, not where it goes.
  if (texts !== undefined && !texts.some((text) => NAMES_HOST.test(text))) return undefined;
  // A return target tested against a page of the app (`callbackUrl.startsWith(pages.error)`) is navigation, not a trust check.
  if (target === 'return' && texts === undefined && !isAllowance(file, other)) return undefined;
  // `returnTo.startsWith(`${origin}/`)`: a same-origin check, the right one for a post-login target.
  if (target === 'return' && method === 'startsWith' && endsWithSlash(other)) return undefined;
  if (!decides(call) || matchedExactlyToo(file, call, subject)) return undefined;
  const name = writtenName(subject) ?? 'the redirect URI';
  return {
    node: call,
    message: `${name} is accepted by ${MATCH_WORDING[method]}: a URI on another host or path passes (https://app.example.com.evil.com, https://app.example.com@evil.com).`,
  };
}

/** Regular-expression metacharacters, other than escaped ones, in a pattern's body. */
function hasMetacharacters(body: string): boolean {
  for (let i = 0; i < body.length; i += 1) {
    if (body[i] === '\\') i += 1;
    else if ('.*+?[](){}|'.includes(body[i]!)) return true;
  }
  return false;
}

function isAnchoredExact(pattern: string): boolean {
  if (!pattern.startsWith('^') || !pattern.endsWith('$') || pattern.endsWith('\\$')) return false;
  return !hasMetacharacters(pattern.slice(1, -1));
}

/** Whether a pattern was made from a registered URI by turning `*` into a regular expression. */
function expandsWildcard(origins: readonly Origin[]): boolean {
  return origins.some((origin) =>
    origin.trail.some((node) => {
      if (node.type !== AST_NODE_TYPES.CallExpression || node.callee.type !== AST_NODE_TYPES.MemberExpression) return false;
      const method = memberName(node.callee);
      const first = node.arguments[0];
      if (first === undefined || !['replace', 'replaceAll', 'split'].includes(method ?? '')) return false;
      if (stringValue(first)?.includes('*') === true) return true;
      return first.type === AST_NODE_TYPES.Literal && 'regex' in first && first.regex.pattern.includes('\\*');
    }),
  );
}

/** `pattern.test(uri)`, `uri.match(pattern)`: loose unless the pattern is anchored literal text. */
function regexMatch(file: SourceFile, call: TSESTree.CallExpression, pattern: TSESTree.Node, subject: TSESTree.Node): RuleMatch | undefined {
  if (targetOf(file, subject) === undefined || !decides(call) || matchedExactlyToo(file, call, subject)) return undefined;
  const name = writtenName(subject) ?? 'the redirect URI';
  for (const origin of originsOf(file, pattern)) {
    if (origin.kind === 'literal' && origin.node.type === AST_NODE_TYPES.Literal && 'regex' in origin.node) {
      // `/^https?:\/\//`, `/#/`: the URI's form, not where it goes; an anchored literal is one exact URI.
      if (!NAMES_HOST_IN_PATTERN.test(origin.node.regex.pattern.replace(/\\(.)/g, '$1')) || isAnchoredExact(origin.node.regex.pattern)) continue;
      return { node: call, message: `${name} is matched by the pattern /${origin.node.regex.pattern}/, which accepts more than one exact URI.` };
    }
    if (origin.kind !== 'call' || origin.name !== 'RegExp' || origin.node.arguments[0] === undefined) continue;
    const source = origin.node.arguments[0];
    const sourceOrigins = originsOf(file, source);
    if (expandsWildcard(sourceOrigins))
      return { node: call, message: `${name} is matched against a registered URI whose * was expanded into a pattern: one registration admits many URIs.` };
    const literals = sourceOrigins.flatMap((each) => (each.kind === 'literal' ? [stringValue(each.node) ?? ''] : []));
    const escaped = sourceOrigins.some((each) =>
      each.trail.some((node) => node.type === AST_NODE_TYPES.CallExpression && /escape/i.test(calleeWord(node) ?? '')),
    );
    const anchored = literals.some((text) => text.startsWith('^')) && literals.some((text) => text.endsWith('$'));
    if (escaped && anchored) continue;
    return {
      node: call,
      message: `${name} is matched by new RegExp(…) of a registered value${anchored ? '' : ' without ^…$'}: its dots match any character and it accepts more than the exact URI.`,
    };
  }
  return undefined;
}

function calleeWord(call: TSESTree.CallExpression): string | undefined {
  const callee = unwrap(call.callee);
  if (callee.type === AST_NODE_TYPES.Identifier) return callee.name;
  return callee.type === AST_NODE_TYPES.MemberExpression ? memberName(callee) : undefined;
}

const URL_PARTS = new Set(['host', 'hostname', 'origin']);

/** `new URL(uri).host === allowed.host`: the URI whose part is read, when it is the one being checked. */
function partOfTarget(file: SourceFile, side: TSESTree.Node): { part: string; target: Target; subject: TSESTree.Node } | undefined {
  const at = unwrap(side);
  if (at.type !== AST_NODE_TYPES.MemberExpression) return undefined;
  const part = memberName(at);
  if (part === undefined || !URL_PARTS.has(part)) return undefined;
  for (const origin of originsOf(file, at.object)) {
    if (origin.kind !== 'call' || origin.name !== 'URL' || origin.node.arguments[0] === undefined) continue;
    const target = targetOf(file, origin.node.arguments[0]);
    if (target !== undefined) return { part, target, subject: origin.node.arguments[0] };
  }
  const target = targetOf(file, at.object);
  return target === undefined ? undefined : { part, target, subject: at.object };
}

/** Whether the function also compares a path or a whole URL (so a host comparison is one part of a full match, e.g. RFC 8252 §7.3). */
function comparesPathToo(scope: TSESTree.Node): boolean {
  let found = false;
  walk(scope, (node) => {
    if (found || node.type !== AST_NODE_TYPES.BinaryExpression || !['===', '!==', '==', '!='].includes(node.operator)) return;
    found = [node.left, node.right].some((side) => {
      const at = unwrap(side);
      return at.type === AST_NODE_TYPES.MemberExpression && ['pathname', 'href', 'path'].includes(memberName(at) ?? '');
    });
  });
  return found;
}

/** A host-only or origin-only comparison of an OAuth redirect URI. */
function partCompare(file: SourceFile, node: TSESTree.BinaryExpression): RuleMatch | undefined {
  if (node.left.type === AST_NODE_TYPES.PrivateIdentifier) return undefined;
  const leftPart = partOfTarget(file, node.left);
  const part = leftPart ?? partOfTarget(file, node.right);
  // A return target checked for its origin is the right same-origin check; only a redirect URI must match exactly.
  if (part === undefined || part.target !== 'redirect') return undefined;
  const other = leftPart !== undefined ? node.right : node.left;
  const texts = literalTexts(file, other);
  // `url.hostname === '127.0.0.1'`: how the loopback relaxation starts, not an acceptance.
  if (texts?.some((text) => LOOPBACK_HOSTS.has(text)) === true) return undefined;
  if (!decides(node) || comparesPathToo(enclosingFunction(node) ?? file.program)) return undefined;
  return {
    node,
    message: `The redirect URI is accepted by comparing only its ${part.part}: any path on that ${part.part === 'origin' ? 'origin' : 'host'} passes, including open redirectors.`,
  };
}

/** Calls that change a URI before it is compared: case folding, stripping a trailing slash. */
function normalises(node: TSESTree.Node): string | undefined {
  if (node.type !== AST_NODE_TYPES.CallExpression || node.callee.type !== AST_NODE_TYPES.MemberExpression) return undefined;
  const method = memberName(node.callee);
  if (method === 'toLowerCase' || method === 'toUpperCase' || method === 'toLocaleLowerCase') return 'case-folded';
  if (method !== 'replace' && method !== 'replaceAll') return undefined;
  const first = node.arguments[0];
  if (first?.type === AST_NODE_TYPES.Literal && 'regex' in first && /\\?\/[+*]?\$$/.test(first.regex.pattern)) return 'stripped of its trailing slash';
  return undefined;
}

/** `normalize(uri) === normalize(registered)`: case folded or a trailing slash stripped, then compared. */
function normalisedCompare(file: SourceFile, node: TSESTree.BinaryExpression): RuleMatch | undefined {
  if (node.left.type === AST_NODE_TYPES.PrivateIdentifier) return undefined;
  for (const side of [node.left, node.right]) {
    if (literalTexts(file, side) !== undefined) return undefined;
  }
  for (const side of [node.left, node.right]) {
    for (const origin of originsOf(file, side)) {
      // The URI by where it comes from, or by a name it had on the way (`const redirectUri = String(input)`).
      const named = originTarget(origin) !== undefined || origin.trail.some((each) => TARGET_KIND(writtenName(each) ?? '') !== undefined);
      if (!named) continue;
      const how = origin.trail.map(normalises).find((each) => each !== undefined) ?? normalises(unwrap(side));
      if (how === undefined || !decides(node)) continue;
      return { node, message: `The redirect URI is ${how} before it is compared, so URIs that differ from the registered one are accepted.` };
    }
  }
  return undefined;
}

/**
 * redirect-uri-loose-match: a redirect URI (or a post-login `returnTo`/`next`) accepted by a match
 * looser than exact string comparison: `startsWith`, `endsWith`, a string's `includes`/`indexOf`,
 * a regular expression that is not anchored literal text (`new RegExp(registered)`, `*` expanded
 * into `.*`), a comparison of only the host or origin, or a comparison after case folding or
 * stripping a trailing slash — where the result decides something.
 * Silent on: the loopback relaxation of RFC 8252 §7.3 (host tested for 127.0.0.1/[::1], then every
 * part but the port compared); `startsWith('https://')` and other form checks without a host, and
 * any loose check followed by an exact one in the same function (a pre-filter); `includes`/`indexOf`
 * on a list (exact membership), and on a value of unknown shape; a same-origin check of a return
 * target (`new URL(returnTo, base).origin === base.origin`, `startsWith(`${origin}/`)`).
 * @see RFC 6749 §3.1.2.2; OAuth 2.1 §2.3.1 (exact string matching); RFC 9700 §4.1.3; RFC 8252 §7.3; CWE-601
 */
export const REDIRECT_URI_LOOSE_MATCH: ScanRule = {
  id: 'redirect-uri-loose-match',
  mentions: /redirect|return|callback|next/i,
  title: 'A redirect URI accepted by a loose match',
  severity: 'high',
  cwe: ['CWE-601'],
  spec: [rfc(6749, '3.1.2.2'), oauth21('2.3.1'), rfc(9700, '4.1.3')],
  precision: 'high',
  why: 'A prefix, substring, pattern or host-only match lets an attacker register or craft a redirect URI that passes the check and receive the authorization code.',
  fix: 'Compare the redirect URI with each registered URI by exact string equality (registered.includes(uri) on the list); for loopback, ignore only the port (RFC 8252 §7.3).',
  tags: ['oauth', 'redirect-uri', 'open-redirect'],
  *find(file: SourceFile): Generator<RuleMatch> {
    const found: RuleMatch[] = [];
    walk(file.program, (node) => {
      let match: RuleMatch | undefined;
      if (node.type === AST_NODE_TYPES.CallExpression && node.callee.type === AST_NODE_TYPES.MemberExpression) {
        const method = memberName(node.callee);
        const first = node.arguments[0];
        if (method !== undefined && STRING_MATCHES.has(method)) match = stringMatch(file, node, method);
        else if (method === 'test' && first !== undefined) match = regexMatch(file, node, node.callee.object, first);
        else if ((method === 'match' || method === 'search') && first !== undefined) match = regexMatch(file, node, first, node.callee.object);
      } else if (node.type === AST_NODE_TYPES.BinaryExpression && ['===', '!==', '==', '!='].includes(node.operator)) {
        match = partCompare(file, node) ?? normalisedCompare(file, node);
      }
      if (match !== undefined) found.push(match);
    });
    yield* found;
  },
};
