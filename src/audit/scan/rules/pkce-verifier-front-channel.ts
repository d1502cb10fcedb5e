import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/typescript-estree';
import { oauth21, rfc } from '../../catalogue/spec.js';
import { enclosingFunction, memberName, objectProperty, staticPropertyName, stringValue, unwrap, walk } from '../ast.js';
import { namedValues } from '../named-values.js';
import { calleeName } from '../names.js';
import { isNavigation, isNavigationTarget, navigatedTo } from '../navigation.js';
import { type Origin, originsOf } from '../provenance.js';
import type { RuleMatch, ScanRule } from '../scan-rule.js';
import type { SourceFile } from '../source-file.js';
import { holdsVerifier, nameOf, VERIFIER_NAME, verifierOrigin } from '../verifier-values.js';

/** Calls that turn an object into text that still reads back: `JSON.stringify`, base64 of it. */
const SERIALISERS = new Set(['stringify', 'btoa', 'from', 'toString', 'encodeURIComponent']);

/**
 * `state: Buffer.from(JSON.stringify({ codeVerifier, returnTo })).toString('base64url')`: an object
 * holding the verifier, serialised into a string. An object itself (React's `this.state = { … }`) is not.
 */
function serialisedVerifier(file: SourceFile, value: TSESTree.Node): Origin | undefined {
  if (unwrap(value).type === AST_NODE_TYPES.ObjectExpression) return undefined;
  return originsOf(file, value).find(
    (origin) =>
      origin.kind === 'literal' &&
      origin.trail.some((node) => node.type === AST_NODE_TYPES.CallExpression && SERIALISERS.has(nameOf(node) ?? '')) &&
      holdsVerifier(file, origin.node),
  );
}

/** Library calls that build an authorization URL from an object of request parameters (openid-client v5/v6, simple-oauth2). */
const AUTHORIZATION_URL_BUILDERS = new Set(['authorizationUrl', 'buildAuthorizationUrl', 'authorizeURL', 'authorizeUrl', 'getAuthorizationUrl']);

