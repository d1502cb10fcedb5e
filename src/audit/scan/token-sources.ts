import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/typescript-estree';
import { isFunction, memberName, stringValue, unwrap } from './ast.js';
import { calleeName } from './names.js';
import { type Origin, originsOf } from './provenance.js';
import type { SourceFile } from './source-file.js';

/**
 * What a token-bearing value is, as a message names it ("the Authorization header").
 * - `inbound`: a credential the server received from its caller (the request's `Authorization`
 *   header, all the request's headers, the MCP SDK's `authInfo.token`): what token passthrough forwards.
 * - otherwise a credential the code holds (a token response, a variable named `accessToken`).
 */
export interface TokenSource {
  /** "the Authorization header", "the access token", "the token response", "the PKCE verifier". */
  readonly what: string;
  /** Received from the caller of this server (RFC 6750 §2.1 bearer, MCP `authInfo`), not obtained by it. */
  readonly inbound: boolean;
  /** The request's headers as a whole, `Authorization` among them (`{ ...req.headers }`). */
  readonly wholeHeaders: boolean;
  readonly origin: Origin;
}

/** Keys of a token response (RFC 6749 §5.1, OIDC Core §3.1.3.3) and of the code-flow secrets, in both spellings. */
const CREDENTIAL_NAMES: readonly (readonly [RegExp, string])[] = [
  [/^access_?token$/i, 'the access token'],
  [/^refresh_?token$/i, 'the refresh token'],
  [/^id_?token$/i, 'the ID token'],
  [/^(bearer|bearer_?token)$/i, 'the bearer token'],
  [/^(authorization|authorization_?header|auth_?header)$/i, 'the Authorization header'],
  [/^(code_?verifier|pkce_?verifier|verifier)$/i, 'the PKCE verifier'],
  [/^client_?secret$/i, 'the client secret'],
  [/^(api_?key|api_?secret)$/i, 'the API key'],
  [/^(authorization_?code|auth_?code)$/i, 'the authorization code'],
  [/^(oauth_?)?tokens$|^token_?(set|response)$/i, 'the token response'],
];

/** `githubToken`, `upstream_token`, `token`: a token by its name, unless the name says it is something else. */
const TOKENISH = /(^|_|[a-z])(token|Token|TOKEN)$|(^|[a-z_])(secret|Secret|SECRET)$|^[A-Z_]*(API_KEY|TOKEN|SECRET)$/;
const NOT_A_CREDENTIAL =
  /page|cancel|next|continu|resum|sync|lex|pars|csrf|xsrf|stream|delim|hint|type|count|limit|max|min|usage|kind|format|test|mock|fake|dummy|placeholder|sample|example/i;

/** The credential a name says a value is, or undefined (`token_type`, `expires_in`, `nextPageToken` are not credentials). */
export function credentialNamed(name: string): string | undefined {
  for (const [pattern, what] of CREDENTIAL_NAMES) if (pattern.test(name)) return what;
  if (TOKENISH.test(name) && !NOT_A_CREDENTIAL.test(name)) return /secret/i.test(name) ? 'a secret' : 'a token';
  return undefined;
}

/** Path segments that name the incoming request (express `req`, Hono `c.req`, koa `ctx.request`, the MCP SDK's `extra.requestInfo`). */
const REQUEST_SEGMENT = /^(req|request|incoming|incomingRequest|incomingMessage|ctx|context|c|event|requestInfo|raw)$/;

/** Token-response producers: oauth4webapi, openid-client v5 and v6, simple-oauth2, arctic. */
const TOKEN_RESPONSE_CALLS = new Set([
  'processAuthorizationCodeResponse',
  'processRefreshTokenResponse',
  'processClientCredentialsResponse',
  'processDeviceCodeResponse',
  'processGenericGrantResponse',
  'authorizationCodeGrant',
  'refreshTokenGrant',
  'clientCredentialsGrant',
  'validateAuthorizationCode',
  'refreshAccessToken',
  'exchangeAuthorization',
  'refreshAuthorization',
]);

/** Methods whose result is the token response on an openid-client v5 `Client` / simple-oauth2 client / MCP SDK `OAuthClientProvider`. */
const TOKEN_RESPONSE_METHODS = new Set(['callback', 'oauthCallback', 'grant', 'refresh', 'getToken', 'tokens']);

