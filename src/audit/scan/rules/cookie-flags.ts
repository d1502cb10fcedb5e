import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/typescript-estree';
import { rfc } from '../../catalogue/spec.js';
import type { Severity } from '../../check-definition.js';
import { isFullyVisible, memberName, objectProperty, stringValue, unwrap, walk } from '../ast.js';
import { namedValues } from '../named-values.js';
import { calleeName, declaredVariable, qualifiedName } from '../names.js';
import { originsOf } from '../provenance.js';
import type { RuleMatch, ScanRule } from '../scan-rule.js';
import type { SourceFile } from '../source-file.js';

type Flag = 'HttpOnly' | 'Secure' | 'SameSite';

/** What a cookie's attributes say, each flag `set` (any value we cannot see counts as set), `missing`, or `unknown`. */
interface Attributes {
  readonly flags: Readonly<Record<Flag, 'set' | 'missing' | 'unknown'>>;
  /** Max-Age ≤ 0 or an Expires in 1970: the cookie is being cleared. */
  readonly clears: boolean;
  /** Secure is literally on, no Domain, Path absent or `/`: the `__Host-` prefix would fit. */
  readonly hostPrefixFits: boolean;
}

/** One place a server sets a cookie: the call or header string, the names the cookie can have, and its attributes. */
interface CookieSet {
  readonly node: TSESTree.Node;
  readonly names: readonly string[];
  /** The name when it is one literal we see whole (the `__Host-` prefix is judged only then). */
  readonly literalName: string | undefined;
  readonly attributes: Attributes | undefined;
}

/**
 * The words of a cookie name that say it carries a session, a sign-in, a flow's state or a
 * credential: `sid`, `connect.sid`, `next-auth.session-token`, `authjs.pkce.code_verifier`,
 * `oauth_state`, `__Host-consent`. Short words count only whole (`sid`, not `sidebar`); `auth`
 * counts as a prefix (`authjs`, `authorization`).
 */
const AUTH_WORDS = new Set(['sid', 'ssid', 'sess', 'state', 'nonce', 'jwt', 'login', 'refresh', 'remember']);
const AUTH_PARTS = /session|verifier|csrf|xsrf|token|consent|pkce|oauth|^auth/;
/** A cookie about cookies (`cookie_consent`, the banner's) or the UI (`sidebar_state`) is not an auth cookie. */
const NOT_AUTH_WORDS = new Set(['cookie', 'cookies', 'sidebar', 'theme', 'locale', 'lang', 'ui', 'layout', 'panel', 'tab', 'banner']);
/** Credentials: missing HttpOnly lets any script (XSS) read them. Short words count only whole, as above. */
const CREDENTIAL_WORDS = new Set(['sid', 'ssid', 'sess', 'jwt', 'refresh', 'remember']);
const CREDENTIAL_PARTS = /session|token|verifier|pkce|^auth/;
/** A double-submit CSRF token cookie is read by the page's script on purpose (`XSRF-TOKEN`): HttpOnly would break it. */
const SCRIPT_READ_PARTS = /csrf|xsrf/;

/** `__Host-session` → [session]; `next-auth.session-token` → [next, auth, session, token]; `authState` → [auth, state]. */
function wordsOf(name: string): string[] {
  return name
    .replace(/^__(Host|Secure)-/i, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '');
}

function isAuthCookie(name: string): boolean {
  const words = wordsOf(name);
  if (words.some((word) => NOT_AUTH_WORDS.has(word))) return false;
  return words.some((word) => AUTH_WORDS.has(word) || AUTH_PARTS.test(word));
}