/** A query parameter just before the value: `…?a=1&code_verifier=`. */
const QUERY_KEY_BEFORE = /[?&][^=&?#\s]+=$/;

/**
 * The challenge parameter: the verifier there is the `plain` method (the challenge is the
 * verifier, RFC 7636 §4.2), which pkce-plain reports where `plain` is chosen.
 */
const CHALLENGE_KEY = /^code_?challenge$/i;
const CHALLENGE_KEY_BEFORE = /[?&]code_challenge=$/;

/** Signing without encrypting: the payload of a JWS is base64url, readable by whoever holds it (RFC 7515 §3). */
const SIGNED_JWT = /(^|\.)SignJWT$|^jsonwebtoken\.sign$|(^|\/)jwt\.sign$/;

/**
 * pkce-verifier-front-channel: the PKCE verifier leaves the back channel. It is sent as `state`,
 * put in a URL query (the authorization URL, a redirect `Location`), signed into a state JWT
 * without being encrypted, or set in a cookie without HttpOnly. Each puts it where the
 * authorization code goes too (browser history, logs, Referer, scripts on the page), so whoever
 * intercepts the code has the verifier with it and PKCE protects nothing.
 * Not findings: the challenge in the URL (a hash of the verifier: `sha256`, `createHash`,
 * `calculatePKCECodeChallenge`), an encrypted or sealed state (`EncryptJWT`, iron `seal`, an
 * `encrypt(…)` call), and `code_verifier` in the token request body, which is what PKCE is for.
 * @see RFC 7636 §1 and §4.5 (the verifier is sent only to the token endpoint); RFC 9700 §4.2 and §4.3 (leaks through Referer and browser history); OAuth 2.1 §7.5.1; CWE-598, CWE-200
 */
export const PKCE_VERIFIER_FRONT_CHANNEL: ScanRule = {
  id: 'pkce-verifier-front-channel',
  mentions: /verifier|pkce/i,
  title: 'The PKCE verifier sent through the browser',
  severity: 'high',
  cwe: ['CWE-598', 'CWE-200'],
  spec: [rfc(7636, '4.5'), rfc(7636, '1'), rfc(9700, '4.2'), rfc(9700, '4.3'), oauth21('7.5.1')],
  precision: 'high',
  why: 'The verifier proves that whoever redeems the code started the flow; in a URL, state, a readable JWT or a script-readable cookie it travels with the code, so a stolen code comes with its verifier.',
  fix: 'Keep the verifier on the server (a session keyed by a random state) or in an encrypted HttpOnly cookie; put only the S256 challenge in the authorization URL.',
  tags: ['oauth', 'pkce'],
  *find(file: SourceFile): Generator<RuleMatch> {
    const found = new Map<TSESTree.Node, RuleMatch>();
    const report = (node: TSESTree.Node, origin: Origin, message: string) => {
      if (found.has(node) || origin.trail.some((step) => found.has(step))) return;
      found.set(node, { node, message, flow: [...origin.trail].reverse() });
    };
    for (const { name, value, at } of namedValues(file)) {
      if (name !== 'state') continue;
      const origin = verifierOrigin(file, value) ?? serialisedVerifier(file, value);
      if (origin !== undefined)
        report(at, origin, 'The PKCE verifier is used as state, which travels in the authorization URL and comes back in the redirect.');
    }
    walk(file.program, (node) => {
      if (node.type === AST_NODE_TYPES.TemplateLiteral || (node.type === AST_NODE_TYPES.BinaryExpression && node.operator === '+'))
        urlTemplate(file, node, report);
      else if (node.type === AST_NODE_TYPES.ObjectExpression) authorizationParameters(file, node, report);
      else if (node.type === AST_NODE_TYPES.CallExpression) queryParameter(file, node, report);
    });
    walk(file.program, (node) => {
      if (node.type === AST_NODE_TYPES.AssignmentExpression && isNavigationTarget(node.left)) {
        const origin = verifierOrigin(file, node.right);
        if (origin !== undefined)
          report(node.right, origin, 'The PKCE verifier is in the URL the browser is sent to, so its history and the next site see it.');
      }
      if (node.type === AST_NODE_TYPES.CallExpression) {
        redirect(file, node, report);
        cookie(file, node, report);
      }
      if (node.type === AST_NODE_TYPES.CallExpression || node.type === AST_NODE_TYPES.NewExpression) signedJwt(file, node, report);
    });
    for (const { name, value, at } of namedValues(file)) {
      const header = name.toLowerCase();
      if (header === 'location') {
        const origin = verifierOrigin(file, value);
        if (origin !== undefined) report(at, origin, 'The PKCE verifier is in a redirect Location, so the browser, its history and the next site see it.');
      } else if (header === 'set-cookie') cookieHeader(file, value, report);
    }
    yield* [...found.values()].sort((a, b) => a.node.range[0] - b.node.range[0]);
  },
};

type Report = (node: TSESTree.Node, origin: Origin, message: string) => void;

/** The operands of `a + b + c`, left to right. */
function concatenation(node: TSESTree.Node): TSESTree.Node[] {
  const at = unwrap(node);
  return at.type === AST_NODE_TYPES.BinaryExpression && at.operator === '+' ? [...concatenation(at.left), ...concatenation(at.right)] : [at];
}

/**
 * `` `https://as/authorize?code_verifier=${verifier}` `` and `'…/authorize?…&pkce=' + verifier`: a
 * value after a query key in an authorization URL whose text up to it is visible. A form body
 * (`'grant_type=…&code_verifier=' + v`) has no `?`, and a token endpoint called with GET (Facebook's
 * Graph API takes `code_verifier` so) is a back channel: neither is a finding. A template given
 * straight to a redirect is the redirect's finding.
 */
function urlTemplate(file: SourceFile, node: TSESTree.TemplateLiteral | TSESTree.BinaryExpression, report: Report): void {
  if (node.type === AST_NODE_TYPES.BinaryExpression && node.parent.type === AST_NODE_TYPES.BinaryExpression && node.parent.operator === '+') return;
  const parts: (string | TSESTree.Node)[] =
    node.type === AST_NODE_TYPES.TemplateLiteral
      ? node.quasis.flatMap((quasi, index) => [quasi.value.cooked ?? '', ...(node.expressions[index] ? [node.expressions[index]] : [])])
      : concatenation(node).map((part) => stringValue(part) ?? part);
  let before = '';
  for (const part of parts) {
    if (typeof part === 'string') {
      before += part;
      continue;
    }
    if (before.includes('?') && AUTHORIZATION_TEXT.test(before) && QUERY_KEY_BEFORE.test(before) && !CHALLENGE_KEY_BEFORE.test(before)) {
      const origin = verifierOrigin(file, part);
      if (origin !== undefined) report(part, origin, 'The PKCE verifier is put in a URL query, where the browser, logs and Referer headers see it.');
    }
    before += '\u0000';
  }
}

/** `{ response_type: 'code', …, code_verifier }`: the parameters of an authorization request, all of which go in its URL. */
function authorizationParameters(file: SourceFile, object: TSESTree.ObjectExpression, report: Report): void {
  const call = object.parent;
  const builder =
    (call.type === AST_NODE_TYPES.CallExpression || call.type === AST_NODE_TYPES.NewExpression) &&
    call.arguments.includes(object) &&
    AUTHORIZATION_URL_BUILDERS.has(nameOf(call) ?? '');
  if (!builder && objectProperty(object, 'response_type') === undefined) return;
  for (const property of object.properties) {
    if (property.type !== AST_NODE_TYPES.Property || CHALLENGE_KEY.test(staticPropertyName(property.key, property.computed) ?? '')) continue;
    const origin = verifierOrigin(file, property.value);
    if (origin !== undefined)
      report(
        property.key,
        origin,
        'The PKCE verifier is a parameter of the authorization request, so it travels in the URL with the challenge it should prove.',
      );
  }
}

/**
 * `url.searchParams.set(k, verifier)` and `params.set(k, verifier)` where the URL or the
 * URLSearchParams is an authorization request or is navigated to. One that is fetched is a token
 * request (a GET to the token endpoint): a back channel.
 */
function queryParameter(file: SourceFile, call: TSESTree.CallExpression, report: Report): void {
  const callee = unwrap(call.callee);
  if (callee.type !== AST_NODE_TYPES.MemberExpression || !['set', 'append'].includes(memberName(callee) ?? '') || call.arguments.length < 2) return;
  const receiver = unwrap(callee.object);
  const url = receiver.type === AST_NODE_TYPES.MemberExpression && memberName(receiver) === 'searchParams' ? unwrap(receiver.object) : receiver;
  if (url.type !== AST_NODE_TYPES.Identifier || !isFrontChannelUrl(file, url) || CHALLENGE_KEY.test(stringValue(call.arguments[0]!) ?? '')) return;
  const value = call.arguments[1]!;
  // Under `code_verifier` a value is the verifier, whatever it is called.
  const named = VERIFIER_NAME.test(stringValue(call.arguments[0]!) ?? '') && unwrap(value).type !== AST_NODE_TYPES.Literal;
  const origin = verifierOrigin(file, value) ?? (named ? { kind: 'unknown' as const, node: value, trail: [value] } : undefined);
  if (origin !== undefined) report(value, origin, 'The PKCE verifier is put in a URL query, where the browser, logs and Referer headers see it.');
}

/** Names and texts that say "authorization request": `authUrl`, `authorizationUrl`, `…/oauth/authorize`, `response_type=`. */
const AUTHORIZATION_NAME =
  /^(auth|authori[sz]e|authori[sz]ation|login|sign_?in|consent)_?(url|uri|href|endpoint|params|parameters|query)?$|authori[sz](e|ation)_?ur[li]/i;
const AUTHORIZATION_TEXT = /^(?!.*grant_type=).*(authori[sz]e|authori[sz]ation(?!_code)|\/auth([/?]|$)|response_type=|login|signin)/is;

/**
 * Whether the URL or URLSearchParams `identifier` names is front channel: its name, its visible
 * text or its `response_type` say it is an authorization request, the function that builds it is
 * named for one, or the browser is sent to it.
 */
function isFrontChannelUrl(file: SourceFile, identifier: TSESTree.Identifier): boolean {
  const variable = file.referenceOf(identifier)?.resolved;
  if (variable === undefined || variable === null) return false;
  if (AUTHORIZATION_NAME.test(variable.name)) return true;
  const declaration = variable.defs[0]?.node;
  const builder = declaration === undefined ? undefined : enclosingFunction(declaration);
  if (builder !== undefined && AUTHORIZATION_NAME.test(nameOf(builder) ?? '')) return true;
  for (const reference of variable.references) {
    const use = reference.identifier.parent;
    if (use?.type === AST_NODE_TYPES.VariableDeclarator && use.init !== null && describesAuthorization(file, use.init)) return true;
    if (use?.type === AST_NODE_TYPES.MemberExpression && setsResponseType(use)) return true;
    if (navigatedTo(reference.identifier)) return true;
  }
  return false;
}

/** `new URL('https://as/authorize')`, `new URLSearchParams({ response_type: 'code' })`. */
function describesAuthorization(file: SourceFile, init: TSESTree.Node): boolean {
  const at = unwrap(init);
  const argument = at.type === AST_NODE_TYPES.NewExpression ? at.arguments[0] : undefined;
  if (argument === undefined) return false;
  if (argument.type === AST_NODE_TYPES.ObjectExpression) return objectProperty(argument, 'response_type') !== undefined;
  return originsOf(file, argument).some((origin) => origin.kind === 'literal' && AUTHORIZATION_TEXT.test(stringValue(origin.node) ?? ''));
}

/** `params.set('response_type', …)` or `url.searchParams.set('response_type', …)` on this member's object. */
function setsResponseType(member: TSESTree.MemberExpression): boolean {
  const target = memberName(member) === 'searchParams' && member.parent.type === AST_NODE_TYPES.MemberExpression ? member.parent : member;
  const call = target.parent;
  return (
    call?.type === AST_NODE_TYPES.CallExpression &&
    call.callee === target &&
    ['set', 'append'].includes(memberName(target) ?? '') &&
    call.arguments[0] !== undefined &&
    stringValue(call.arguments[0]) === 'response_type'
  );
}

/** `res.redirect(url)`, `c.redirect(url, 302)`, `Response.redirect(url)`, `location.assign(url)`, `res.setHeader('Location', url)`; and `Set-Cookie` set the same way. */
function redirect(file: SourceFile, call: TSESTree.CallExpression, report: Report): void {
  const callee = unwrap(call.callee);
  if (callee.type !== AST_NODE_TYPES.MemberExpression) return;
  const method = memberName(callee);
  // `res.setHeader(name, value)` (Node), `res.header(…)` (express, fastify), `c.header(…)` (hono); `set`/`append` are named values.
  const header = ['setHeader', 'header'].includes(method ?? '') && call.arguments[1] !== undefined ? stringValue(call.arguments[0]!)?.toLowerCase() : undefined;
  if (header === 'set-cookie') cookieHeader(file, call.arguments[1]!, report);
  const urls = isNavigation(call) ? call.arguments : header === 'location' ? call.arguments.slice(1, 2) : [];
  for (const url of urls) {
    const origin = verifierOrigin(file, url);
    if (origin !== undefined) report(url, origin, 'The PKCE verifier is in a redirect Location, so the browser, its history and the next site see it.');
  }
}

/** `new SignJWT({ verifier })` (jose), `jwt.sign({ codeVerifier }, key)` (jsonwebtoken, hono/jwt): signed is not secret. */
function signedJwt(file: SourceFile, call: TSESTree.CallExpression | TSESTree.NewExpression, report: Report): void {
  const name = calleeName(file, call);
  if (name === undefined || !SIGNED_JWT.test(name) || call.arguments[0] === undefined) return;
  const payload = call.arguments[0];
  if (holdsVerifier(file, payload))
    report(
      payload,
      originsOf(file, payload)[0] ?? { kind: 'unknown', node: payload, trail: [payload] },
      'The PKCE verifier is in a signed, unencrypted JWT: anyone holding the token can base64-decode it.',
    );
}

interface CookieCall {
  readonly value: TSESTree.Node | undefined;
  readonly options: TSESTree.Node | undefined;
  /** HttpOnly unless turned off: koa's `ctx.cookies.set`. */
  readonly httpOnlyByDefault: boolean;
}

/** The value and options of a cookie-setting call: express/fastify `res.cookie`, hono `setCookie`, koa/Next `cookies.set`, `cookie.serialize`. */
function cookieCall(file: SourceFile, call: TSESTree.CallExpression): CookieCall | undefined {
  const name = calleeName(file, call);
  const args = call.arguments;
  if (name === 'hono/cookie.setCookie') return { value: args[2], options: args[3], httpOnlyByDefault: false };
  if (name === 'hono/cookie.setSignedCookie') return { value: args[2], options: args[4], httpOnlyByDefault: false };
  if (name === 'cookie.serialize') return { value: args[1], options: args[2], httpOnlyByDefault: false };
  const callee = unwrap(call.callee);
  if (callee.type !== AST_NODE_TYPES.MemberExpression) return undefined;
  const method = memberName(callee);
  if (method === 'cookie' || method === 'setCookie') return { value: args[1], options: args[2], httpOnlyByDefault: false };
  const receiver = unwrap(callee.object);
  const cookies =
    (receiver.type === AST_NODE_TYPES.MemberExpression && memberName(receiver) === 'cookies') ||
    (receiver.type === AST_NODE_TYPES.CallExpression && nameOf(receiver) === 'cookies') ||
    (receiver.type === AST_NODE_TYPES.AwaitExpression && nameOf(unwrap(receiver.argument)) === 'cookies');
  if (method !== 'set' || !cookies) return undefined;
  // Next's object form: cookies().set({ name, value, httpOnly })
  const first = args[0] === undefined ? undefined : unwrap(args[0]);
  if (first?.type === AST_NODE_TYPES.ObjectExpression && args.length === 1)
    return { value: objectProperty(first, 'value')?.value, options: first, httpOnlyByDefault: false };
  const koa = receiver.type === AST_NODE_TYPES.MemberExpression && ['ctx', 'context', 'this'].includes(rootName(receiver.object) ?? '');
  return { value: args[1], options: args[2], httpOnlyByDefault: koa };
}

function rootName(node: TSESTree.Node): string | undefined {
  const at = unwrap(node);
  if (at.type === AST_NODE_TYPES.ThisExpression) return 'this';
  if (at.type === AST_NODE_TYPES.Identifier) return at.name;
  return at.type === AST_NODE_TYPES.MemberExpression ? rootName(at.object) : undefined;
}

/** Whether the options say HttpOnly: only a visible `httpOnly: false`, or a visible object without it, say no. */
function httpOnly(file: SourceFile, options: TSESTree.Node | undefined, byDefault: boolean): boolean {
  if (options === undefined) return byDefault;
  const objects = originsOf(file, options).filter((origin) => origin.kind === 'literal' && origin.node.type === AST_NODE_TYPES.ObjectExpression);
  if (objects.length === 0) return true;
  return objects.every((origin) => {
    const object = origin.node as TSESTree.ObjectExpression;
    const flag = objectProperty(object, 'httpOnly') ?? objectProperty(object, 'httponly');
    if (flag === undefined) return byDefault || object.properties.some((property) => property.type === AST_NODE_TYPES.SpreadElement);
    const value = unwrap(flag.value);
    return !(value.type === AST_NODE_TYPES.Literal && value.value === false);
  });
}

function cookie(file: SourceFile, call: TSESTree.CallExpression, report: Report): void {
  const found = cookieCall(file, call);
  if (found?.value === undefined || httpOnly(file, found.options, found.httpOnlyByDefault)) return;
  const origin = verifierOrigin(file, found.value);
  if (origin !== undefined || holdsVerifier(file, found.value))
    report(
      found.value,
      origin ?? { kind: 'unknown', node: found.value, trail: [found.value] },
      'The PKCE verifier is set in a cookie without HttpOnly, so any script on the page can read it.',
    );
}

/** `'Set-Cookie': \`pkce=${verifier}; Path=/\`` with no HttpOnly in its visible text. */
function cookieHeader(file: SourceFile, value: TSESTree.Node, report: Report): void {
  const header = unwrap(value);
  const texts: string[] = [];
  walk(header, (node) => {
    if (node.type === AST_NODE_TYPES.TemplateElement) texts.push(node.value.cooked ?? '');
    else if (node.type === AST_NODE_TYPES.Literal && typeof node.value === 'string') texts.push(node.value);
  });
  if (texts.length === 0 || texts.some((text) => /httponly/i.test(text))) return;
  const origin = verifierOrigin(file, header);
  if (origin !== undefined) report(value, origin, 'The PKCE verifier is set in a cookie without HttpOnly, so any script on the page can read it.');
}