/** `Object.fromEntries(h)`, `new Headers(h)`, `structuredClone(h)`, `Object.assign({}, h)`: the same headers. */
const HEADER_COPIES = new Set(['Object.fromEntries', 'Headers', 'structuredClone', 'Object.assign']);

/**
 * The token sources `expression` can come from: each origin ({@link originsOf}) that is a credential.
 * - The `Authorization` header of the incoming request, in any casing: `req.headers.authorization`,
 *   `req.get('authorization')` / `req.header(…)`, `request.headers.get('Authorization')`,
 *   `c.req.header('Authorization')`, `extra.requestInfo.headers.authorization`, Next's `headers().get(…)`;
 *   and the request's headers as a whole (`req.headers`, `c.req.header()`) — RFC 6750 §2.1.
 * - The MCP SDK's verified bearer: `authInfo.token`, `extra.authInfo.token`, `req.auth.token`; `authInfo` whole.
 * - A token response (RFC 6749 §5.1): `await (await fetch(tokenEndpoint, …)).json()`, oauth4webapi
 *   `process*Response`, openid-client `authorizationCodeGrant` / `refreshTokenGrant` / `client.callback`,
 *   arctic `validateAuthorizationCode`, the MCP SDK's `provider.tokens()`; whole, or read as
 *   `.access_token` / `.refresh_token` / `.id_token`.
 * - A callback's `code` (`req.query.code`, `searchParams.get('code')`).
 * - Any value whose name says it is one ({@link credentialNamed}): `accessToken`, `refresh_token`,
 *   `idToken`, `bearer`, `authorization`, `code_verifier`, `client_secret`, `apiKey`, `token`.
 * A parameter of a function of this module is followed to the arguments of its calls in the module.
 * @see RFC 6749 §5.1; RFC 6750 §2.1; MCP authorization, "Token Handling"
 */
export function tokenSourcesOf(file: SourceFile, expression: TSESTree.Node, options: SourceOptions = {}): TokenSource[] {
  return sources(file, expression, 0, { intoObjects: options.intoObjects === true, followCallers: options.followCallers !== false });
}

export interface SourceOptions {
  /** Look into object literals (`logger.info({ token })`): what their properties hold. */
  readonly intoObjects?: boolean;
  /** Follow a parameter to the arguments at the module's calls of its function (default true). */
  readonly followCallers?: boolean;
}

type Options = Required<SourceOptions>;

function sources(file: SourceFile, expression: TSESTree.Node, depth: number, options: Options): TokenSource[] {
  const found: TokenSource[] = [];
  for (const origin of originsOf(file, expression)) {
    const source = classify(file, origin);
    if (source !== undefined) found.push(source);
    // A parameter named `bearer` is a token by its name; its callers may say it is the inbound one.
    if ((source === undefined || origin.kind === 'parameter') && depth < 3) found.push(...beyond(file, origin, depth, options));
  }
  return found;
}

/** Sources further than {@link originsOf} goes: a parameter's arguments at the module's own calls, a copy of headers. */
function beyond(file: SourceFile, origin: Origin, depth: number, options: Options): TokenSource[] {
  const carry = (found: TokenSource[]) =>
    found.map((each) => ({ ...each, origin: { ...each.origin, trail: [...origin.trail, ...each.origin.trail] } as Origin }));
  const further = (node: TSESTree.Node) => sources(file, node, depth + 1, options);
  if (origin.kind === 'call' && origin.name !== undefined && HEADER_COPIES.has(origin.name)) return carry(origin.node.arguments.flatMap(further));
  // `{ token }` logged as an object: what its properties hold (pino's `logger.info({ token }, 'msg')`).
  if (options.intoObjects && origin.kind === 'literal' && origin.node.type === AST_NODE_TYPES.ObjectExpression)
    return carry(origin.node.properties.flatMap((property) => further(property.type === AST_NODE_TYPES.Property ? property.value : property.argument)));
  if (origin.kind !== 'parameter' || !options.followCallers) return [];
  return carry(argumentsFor(file, origin.node).flatMap(further));
}