/**
 * cookie-flags: a session, sign-in, state, consent, CSRF or PKCE cookie set by a server without
 * HttpOnly, Secure or SameSite, where the options (or the `Set-Cookie` text) are fully visible:
 * express `res.cookie`, hono `setCookie` / `serialize`, fastify `reply.setCookie`, koa
 * `ctx.cookies.set` (HttpOnly by default), next `cookies().set`, the `cookie` package's `serialize`,
 * and literal `Set-Cookie` headers. Missing HttpOnly on a credential (session, token, verifier) is
 * Medium; otherwise Low; a cookie with every flag that could take the `__Host-` prefix is a note.
 * Silent on: a flag whose value is computed (`secure: process.env.NODE_ENV === 'production'`,
 * `secure: config.https`: the dev-only http localhost case); options from elsewhere (a parameter,
 * a spread); a cookie being cleared (`maxAge: 0`, Expires in 1970; `clearCookie` is no sink);
 * names that say nothing of auth (`theme`, `locale`, `sidebar_state`, `cookie_consent`); HttpOnly
 * on a double-submit CSRF cookie, which the page's script must read; `document.cookie` and
 * js-cookie in a browser, where HttpOnly cannot be set.
 * @see RFC 6265 §4.1.2.5, §4.1.2.6, §8.5; RFC 6265bis §4.1.2.7 (SameSite), §4.1.3.2 (`__Host-`); CWE-1004; CWE-614
 */
export const COOKIE_FLAGS: ScanRule = {
  id: 'cookie-flags',
  mentions: /cookie|session/i,
  title: 'A session, state or consent cookie without HttpOnly, Secure or SameSite',
  severity: 'low',
  cwe: ['CWE-1004', 'CWE-614'],
  spec: [rfc(6265, '4.1.2.5'), rfc(6265, '4.1.2.6'), rfc(6265, '8.5')],
  precision: 'high',
  why: 'Without HttpOnly a script injected into the page can read the session or verifier; without Secure it travels over plain http; without SameSite other sites can make the browser send it.',
  fix: "Set httpOnly: true, secure: true (computed from the environment is fine for http localhost), sameSite: 'lax', and name it __Host-… with path '/' and no domain.",
  tags: ['cookies', 'session', 'oauth'],
  *find(file: SourceFile): Generator<RuleMatch> {
    for (const cookie of cookieSets(file)) {
      const match = judge(cookie);
      if (match !== undefined) yield match;
    }
  },
};

function judge(cookie: CookieSet): RuleMatch | undefined {
  const name = cookie.names.find(isAuthCookie);
  if (name === undefined || cookie.attributes === undefined || cookie.attributes.clears) return undefined;
  const { flags, hostPrefixFits } = cookie.attributes;
  const scriptReads = wordsOf(name).some((word) => SCRIPT_READ_PARTS.test(word));
  const missing = (['HttpOnly', 'Secure', 'SameSite'] as const).filter((flag) => flags[flag] === 'missing' && !(flag === 'HttpOnly' && scriptReads));
  if (missing.length > 0) {
    const credential = missing.includes('HttpOnly') && wordsOf(name).some((word) => CREDENTIAL_WORDS.has(word) || CREDENTIAL_PARTS.test(word));
    const severity: Severity = credential ? 'medium' : 'low';
    const message = `The cookie ${name} is set without ${missing.join(', ')}${credential ? ': a script on the page can read this credential' : ''}.`;
    return credential ? { node: cookie.node, message, severity } : { node: cookie.node, message };
  }
  const literal = cookie.literalName;
  if (literal !== undefined && hostPrefixFits && !/^__(Host|Secure)-/i.test(literal))
    return {
      node: cookie.node,
      severity: 'info',
      message: `The cookie ${literal} could be named __Host-${literal}, so no subdomain or plain-http page can set or overwrite it.`,
    };
  return undefined;
}

/**
 * Koa's `ctx.cookies.set` (the `cookies` module) is HttpOnly unless told otherwise, and Secure by
 * default when the request came over https; every other library sets neither by default.
 */
const KOA_DEFAULTS: Partial<Record<Flag, 'set'>> = { HttpOnly: 'set', Secure: 'set' };

/** express-session's cookie is HttpOnly by default (Secure is off and SameSite unset unless configured). */
const EXPRESS_SESSION_DEFAULTS: Partial<Record<Flag, 'set'>> = { HttpOnly: 'set' };

