/**
 * Every place cookie-flags finds a server setting a cookie: the cookie libraries' calls (express,
 * hono, fastify, koa, next, h3, `cookie`, express-session) read here, and literal `Set-Cookie`
 * headers read by cookie-flags-set-cookie-headers.
 */
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/typescript-estree';
import { isFullyVisible, memberName, objectProperty, stringValue, unwrap, walk } from '../ast.js';
import { calleeName, declaredVariable } from '../names.js';
import { originsOf } from '../provenance.js';
import { RESPONSE_NAMES, rootName } from '../response-receiver.js';
import type { SourceFile } from '../source-file.js';
import { type CookieSet, type Flag, objectAttributes, optionAttributes } from './cookie-flags-attributes.js';
import { headerStrings } from './cookie-flags-set-cookie-headers.js';

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

export function* cookieSets(file: SourceFile): Generator<CookieSet> {
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