/** The arguments given to parameter `name` at each call of its function in this module (`forward(authInfo.token)`). */
function argumentsFor(file: SourceFile, name: TSESTree.Identifier): TSESTree.Node[] {
  let fn: TSESTree.Node | undefined = name.parent;
  while (fn !== undefined && !isFunction(fn)) fn = fn.parent;
  if (fn === undefined || !isFunction(fn)) return [];
  const index = fn.params.findIndex((param) => param === name || (param.type === AST_NODE_TYPES.AssignmentPattern && param.left === name));
  const fnName = functionName(fn);
  if (index === -1 || fnName === undefined) return [];
  const declaration = fn.type === AST_NODE_TYPES.FunctionDeclaration ? fn : (fn.parent as TSESTree.Node);
  const fnVariable = file.scopes.getDeclaredVariables(declaration).find((each) => each.name === fnName);
  const args: TSESTree.Node[] = [];
  for (const reference of fnVariable?.references ?? []) {
    const call = reference.identifier.parent;
    if (call?.type === AST_NODE_TYPES.CallExpression && call.callee === reference.identifier && call.arguments[index] !== undefined)
      args.push(call.arguments[index]);
  }
  return args;
}

/** The name the function declaring parameter `name` is known by: its own, its variable's or its property's. */
function ownerName(name: TSESTree.Identifier): string | undefined {
  let fn: TSESTree.Node | undefined = name.parent;
  while (fn !== undefined && !isFunction(fn)) fn = fn.parent;
  if (fn === undefined) return undefined;
  const parent = fn.parent;
  if (
    (parent?.type === AST_NODE_TYPES.Property || parent?.type === AST_NODE_TYPES.MethodDefinition) &&
    !parent.computed &&
    parent.key.type === AST_NODE_TYPES.Identifier
  )
    return parent.key.name;
  return functionName(fn);
}

function functionName(fn: TSESTree.Node): string | undefined {
  if (fn.type === AST_NODE_TYPES.FunctionDeclaration) return fn.id?.name;
  const parent = fn.parent;
  return parent?.type === AST_NODE_TYPES.VariableDeclarator && parent.id.type === AST_NODE_TYPES.Identifier ? parent.id.name : undefined;
}

/** The credential `origin` is, or undefined. */
export function classify(file: SourceFile, origin: Origin): TokenSource | undefined {
  const make = (what: string, inbound = false, wholeHeaders = false): TokenSource => ({ what, inbound, wholeHeaders, origin });
  switch (origin.kind) {
    case 'read': {
      // `auth.split(' ')[1]` where `auth = req.get('authorization')`: an index of what the call returned.
      const call = origin.node.type === AST_NODE_TYPES.CallExpression || origin.node.type === AST_NODE_TYPES.NewExpression ? origin.node : undefined;
      const keys = origin.path.slice(origin.path.lastIndexOf('()') + 2);
      if (call !== undefined && /^(\.\d+)*$/.test(keys))
        return classifyCall(file, call, make) ?? namedOnTheWay({ kind: 'call', name: undefined, node: call, trail: origin.trail }, make);
      return classifyPath(origin, make);
    }
    case 'parameter': {
      const what = credentialNamed(origin.name);
      // `onresumptiontoken: (token) => …`: the function's own name says which kind of token.
      const owner = ownerName(origin.node);
      if (what === 'a token' && owner !== undefined && NOT_A_CREDENTIAL.test(owner)) return undefined;
      return what === undefined ? undefined : make(what);
    }
    case 'call':
      // A counter (`n++`) is reported by provenance as a call of its own kind: not a credential.
      if (origin.node.type !== AST_NODE_TYPES.CallExpression && origin.node.type !== AST_NODE_TYPES.NewExpression) return undefined;
      return classifyCall(file, origin.node, make) ?? namedOnTheWay(origin, make);
    default:
      return undefined;
  }
}

type Make = (what: string, inbound?: boolean, wholeHeaders?: boolean) => TokenSource;