/** Functions of cookie libraries: the index of the name argument (options follow the value, or are given here). */
const COOKIE_FUNCTIONS: ReadonlyMap<string, { name: number; options: number }> = new Map([
  ['hono/cookie.setCookie', { name: 1, options: 3 }],
  ['hono/cookie.setSignedCookie', { name: 1, options: 4 }],
  ['hono/utils/cookie.serialize', { name: 0, options: 2 }],
  ['hono/utils/cookie.serializeSigned', { name: 0, options: 3 }],
  ['h3.setCookie', { name: 1, options: 3 }],
  ['cookie.serialize', { name: 0, options: 2 }],
]);

function* cookieSets(file: SourceFile): Generator<CookieSet> {
  const found: CookieSet[] = [];
  const usesNext = importsNext(file.program);
  walk(file.program, (node) => {
    if (node.type !== AST_NODE_TYPES.CallExpression) return;
    const name = calleeName(file, node);
    const known = name === undefined ? undefined : COOKIE_FUNCTIONS.get(name);
    if (name === 'express-session') {
      const session = fromExpressSession(file, node);
      if (session !== undefined) found.push(session);
      return;
    }
    if (known !== undefined) {
      found.push(fromCall(file, node, known.name, known.options));
      return;
    }
    const callee = unwrap(node.callee);
    if (callee.type !== AST_NODE_TYPES.MemberExpression) return;
    const method = memberName(callee);
    // express res.cookie(name, value, options); fastify reply.setCookie(name, value, options).
    if ((method === 'cookie' || method === 'setCookie') && node.arguments.length >= 2 && RESPONSE_NAMES.test(rootName(callee.object) ?? ''))
      found.push(fromCall(file, node, 0, 2));
    else if (method === 'set' && isCookieJar(file, callee.object)) {
      const first = node.arguments[0];
      const koa = !usesNext && !isNextCookies(file, callee.object);
      // next: cookies().set({ name, value, httpOnly, … })
      if (first !== undefined && node.arguments.length === 1 && unwrap(first).type === AST_NODE_TYPES.ObjectExpression)
        found.push(fromObjectForm(file, node, unwrap(first) as TSESTree.ObjectExpression));
      else found.push(fromCall(file, node, 0, 2, koa ? KOA_DEFAULTS : {}));
    }
  });
  yield* found;
  yield* headerStrings(file);
}

/**
 * The names a server's context or response goes by in handlers (`ctx`, `c`, `res`, `reply`,
 * `response`): a client's cookie jar in a test (`browser.cookies.set`) or a redactor's
 * `header('set-cookie', …)` is not a server setting a cookie.
 */
const RESPONSE_NAMES = /^(c|ctx|context|res|resp|response|reply|this)$/i;

/** The identifier (or `this`) a member chain starts from: `ctx` for `ctx.cookies`, `c` for `c.res.headers`. */
function rootName(node: TSESTree.Node): string | undefined {
  let at = unwrap(node);
  while (at.type === AST_NODE_TYPES.MemberExpression) at = unwrap(at.object);
  if (at.type === AST_NODE_TYPES.Identifier) return at.name;
  return at.type === AST_NODE_TYPES.ThisExpression ? 'this' : undefined;
}

/** `ctx.cookies` (koa), `response.cookies` (next's NextResponse), `cookies()` (next/headers). */
function isCookieJar(file: SourceFile, object: TSESTree.Node): boolean {
  const at = unwrap(object);
  if (at.type === AST_NODE_TYPES.MemberExpression && memberName(at) === 'cookies')
    return (
      RESPONSE_NAMES.test(rootName(at.object) ?? '') ||
      originsOf(file, at.object).some((origin) => origin.kind === 'call' && /^next\/server\./.test(origin.name ?? ''))
    );
  return isNextCookies(file, at);
}

/** `cookies()`, `await cookies()`, or a variable holding it (`const store = await cookies()`). */
function isNextCookies(file: SourceFile, object: TSESTree.Node): boolean {
  const at = unwrap(object);
  if (at.type !== AST_NODE_TYPES.Identifier && at.type !== AST_NODE_TYPES.CallExpression && at.type !== AST_NODE_TYPES.AwaitExpression) return false;
  return originsOf(file, at).some((origin) => origin.kind === 'call' && origin.name === 'next/headers.cookies');
}