function classifyPath(origin: Extract<Origin, { kind: 'read' }>, make: Make): TokenSource | undefined {
  // `header.split(' ')[1]` reads index 1 of what the header carried: still the header.
  const segments = origin.path.split('.').filter((segment) => !/^\d+$/.test(segment));
  const last = segments.at(-1) ?? '';
  const before = segments.slice(0, -1);
  const fromRequest = before.some((segment) => REQUEST_SEGMENT.test(segment)) && !before.some((segment) => segment.endsWith('()'));
  if (/^authorization$/i.test(last) && before.at(-1)?.toLowerCase() === 'headers') return make('the Authorization header', fromRequest);
  if (last === 'headers' && fromRequest) return make("the request's headers", true, true);
  if (last === 'token' && (before.at(-1) === 'authInfo' || (before.at(-1) === 'auth' && fromRequest))) return make('the bearer token', true);
  if (last === 'authInfo') return make('the verified AuthInfo (with its token)', true);
  if (last === 'code' && (before.at(-1) === 'query' || before.at(-1) === 'searchParams')) return make('the authorization code');
  // `data.access_token` of a token response, `process.env.API_TOKEN`, or any value named for a credential.
  const what = credentialNamed(last);
  return what === undefined ? undefined : make(what);
}

function classifyCall(file: SourceFile, call: TSESTree.CallExpression | TSESTree.NewExpression, make: Make): TokenSource | undefined {
  const callee = unwrap(call.callee);
  const method = callee.type === AST_NODE_TYPES.MemberExpression ? memberName(callee) : undefined;
  const key = call.arguments[0] === undefined ? undefined : stringValue(call.arguments[0]);
  if (callee.type === AST_NODE_TYPES.MemberExpression && (method === 'get' || method === 'header' || method === 'getHeader')) {
    const inbound = isIncoming(file, callee.object);
    if (key !== undefined && /^authorization$/i.test(key)) return make('the Authorization header', inbound);
    if (key === undefined && call.arguments.length === 0 && method === 'header' && inbound) return make("the request's headers", true, true);
    if (key === 'code' && method === 'get') return make('the authorization code');
    if (key !== undefined && method === 'get') {
      const what = credentialNamed(key);
      if (what !== undefined) return make(what);
    }
  }
  return isTokenResponse(file, call) ? make('the token response') : undefined;
}

/** Whether `receiver` is the incoming request or its headers (`req`, `c.req`, `request.headers`, Next's `headers()`). */
function isIncoming(file: SourceFile, receiver: TSESTree.Node): boolean {
  return originsOf(file, receiver).some((origin) => {
    if (origin.kind === 'call') return origin.name === 'next/headers.headers';
    const path = origin.kind === 'read' ? origin.path : origin.kind === 'parameter' ? origin.name : undefined;
    return path !== undefined && !path.includes('()') && path.split('.').some((segment) => REQUEST_SEGMENT.test(segment));
  });
}

/** A call whose result is a token response (RFC 6749 §5.1). */
function isTokenResponse(file: SourceFile, call: TSESTree.CallExpression | TSESTree.NewExpression): boolean {
  const name = calleeName(file, call);
  const callee = unwrap(call.callee);
  const last = name?.split('.').at(-1) ?? (callee.type === AST_NODE_TYPES.MemberExpression ? memberName(callee) : undefined);
  if (last === undefined) return false;
  if (TOKEN_RESPONSE_CALLS.has(last)) return true;
  if (callee.type !== AST_NODE_TYPES.MemberExpression) return false;
  if (TOKEN_RESPONSE_METHODS.has(last)) return last !== 'tokens' || call.arguments.length === 0;
  return last === 'json' && isTokenEndpointResponse(file, callee.object);
}

/** `response` is what `fetch(tokenEndpoint, …)` (or undici `request`) returned: the URL's names or text say token. */
function isTokenEndpointResponse(file: SourceFile, response: TSESTree.Node): boolean {
  return originsOf(file, response).some((origin) => {
    if (origin.kind !== 'call' || origin.node.arguments[0] === undefined) return false;
    if (origin.name !== 'fetch' && origin.name !== 'undici.fetch' && origin.name !== 'undici.request') return false;
    return mentionsTokenEndpoint(file, origin.node.arguments[0]);
  });
}