function importsNext(program: TSESTree.Program): boolean {
  return program.body.some((statement) => statement.type === AST_NODE_TYPES.ImportDeclaration && /^next(\/|$)/.test(statement.source.value));
}

function fromCall(
  file: SourceFile,
  call: TSESTree.CallExpression,
  nameIndex: number,
  optionsIndex: number,
  defaults: Partial<Record<Flag, 'set'>> = {},
): CookieSet {
  const nameArgument = call.arguments[nameIndex];
  const names = nameArgument === undefined ? [] : cookieNames(file, nameArgument);
  const literalName = nameArgument === undefined ? undefined : literalString(file, nameArgument);
  return { node: call, names, literalName, attributes: optionAttributes(file, call.arguments[optionsIndex], defaults) };
}

function fromObjectForm(file: SourceFile, call: TSESTree.CallExpression, object: TSESTree.ObjectExpression): CookieSet {
  const property = objectProperty(object, 'name');
  const names = property === undefined ? [] : cookieNames(file, property.value);
  const literalName = property === undefined ? undefined : literalString(file, property.value);
  return { node: call, names, literalName, attributes: objectAttributes(object, {}) };
}

/**
 * `session({ secret, name?, cookie? })` (express-session): the cookie is `name` (`connect.sid` when
 * unset) with the `cookie` options, judged only when the session options are fully visible.
 */
function fromExpressSession(file: SourceFile, call: TSESTree.CallExpression): CookieSet | undefined {
  const options = call.arguments[0];
  const origins = options === undefined ? [] : originsOf(file, options);
  const object = origins.length === 1 && origins[0]!.kind === 'literal' ? origins[0]!.node : undefined;
  if (object?.type !== AST_NODE_TYPES.ObjectExpression || !isFullyVisible(object)) return undefined;
  const name = objectProperty(object, 'name');
  const cookie = objectProperty(object, 'cookie');
  return {
    node: call,
    names: name === undefined ? ['connect.sid'] : cookieNames(file, name.value),
    literalName: name === undefined ? 'connect.sid' : literalString(file, name.value),
    attributes: optionAttributes(file, cookie?.value, EXPRESS_SESSION_DEFAULTS),
  };
}

/** Every literal a name argument can be (`cookieName(ctx, 'portcullis-session')` gives `portcullis-session`); a cookie name has no `=` or `;`. */
function cookieNames(file: SourceFile, node: TSESTree.Node): string[] {
  const names: string[] = [];
  const direct = unwrap(node);
  if (direct.type === AST_NODE_TYPES.TemplateLiteral) names.push(direct.quasis.map((quasi) => quasi.value.cooked ?? '').join(''));
  for (const origin of originsOf(file, node)) {
    const text = origin.kind === 'literal' ? stringValue(origin.node) : undefined;
    if (text !== undefined) names.push(text);
  }
  return names.filter((name) => name !== '' && !/[=;\s]/.test(name));
}

/** A name that is one string we see whole: a literal, or a `const` holding one. */
function literalString(file: SourceFile, node: TSESTree.Node): string | undefined {
  const at = unwrap(node);
  const text = stringValue(at);
  if (text !== undefined || at.type !== AST_NODE_TYPES.Identifier) return text;
  const definition = declaredVariable(file, at)?.defs;
  if (definition?.length !== 1 || definition[0]!.node.type !== AST_NODE_TYPES.VariableDeclarator) return undefined;
  const declarator = definition[0]!.node;
  return declarator.parent.kind === 'const' && declarator.init !== null ? stringValue(declarator.init) : undefined;
}

/** The attributes an options argument gives, or undefined when it is built where we cannot see. */
function optionAttributes(file: SourceFile, options: TSESTree.Node | undefined, defaults: Partial<Record<Flag, 'set'>>): Attributes | undefined {
  if (options === undefined) return objectAttributes(undefined, defaults);
  const origins = originsOf(file, options);
  if (origins.length === 0) return undefined;
  const each: Attributes[] = [];
  for (const origin of origins) {
    if (origin.kind !== 'literal' || origin.node.type !== AST_NODE_TYPES.ObjectExpression) return undefined;
    each.push(objectAttributes(origin.node, defaults));
  }
  // Several objects (`dev ? a : b`): a flag is missing only when every one lacks it.
  const flag = (name: Flag) =>
    each.every((one) => one.flags[name] === 'missing') ? 'missing' : each.some((one) => one.flags[name] === 'unknown') ? 'unknown' : 'set';
  return {
    flags: { HttpOnly: flag('HttpOnly'), Secure: flag('Secure'), SameSite: flag('SameSite') },
    clears: each.every((one) => one.clears),
    hostPrefixFits: each.every((one) => one.hostPrefixFits),
  };
}