function mentionsTokenEndpoint(file: SourceFile, url: TSESTree.Node): boolean {
  return originsOf(file, url).some((origin) => {
    const text =
      origin.kind === 'literal' ? (stringValue(origin.node) ?? '') : origin.kind === 'read' ? origin.path : origin.kind === 'parameter' ? origin.name : '';
    const named = origin.trail.some((node) => node.type === AST_NODE_TYPES.Identifier && /token/i.test(node.name));
    return named || /token/i.test(text);
  });
}

/** A call we cannot name whose result was given a credential's name on the way (`const accessToken = await getToken()`). */
function namedOnTheWay(origin: Extract<Origin, { kind: 'call' }>, make: Make): TokenSource | undefined {
  for (let index = origin.trail.length - 1; index >= 0; index -= 1) {
    const node = origin.trail[index]!;
    if (node.type === AST_NODE_TYPES.CallExpression && node !== origin.node) return undefined;
    if (node.type !== AST_NODE_TYPES.Identifier) continue;
    const what = credentialNamed(node.name);
    if (what !== undefined) return make(what);
  }
  return undefined;
}

/** Calls whose result reveals little or nothing of their input: a digest, a redaction, a keyed hash. */
const CONCEALING_CALL = /redact|mask|hash|digest|fingerprint|truncat|obfuscat|censor|sanitiz|scrub|abbreviat|shorten|preview|hmac|encrypt|seal/i;

/** At most this many characters of a token say which token it is without being it. */
const SHORT_PREFIX = 8;

/**
 * How much of the credential reaches the sink: `all` of it, a `part` (a slice of a literal 9 to 16
 * characters: most of a short code), or `none` — on the way from the sink to the source there is a
 * comparison (`a === token`), a guard (`token && x`: `token` is the value only when empty), a hash
 * or redaction (`hash(token)`, `createHash(…).update(token).digest()`), or a short slice
 * (`token.slice(0, 4)`, `slice(-4)`: at most 8 characters say which token it is without being it).
 */
export function revealed(source: TokenSource): 'all' | 'part' | 'none' {
  const { trail } = source.origin;
  let result: 'all' | 'part' = 'all';
  for (const [index, node] of trail.entries()) {
    const next = trail[index + 1];
    if (node.type === AST_NODE_TYPES.BinaryExpression && node.operator !== '+') return 'none';
    if (node.type === AST_NODE_TYPES.LogicalExpression && node.operator === '&&' && next === node.left) return 'none';
    if (node.type !== AST_NODE_TYPES.CallExpression && node.type !== AST_NODE_TYPES.NewExpression) continue;
    const callee = unwrap(node.callee);
    const name = callee.type === AST_NODE_TYPES.MemberExpression ? memberName(callee) : callee.type === AST_NODE_TYPES.Identifier ? callee.name : undefined;
    if (name === undefined) continue;
    if (CONCEALING_CALL.test(name) || (name === 'update' && callee.type === AST_NODE_TYPES.MemberExpression)) return 'none';
    const length = sliceLength(name, node.arguments);
    if (length !== undefined && length <= SHORT_PREFIX) return 'none';
    if (length !== undefined && length <= 2 * SHORT_PREFIX) result = 'part';
  }
  return result;
}

/** The length of `slice`/`substring`/`substr` with literal arguments, when it is fixed (`slice(0, 4)`, `slice(-4)`, `substr(2, 6)`). */
function sliceLength(method: string, args: readonly TSESTree.CallExpressionArgument[]): number | undefined {
  const numbers = args.map((argument) => numberValue(argument));
  if (numbers.some((value) => value === undefined)) return undefined;
  const [start, end] = numbers as number[];
  if (method === 'substr') return end;
  if (method !== 'slice' && method !== 'substring') return undefined;
  if (end === undefined) return start !== undefined && start < 0 ? -start : undefined;
  return start !== undefined && start < 0 ? undefined : end - (start ?? 0);
}

function numberValue(node: TSESTree.Node): number | undefined {
  const at = unwrap(node);
  if (at.type === AST_NODE_TYPES.Literal && typeof at.value === 'number') return at.value;
  if (at.type === AST_NODE_TYPES.UnaryExpression && at.operator === '-') {
    const inner = numberValue(at.argument);
    return inner === undefined ? undefined : -inner;
  }
  return undefined;
}