/** The options keys of each flag across express, hono, fastify, koa, next and `cookie`. */
const FLAG_KEYS: Readonly<Record<Flag, string>> = { HttpOnly: 'httpOnly', Secure: 'secure', SameSite: 'sameSite' };

function objectAttributes(object: TSESTree.ObjectExpression | undefined, defaults: Partial<Record<Flag, 'set'>>): Attributes {
  const visible = object === undefined || isFullyVisible(object);
  const state = (flag: Flag): 'set' | 'missing' | 'unknown' => {
    const property = object === undefined ? undefined : objectProperty(object, FLAG_KEYS[flag]);
    if (property === undefined) return defaults[flag] ?? (visible ? 'missing' : 'unknown');
    return isOff(property.value) ? 'missing' : 'set';
  };
  // hono's `prefix: 'host' | 'secure'` names the cookie `__Host-`/`__Secure-` and makes it Secure.
  const prefix = object === undefined ? undefined : objectProperty(object, 'prefix');
  const prefixed = prefix !== undefined && ['host', 'secure'].includes(stringValue(prefix.value) ?? '');
  const maxAge = object === undefined ? undefined : objectProperty(object, 'maxAge');
  const expires = object === undefined ? undefined : objectProperty(object, 'expires');
  const path = object === undefined ? undefined : objectProperty(object, 'path');
  const secure = object === undefined ? undefined : objectProperty(object, 'secure');
  return {
    flags: { HttpOnly: state('HttpOnly'), Secure: prefixed ? 'set' : state('Secure'), SameSite: state('SameSite') },
    clears: (maxAge !== undefined && isNotPositive(maxAge.value)) || (expires !== undefined && isEpoch(expires.value)),
    hostPrefixFits:
      !prefixed &&
      visible &&
      object !== undefined &&
      secure !== undefined &&
      isTrue(secure.value) &&
      objectProperty(object, 'domain') === undefined &&
      (path === undefined || stringValue(path.value) === '/'),
  };
}

/** `false`, `undefined`, `null`: the flag is off. Any other expression may turn it on, so it counts as set. */
function isOff(node: TSESTree.Node): boolean {
  const at = unwrap(node);
  if (at.type === AST_NODE_TYPES.Identifier) return at.name === 'undefined';
  return at.type === AST_NODE_TYPES.Literal && (at.value === false || at.value === null);
}

function isTrue(node: TSESTree.Node): boolean {
  const at = unwrap(node);
  return at.type === AST_NODE_TYPES.Literal && at.value === true;
}

function isNotPositive(node: TSESTree.Node): boolean {
  const at = unwrap(node);
  if (at.type === AST_NODE_TYPES.Literal) return typeof at.value === 'number' && at.value <= 0;
  return at.type === AST_NODE_TYPES.UnaryExpression && at.operator === '-';
}

/** `new Date(0)`, `new Date(1)`, `new Date('Thu, 01 Jan 1970 00:00:00 GMT')`. */
function isEpoch(node: TSESTree.Node): boolean {
  const at = unwrap(node);
  if (at.type !== AST_NODE_TYPES.NewExpression || at.arguments.length !== 1) return false;
  const argument = unwrap(at.arguments[0]!);
  if (argument.type === AST_NODE_TYPES.Literal && typeof argument.value === 'number') return argument.value < 86_400_000;
  return /1970/.test(stringValue(argument) ?? '');
}

/**
 * Literal `Set-Cookie` values: `res.setHeader('Set-Cookie', 'sid=…; Path=/')`, `headers.append`,
 * `c.header`, `{ 'Set-Cookie': `session=${id}; HttpOnly` }`. A template is read when its name and
 * every attribute name are text (substitutions only in values); otherwise it is not fully visible.
 */
function* headerStrings(file: SourceFile): Generator<CookieSet> {
  const values: TSESTree.Node[] = [];
  for (const { name, value } of namedValues(file)) if (name.toLowerCase() === 'set-cookie') values.push(value);
  walk(file.program, (node) => {
    if (node.type !== AST_NODE_TYPES.CallExpression || node.callee.type !== AST_NODE_TYPES.MemberExpression) return;
    const method = memberName(node.callee);
    const onResponse = method === 'setHeader' || (method === 'header' && RESPONSE_NAMES.test(rootName(node.callee.object) ?? ''));
    if (onResponse && stringValue(node.arguments[0] ?? node)?.toLowerCase() === 'set-cookie' && node.arguments[1]) values.push(node.arguments[1]);
  });
  for (const value of values)
    for (const text of headerTexts(file, value)) {
      const cookie = parseSetCookie(text.text);
      if (cookie !== undefined) yield { node: text.node, names: [cookie.name], literalName: cookie.name, attributes: cookie.attributes };
    }
}

/** The string or template nodes a header value is: itself, the elements of an array, or a `const` holding one. */
function headerTexts(file: SourceFile, value: TSESTree.Node): { node: TSESTree.Node; text: string }[] {
  const at = unwrap(value);
  if (at.type === AST_NODE_TYPES.ArrayExpression)
    return at.elements.flatMap((element) => (element === null || element.type === AST_NODE_TYPES.SpreadElement ? [] : headerTexts(file, element)));
  if (at.type === AST_NODE_TYPES.Literal && typeof at.value === 'string') return [{ node: at, text: at.value }];
  // A substitution is a placeholder no cookie syntax contains.
  if (at.type === AST_NODE_TYPES.TemplateLiteral) return [{ node: at, text: at.quasis.map((quasi) => quasi.value.cooked ?? '').join('\u0000') }];
  if (at.type === AST_NODE_TYPES.Identifier && qualifiedName(file, at) === undefined) {
    const definition = declaredVariable(file, at)?.defs;
    const declarator = definition?.length === 1 ? definition[0]!.node : undefined;
    if (declarator?.type === AST_NODE_TYPES.VariableDeclarator && declarator.parent.kind === 'const' && declarator.init !== null)
      return headerTexts(file, declarator.init);
  }
  return [];
}

const PLACEHOLDER = '\u0000';

function parseSetCookie(text: string): { name: string; attributes: Attributes } | undefined {
  const [pair, ...rest] = text.split(';');
  const equals = pair!.indexOf('=');
  if (equals <= 0) return undefined;
  const name = pair!.slice(0, equals).trim();
  if (name.includes(PLACEHOLDER) || /[\s,]/.test(name)) return undefined;
  const attributes = new Map<string, string>();
  for (const part of rest) {
    const [key, ...value] = part.split('=');
    const attribute = key!.trim().toLowerCase();
    const text = value.join('=').trim();
    // `; ${secure ? 'Secure' : ''}` or `SameSite=Lax${more}`: a substitution that may hold attributes. Only a
    // lifetime's value is data (`Max-Age=${ttl}`).
    if (attribute.includes(PLACEHOLDER) || (text.includes(PLACEHOLDER) && attribute !== 'max-age' && attribute !== 'expires')) return undefined;
    if (attribute !== '') attributes.set(attribute, text);
  }
  const has = (key: string) => (attributes.has(key) ? 'set' : 'missing');
  const maxAge = attributes.get('max-age');
  const path = attributes.get('path');
  return {
    name,
    attributes: {
      flags: { HttpOnly: has('httponly'), Secure: has('secure'), SameSite: attributes.get('samesite') === undefined ? 'missing' : 'set' },
      clears: (maxAge !== undefined && !maxAge.includes(PLACEHOLDER) && Number(maxAge) <= 0) || /1970/.test(attributes.get('expires') ?? ''),
      hostPrefixFits: attributes.has('secure') && !attributes.has('domain') && (path === undefined || path === '/'),
    },
  };
}
