import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/typescript-estree';
import { memberName, stringValue, unwrap, walk } from './ast.js';
import { calleeName, moduleName, requiredModule } from './names.js';
import { originsOf } from './provenance.js';
import type { SourceFile } from './source-file.js';

/**
 * The OAuth client libraries people call, and for each call that starts or finishes an
 * authorization code flow: who sends PKCE and `state`, the library itself or the caller (and in
 * which argument or option), and who checks `state` on the way back. Rules ask this module
 * instead of guessing from names.
 *
 * Read from the published packages, not from memory (the version each row was read in is in
 * `read`): openid-client 6.9.1 (`build/index.d.ts`, `build/index.js`) and 5.x
 * (`lib/client.js`, panva/openid-client), oauth4webapi 3.8.8, simple-oauth2 5.1.0
 * (`lib/authorization-code-grant-type.js`), passport-oauth2 1.8.0 (`lib/strategy.js`),
 * @auth/core 0.41.3 (`lib/utils/providers.js`: `checks` defaults to `['pkce']`), arctic 3.7.0
 * (`dist/providers/*.d.ts`, `dist/client.d.ts`), @modelcontextprotocol/sdk 1.32.2
 * (`dist/esm/client/auth.js`: `startAuthorization` always sends an S256 challenge, `state` only
 * when given), pkce-challenge 4.1.0.
 * @see RFC 7636 §4.3; RFC 6749 §10.12; OAuth 2.1 §4.1.1, §7.5.1, §7.12
 */

/**
 * Where an authorization request parameter comes from for one library call.
 * - `library`: the library sends it itself (the MCP SDK's challenge, Auth.js's default `pkce` check).
 * - `unsupported`: the library gives the caller no way to send it (arctic's GitHub provider has no verifier argument).
 * - `omitted`: this call never sends it, and the library has another call that does (arctic's `createAuthorizationURLWithPKCE`).
 * - `parameters`: a key of the parameters object (or URLSearchParams) in argument `argument`.
 * - `positional`: argument `argument` itself; `null` there means "not sent" (arctic's Auth0, Discord).
 * - `option`: a truthy option among `names` in the options object in argument `argument` (passport-oauth2 `{ pkce: true }`).
 * - `checks`: Auth.js: the value in the provider's `checks` array; `whenAbsent` is the verdict when there is no `checks`.
 */
export type Placement =
  | { readonly by: 'library' }
  | { readonly by: 'unsupported' }
  | { readonly by: 'omitted' }
  | { readonly by: 'parameters'; readonly argument: number; readonly names: readonly string[] }
  | { readonly by: 'positional'; readonly argument: number }
  | { readonly by: 'option'; readonly argument: number; readonly names: readonly string[] }
  | { readonly by: 'checks'; readonly argument: number; readonly value: string; readonly whenAbsent: 'library' | 'absent' };

/** A library call that builds a code-flow authorization request. */
export interface AuthorizationRequestEntry {
  /** The npm package. */
  readonly library: string;
  /** The version this row was read in. */
  readonly read: string;
  /** How a developer names the call: `buildAuthorizationUrl`, `new OAuth2Strategy`. */
  readonly call: string;
  readonly pkce: Placement;
  readonly state: Placement;
  /** The parameters object, when the caller passes one (its keys are request parameters). */
  readonly parameters?: number;
}

/** A library call on the callback that checks `state` (or could), and where the expected value goes. */
export interface CallbackEntry {
  readonly library: string;
  readonly read: string;
  readonly call: string;
  /**
   * Where the expected state goes: an argument (oauth4webapi's `expectedState`) or a key of the
   * checks object in an argument (openid-client's `{ state }` / `{ expectedState }`); `none` when
   * the library exchanges the code and never looks at `state` (arctic, simple-oauth2, the MCP SDK).
   */
  readonly expectedState: { readonly argument: number; readonly key?: string } | 'none';
}

/** What one call of a cataloged library means. */
export type LibraryCall =
  | { readonly kind: 'authorization-request'; readonly entry: AuthorizationRequestEntry }
  | { readonly kind: 'callback'; readonly entry: CallbackEntry }
  | { readonly kind: 'pkce-helper'; readonly library: string };

const OPENID_CLIENT_V6 = '6.9.1';
const OPENID_CLIENT_V5 = '5.7 (lib/client.js)';

/** Functions named by their qualified name (see names.ts). */
const FUNCTIONS: ReadonlyMap<string, LibraryCall> = new Map<string, LibraryCall>([
  // openid-client v6: response_type defaults to code; the caller passes code_challenge and state (index.js buildAuthorizationUrl).
  ...['buildAuthorizationUrl', 'buildAuthorizationUrlWithPAR', 'buildAuthorizationUrlWithJAR'].map(
    (call) =>
      [
        `openid-client.${call}`,
        {
          kind: 'authorization-request',
          entry: {
            library: 'openid-client',
            read: OPENID_CLIENT_V6,
            call,
            parameters: 1,
            pkce: { by: 'parameters', argument: 1, names: ['code_challenge'] },
            state: { by: 'parameters', argument: 1, names: ['state'] },
          },
        },
      ] as const,
  ),
  [
    'openid-client.authorizationCodeGrant',
    {
      kind: 'callback',
      entry: { library: 'openid-client', read: OPENID_CLIENT_V6, call: 'authorizationCodeGrant', expectedState: { argument: 2, key: 'expectedState' } },
    },
  ],
  // oauth4webapi has no URL builder (the caller builds the URL); its response validators take the expected state.
  ['oauth4webapi.validateAuthResponse', callback('oauth4webapi', '3.8.8', 'validateAuthResponse', 3)],
  ['oauth4webapi.validateJwtAuthResponse', callback('oauth4webapi', '3.8.8', 'validateJwtAuthResponse', 3)],
  ['oauth4webapi.validateCodeIdTokenResponse', callback('oauth4webapi', '3.8.8', 'validateCodeIdTokenResponse', 4)],
  ['oauth4webapi.validateDetachedSignatureResponse', callback('oauth4webapi', '3.8.8', 'validateDetachedSignatureResponse', 4)],
  // The MCP SDK always sends an S256 challenge; `state` only when the caller passes one (auth.js startAuthorization).
  ...['@modelcontextprotocol/sdk/client/auth.js', '@modelcontextprotocol/sdk/client/auth'].flatMap((module) => [
    [
      `${module}.startAuthorization`,
      {
        kind: 'authorization-request',
        entry: {
          library: '@modelcontextprotocol/sdk',
          read: '1.32.2',
          call: 'startAuthorization',
          pkce: { by: 'library' },
          state: { by: 'option', argument: 1, names: ['state'] },
        },
      },
    ] as const,
    [
      `${module}.exchangeAuthorization`,
      { kind: 'callback', entry: { library: '@modelcontextprotocol/sdk', read: '1.32.2', call: 'exchangeAuthorization', expectedState: 'none' } },
    ] as const,
    // auth(provider, { authorizationCode }) exchanges the code with the verifier the provider saved; it never sees state.
    [`${module}.auth`, { kind: 'callback', entry: { library: '@modelcontextprotocol/sdk', read: '1.32.2', call: 'auth', expectedState: 'none' } }] as const,
  ]),
  ['pkce-challenge', { kind: 'pkce-helper', library: 'pkce-challenge' }],
  ['pkce-challenge.generateChallenge', { kind: 'pkce-helper', library: 'pkce-challenge' }],
  ['openid-client.calculatePKCECodeChallenge', { kind: 'pkce-helper', library: 'openid-client' }],
  ['openid-client.randomPKCECodeVerifier', { kind: 'pkce-helper', library: 'openid-client' }],
  ['oauth4webapi.calculatePKCECodeChallenge', { kind: 'pkce-helper', library: 'oauth4webapi' }],
  ['oauth4webapi.generateRandomCodeVerifier', { kind: 'pkce-helper', library: 'oauth4webapi' }],
  ['arctic.createS256CodeChallenge', { kind: 'pkce-helper', library: 'arctic' }],
  ['arctic.generateCodeVerifier', { kind: 'pkce-helper', library: 'arctic' }],
]);

function callback(library: string, read: string, call: string, argument: number): LibraryCall {
  return { kind: 'callback', entry: { library, read, call, expectedState: { argument } } };
}

/** passport-oauth2: `new OAuth2Strategy({ …, state: true, pkce: true }, verify)`; `pkce` needs `state` (strategy.js line 112). */
const PASSPORT: AuthorizationRequestEntry = {
  library: 'passport-oauth2',
  read: '1.8.0',
  call: 'new OAuth2Strategy',
  pkce: { by: 'option', argument: 0, names: ['pkce'] },
  state: { by: 'option', argument: 0, names: ['state', 'store'] },
};
const PASSPORT_CONSTRUCTORS = new Set(['passport-oauth2', 'passport-oauth2.Strategy', 'passport-oauth2.OAuth2Strategy']);

/** Auth.js providers (`Google({ checks })` from `@auth/core/providers/google`, `next-auth/providers/google`): `checks` defaults to `['pkce']`. */
const AUTH_JS_PROVIDER = /^(next-auth|@auth\/[a-z-]+)\/providers\/[\w-]+$/;
const AUTH_JS: AuthorizationRequestEntry = {
  library: '@auth/core',
  read: '0.41.3',
  call: 'provider checks',
  pkce: { by: 'checks', argument: 0, value: 'pkce', whenAbsent: 'library' },
  // Without `checks`, Auth.js binds the callback to the browser with its PKCE cookie: its documented CSRF protection.
  state: { by: 'checks', argument: 0, value: 'state', whenAbsent: 'library' },
};

/** Methods recognised by name in a file that imports the library (their receivers are instances we cannot always name). */
const METHODS: readonly { readonly module: string; readonly method: string; readonly call: LibraryCall }[] = [
  // openid-client v5: `client.authorizationUrl(params)`; response_type comes from the client's response_types (default code).
  {
    module: 'openid-client',
    method: 'authorizationUrl',
    call: {
      kind: 'authorization-request',
      entry: {
        library: 'openid-client',
        read: OPENID_CLIENT_V5,
        call: 'authorizationUrl',
        parameters: 0,
        pkce: { by: 'parameters', argument: 0, names: ['code_challenge'] },
        state: { by: 'parameters', argument: 0, names: ['state'] },
      },
    },
  },
  // v5 `client.callback(redirectUri, params, { state, nonce, code_verifier })` compares checks.state with params.state.
  ...['callback', 'oauthCallback'].map((method) => ({
    module: 'openid-client',
    method,
    call: {
      kind: 'callback',
      entry: { library: 'openid-client', read: OPENID_CLIENT_V5, call: method, expectedState: { argument: 2, key: 'state' } },
    } as const,
  })),
  // simple-oauth2: `authorizeURL(params)` copies params into the URL, response_type=code; getToken never sees state.
  {
    module: 'simple-oauth2',
    method: 'authorizeURL',
    call: {
      kind: 'authorization-request',
      entry: {
        library: 'simple-oauth2',
        read: '5.1.0',
        call: 'authorizeURL',
        parameters: 0,
        pkce: { by: 'parameters', argument: 0, names: ['code_challenge'] },
        state: { by: 'parameters', argument: 0, names: ['state'] },
      },
    },
  },
  {
    module: 'simple-oauth2',
    method: 'getToken',
    call: { kind: 'callback', entry: { library: 'simple-oauth2', read: '5.1.0', call: 'getToken', expectedState: 'none' } },
  },
];

/** arctic 3.7.0 providers by the signature of `createAuthorizationURL` (dist/providers/*.d.ts). */
const ARCTIC_VERIFIER_SECOND = [
  'AmazonCognito',
  'Authentik',
  'Autodesk',
  'Etsy',
  'Gitea',
  'Google',
  'KeyCloak',
  'Kick',
  'Lichess',
  'Line',
  'Mastodon',
  'MicrosoftEntraId',
  'Okta',
  'Polar',
  'Roblox',
  'Salesforce',
  'Synology',
  'TikTok',
  'Twitter',
  'Zoom',
  'MercadoLibre',
  'MercadoPago',
  'MyAnimeList',
  // `codeVerifier: string | null`: null sends no challenge.
  'Auth0',
  'Discord',
  'Spotify',
  'WorkOS',
];
/** Providers whose `createAuthorizationURL(state, …)` takes no verifier: PKCE cannot be sent through arctic. */
const ARCTIC_STATE_ONLY = [
  'Apple',
  'Atlassian',
  'BattleNet',
  'Box',
  'Bungie',
  'Coinbase',
  'Dribbble',
  'Dropbox',
  'EpicGames',
  'Facebook',
  'Figma',
  'FortyTwo',
  'GitHub',
  'GitLab',
  'Intuit',
  'Kakao',
  'Linear',
  'LinkedIn',
  'Osu',
  'Patreon',
  'Reddit',
  'Slack',
  'StartGG',
  'Strava',
  'Tiltify',
  'Tumblr',
  'Twitch',
  'VK',
  'Withings',
  'Yahoo',
  'Yandex',
  'AniList',
  'Bitbucket',
  'Notion',
  'Shikimori',
];
/** Providers whose `createAuthorizationURL` takes neither. */
const ARCTIC_NEITHER = ['Naver', 'DonationAlerts'];

function arctic(call: string, pkce: Placement, state: Placement): AuthorizationRequestEntry {
  return { library: 'arctic', read: '3.7.0', call, pkce, state };
}

const ARCTIC_PROVIDERS: ReadonlyMap<string, AuthorizationRequestEntry> = new Map([
  ...ARCTIC_VERIFIER_SECOND.map(
    (name) => [`arctic.${name}`, arctic(`${name}.createAuthorizationURL`, { by: 'positional', argument: 1 }, { by: 'positional', argument: 0 })] as const,
  ),
  ...ARCTIC_STATE_ONLY.map(
    (name) => [`arctic.${name}`, arctic(`${name}.createAuthorizationURL`, { by: 'unsupported' }, { by: 'positional', argument: 0 })] as const,
  ),
  ...ARCTIC_NEITHER.map((name) => [`arctic.${name}`, arctic(`${name}.createAuthorizationURL`, { by: 'unsupported' }, { by: 'unsupported' })] as const),
]);

/** arctic's generic client: `createAuthorizationURL(endpoint, state, scopes)` sends no challenge; the PKCE variant exists beside it. */
const ARCTIC_CLIENT: ReadonlyMap<string, AuthorizationRequestEntry> = new Map([
  ['createAuthorizationURL', arctic('OAuth2Client.createAuthorizationURL', { by: 'omitted' }, { by: 'positional', argument: 1 })],
  [
    'createAuthorizationURLWithPKCE',
    arctic('OAuth2Client.createAuthorizationURLWithPKCE', { by: 'positional', argument: 3 }, { by: 'positional', argument: 1 }),
  ],
]);

/**
 * What `call` is in the catalogue, if anything: an authorization request builder, a callback
 * validator or code exchange, or a PKCE helper.
 */
export function libraryCall(file: SourceFile, call: TSESTree.CallExpression | TSESTree.NewExpression): LibraryCall | undefined {
  const name = libraryCalleeName(file, call);
  if (call.type === AST_NODE_TYPES.NewExpression)
    return name !== undefined && PASSPORT_CONSTRUCTORS.has(name) ? { kind: 'authorization-request', entry: PASSPORT } : undefined;
  if (name !== undefined) {
    const known = FUNCTIONS.get(name);
    if (known !== undefined) return known;
    if (AUTH_JS_PROVIDER.test(name)) return { kind: 'authorization-request', entry: AUTH_JS };
  }
  const callee = unwrap(call.callee);
  if (callee.type !== AST_NODE_TYPES.MemberExpression) return undefined;
  const method = memberName(callee);
  if (method === undefined) return undefined;
  if (method === 'createAuthorizationURL' || method === 'createAuthorizationURLWithPKCE' || method === 'validateAuthorizationCode') {
    const provider = instanceClass(file, callee.object);
    if (provider === undefined) return undefined;
    if (method === 'validateAuthorizationCode')
      return provider.startsWith('arctic.')
        ? { kind: 'callback', entry: { library: 'arctic', read: '3.7.0', call: 'validateAuthorizationCode', expectedState: 'none' } }
        : undefined;
    const entry =
      provider === 'arctic.OAuth2Client' ? ARCTIC_CLIENT.get(method) : method === 'createAuthorizationURL' ? ARCTIC_PROVIDERS.get(provider) : undefined;
    return entry === undefined ? undefined : { kind: 'authorization-request', entry };
  }
  const imported = importedModules(file);
  return METHODS.find((each) => each.method === method && imported.has(each.module))?.call;
}

/** The qualified name of a callee, also through `require('m').X` (which names.ts leaves unnamed). */
function libraryCalleeName(file: SourceFile, call: TSESTree.CallExpression | TSESTree.NewExpression): string | undefined {
  const name = calleeName(file, call);
  if (name !== undefined) return name;
  const callee = unwrap(call.callee);
  const fromRequire = (node: TSESTree.Node): string | undefined => {
    const at = unwrap(node);
    if (at.type !== AST_NODE_TYPES.MemberExpression) return undefined;
    const module = requiredModule(at.object);
    const key = memberName(at);
    return module === undefined || key === undefined ? undefined : `${module}.${key}`;
  };
  if (callee.type === AST_NODE_TYPES.MemberExpression) return fromRequire(callee);
  if (callee.type === AST_NODE_TYPES.Identifier) {
    // const Strategy = require('passport-oauth2').Strategy
    const declarator = file.referenceOf(callee)?.resolved?.defs[0]?.node;
    if (declarator?.type === AST_NODE_TYPES.VariableDeclarator && declarator.id.type === AST_NODE_TYPES.Identifier && declarator.init !== null)
      return fromRequire(declarator.init);
  }
  return undefined;
}

/** The class `expression` is an instance of, when every value it can hold is `new <qualified name>(…)`. */
function instanceClass(file: SourceFile, expression: TSESTree.Node): string | undefined {
  const names = new Set<string | undefined>();
  for (const origin of originsOf(file, expression))
    names.add(origin.kind === 'call' && origin.node.type === AST_NODE_TYPES.NewExpression ? origin.name : undefined);
  return names.size === 1 ? [...names][0] : undefined;
}

const IMPORTS = new WeakMap<SourceFile, Set<string>>();

/** The modules a file imports or requires (`node:` dropped, subpaths kept and also their package). */
export function importedModules(file: SourceFile): ReadonlySet<string> {
  const cached = IMPORTS.get(file);
  if (cached !== undefined) return cached;
  const found = new Set<string>();
  const add = (source: string) => {
    const module = moduleName(source);
    found.add(module);
    const parts = module.split('/');
    found.add(module.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!);
  };
  walk(file.program, (node) => {
    if (node.type === AST_NODE_TYPES.ImportDeclaration) add(node.source.value);
    else if (node.type === AST_NODE_TYPES.CallExpression || node.type === AST_NODE_TYPES.ImportExpression) {
      const module = requiredModule(node);
      if (module !== undefined) add(module);
    }
  });
  IMPORTS.set(file, found);
  return found;
}

/** The verdict for one parameter of one library call: sent, not sent, sent by the library, not sendable, or not visible. */
export type ParameterVerdict = 'sent' | 'absent' | 'library' | 'unsupported' | 'unknown';

/**
 * Whether the call sends the parameter `placement` describes, as far as the call shows. A
 * parameters object is judged by `keysOf` (the caller decides what is visible of it).
 */
export function placementVerdict(
  call: TSESTree.CallExpression | TSESTree.NewExpression,
  placement: Placement,
  keysOf: (argument: TSESTree.Node) => ReadonlySet<string> | undefined,
): ParameterVerdict {
  if (placement.by === 'library' || placement.by === 'unsupported') return placement.by;
  if (placement.by === 'omitted') return 'absent';
  const argument = call.arguments[placement.argument];
  if (placement.by === 'positional') {
    if (argument === undefined) return 'absent';
    const value = unwrap(argument);
    return isNothing(value) ? 'absent' : 'sent';
  }
  if (argument === undefined) return placement.by === 'checks' ? placement.whenAbsent : 'absent';
  if (argument.type === AST_NODE_TYPES.SpreadElement) return 'unknown';
  if (placement.by === 'parameters') {
    const keys = keysOf(argument);
    if (keys === undefined) return 'unknown';
    return placement.names.some((name) => keys.has(name)) ? 'sent' : 'absent';
  }
  const options = unwrap(argument);
  if (options.type !== AST_NODE_TYPES.ObjectExpression) return 'unknown';
  if (options.properties.some((property) => property.type !== AST_NODE_TYPES.Property)) return 'unknown';
  if (placement.by === 'option') {
    const values = options.properties.flatMap((property) =>
      property.type === AST_NODE_TYPES.Property && placement.names.includes(keyName(property) ?? '') ? [unwrap(property.value)] : [],
    );
    if (values.length === 0) return 'absent';
    return values.some((value) => !isNothing(value) && !(value.type === AST_NODE_TYPES.Literal && value.value === false)) ? 'sent' : 'absent';
  }
  const checks = options.properties.find((property) => property.type === AST_NODE_TYPES.Property && keyName(property) === 'checks') as
    | TSESTree.Property
    | undefined;
  if (checks === undefined) return placement.whenAbsent;
  const list = unwrap(checks.value);
  if (list.type !== AST_NODE_TYPES.ArrayExpression) return 'unknown';
  const values = list.elements.map((element) => (element === null || element.type === AST_NODE_TYPES.SpreadElement ? undefined : stringValue(element)));
  if (values.includes(undefined)) return 'unknown';
  return values.includes(placement.value) ? 'sent' : 'absent';
}

function keyName(property: TSESTree.Property): string | undefined {
  if (property.computed) return undefined;
  return property.key.type === AST_NODE_TYPES.Identifier ? property.key.name : stringValue(property.key);
}

/** `null`, `undefined`, `''`, `false`: no value sent. */
export function isNothing(node: TSESTree.Node): boolean {
  const at = unwrap(node);
  if (at.type === AST_NODE_TYPES.Identifier) return at.name === 'undefined';
  return at.type === AST_NODE_TYPES.Literal && (at.value === null || at.value === '' || at.value === false);
}

/**
 * A code-flow authorization request visible in a file: a parameters object, URLSearchParams,
 * `searchParams.set` chain or URL template that asks for `response_type=code`, or a cataloged
 * library call that builds one; and what it visibly sends. `unknown` means part of it is built
 * where this file does not show (another function, a spread, a value passed out).
 */
export interface AuthorizationRequest {
  /** Where a finding points: the parameters object, the `set('response_type', …)` call, the template, or the library call. */
  readonly node: TSESTree.Node;
  /** The library call that builds it, when one does. */
  readonly library?: AuthorizationRequestEntry;
  readonly pkce: ParameterVerdict;
  readonly state: ParameterVerdict;
  /** An OpenID Connect `nonce` is sent (it protects the ID token, not the code). */
  readonly nonce: boolean;
}

const REQUESTS = new WeakMap<SourceFile, readonly AuthorizationRequest[]>();

/** Every code-flow authorization request in `file` (computed once per file). */
export function authorizationRequests(file: SourceFile): readonly AuthorizationRequest[] {
  const cached = REQUESTS.get(file);
  if (cached !== undefined) return cached;
  const found: AuthorizationRequest[] = [];
  const claimed = new Set<object>();
  const calls: (TSESTree.CallExpression | TSESTree.NewExpression)[] = [];
  const seeds: { node: TSESTree.Node; trace: (trace: ParameterTrace) => void }[] = [];
  walk(file.program, (node) => {
    if (node.type === AST_NODE_TYPES.CallExpression || node.type === AST_NODE_TYPES.NewExpression) calls.push(node);
    const seed = requestSeed(file, node);
    if (seed !== undefined) seeds.push({ node, trace: seed });
  });
  for (const call of calls) {
    const known = libraryCall(file, call);
    if (known?.kind !== 'authorization-request') continue;
    const { entry } = known;
    let keys: ReadonlySet<string> | undefined;
    const keysOf = (argument: TSESTree.Node) => {
      const trace = new ParameterTrace(file);
      trace.value(argument);
      for (const root of trace.roots) claimed.add(root);
      keys = trace.visible ? trace.keys : undefined;
      return keys;
    };
    const pkce = placementVerdict(call, entry.pkce, keysOf);
    const state = placementVerdict(call, entry.state, keysOf);
    const nonce =
      entry === AUTH_JS
        ? placementVerdict(call, { by: 'checks', argument: 0, value: 'nonce', whenAbsent: 'absent' }, keysOf) === 'sent'
        : (keys?.has('nonce') ?? false);
    found.push({ node: call, library: entry, pkce, state, nonce });
  }
  for (const seed of seeds) {
    const trace = new ParameterTrace(file);
    seed.trace(trace);
    if ([...trace.roots].some((root) => claimed.has(root))) continue;
    for (const root of trace.roots) claimed.add(root);
    if (!trace.sent) continue;
    const verdict = (name: string): ParameterVerdict => (trace.keys.has(name) ? 'sent' : trace.visible ? 'absent' : 'unknown');
    found.push({ node: seed.node, pkce: verdict('code_challenge'), state: verdict('state'), nonce: trace.keys.has('nonce') });
  }
  found.sort((a, b) => a.node.range[0] - b.node.range[0]);
  REQUESTS.set(file, found);
  return found;
}

/** `response_type` asks for an authorization code (`code`, or a hybrid `code id_token`). */
function asksForCode(file: SourceFile, value: TSESTree.Node): boolean {
  const origins = originsOf(file, value);
  return (
    origins.length > 0 &&
    origins.every((origin) => {
      const text = origin.kind === 'literal' ? stringValue(origin.node) : undefined;
      return text?.split(/[\s+]|%20/).includes('code') === true;
    })
  );
}

/** A URL or query text that asks for a code: `…?response_type=code&…`. */
const CODE_IN_QUERY = /(^|[?&])response_type=code(&|$|%20|\+)/;

/** How to trace the request `node` starts, if it starts one. */
function requestSeed(file: SourceFile, node: TSESTree.Node): ((trace: ParameterTrace) => void) | undefined {
  if (node.type === AST_NODE_TYPES.ObjectExpression) {
    const property = node.properties.find(
      (each) => each.type === AST_NODE_TYPES.Property && keyName(each) === 'response_type' && asksForCode(file, each.value),
    ) as TSESTree.Property | undefined;
    return property === undefined ? undefined : (trace) => trace.value(node);
  }
  if (node.type === AST_NODE_TYPES.CallExpression && node.callee.type === AST_NODE_TYPES.MemberExpression) {
    const method = memberName(node.callee);
    const [key, value] = node.arguments;
    if (
      (method === 'set' || method === 'append') &&
      key !== undefined &&
      value !== undefined &&
      stringValue(key) === 'response_type' &&
      asksForCode(file, value)
    ) {
      const receiver = node.callee.object;
      return (trace) => trace.receiver(receiver);
    }
    return undefined;
  }
  if (isStringPiece(node) && !isStringPiece(node.parent)) {
    const parts = concatParts(node);
    if (parts.every((part) => typeof part !== 'string') || !CODE_IN_QUERY.test(parts.map((part) => (typeof part === 'string' ? part : '\u0000')).join('')))
      return undefined;
    return (trace) => trace.text(node);
  }
  return undefined;
}

function isStringPiece(node: TSESTree.Node | undefined): node is TSESTree.Literal | TSESTree.TemplateLiteral | TSESTree.BinaryExpression {
  if (node === undefined) return false;
  if (node.type === AST_NODE_TYPES.TemplateLiteral) return true;
  if (node.type === AST_NODE_TYPES.Literal) return typeof node.value === 'string';
  return node.type === AST_NODE_TYPES.BinaryExpression && node.operator === '+';
}

/** The pieces of a string built by `+` and templates: literal text, or an expression. */
function concatParts(node: TSESTree.Node): (string | TSESTree.Node)[] {
  const at = unwrap(node);
  if (at.type === AST_NODE_TYPES.Literal && typeof at.value === 'string') return [at.value];
  if (at.type === AST_NODE_TYPES.TemplateLiteral)
    return at.quasis.flatMap((quasi, index) => {
      const expression = at.expressions[index];
      return [quasi.value.cooked ?? '', ...(expression === undefined ? [] : concatParts(expression))];
    });
  if (at.type === AST_NODE_TYPES.BinaryExpression && at.operator === '+') return [...concatParts(at.left), ...concatParts(at.right)];
  return [at];
}

/** Calls that turn parameters into query text. */
const STRINGIFIERS = new Set(['String', 'querystring.stringify', 'qs.stringify', 'query-string.stringify', 'querystring.encode']);

/** Methods of URLSearchParams (and reads of an object) that change nothing. */
const READERS = new Set(['get', 'getAll', 'has', 'forEach', 'entries', 'keys', 'values', 'sort', 'size']);

/** Calls whose argument is a finished URL or parameters sent as they are: a redirect, a fetch, a window, a log. */
const FINAL_CALLS = /^(redirect|fetch|open|assign|replace|location|log|info|debug|warn|error|json|send|push|navigate|openExternal|openBrowser|launch)$/;

/**
 * What a request's parameters visibly are: the keys written where the container is made and
 * everywhere it goes in this file. Passing the container to a function we do not know,
 * returning it, or splicing unknown text into its query makes it not fully visible.
 */
class ParameterTrace {
  readonly keys = new Set<string>();
  readonly roots = new Set<object>();
  visible = true;
  /** The parameters visibly leave as a URL: query text, a URL object, a redirect or fetch, a library call (a stored record does not). */
  sent = false;
  private steps = 0;

  constructor(private readonly file: SourceFile) {}

  /** A container value (object literal, URLSearchParams, URL, a variable holding one): what it holds, then where it goes. */
  value(node: TSESTree.Node): void {
    const at = unwrap(node);
    if (at.type === AST_NODE_TYPES.Identifier) {
      this.variable(at);
      return;
    }
    this.holds(at);
    this.uses(at);
  }

  /** The receiver of `.set('response_type', …)`: `params`, `url.searchParams`. */
  receiver(node: TSESTree.Node): void {
    const at = unwrap(node);
    if (at.type === AST_NODE_TYPES.Identifier) {
      this.variable(at);
      return;
    }
    if (at.type === AST_NODE_TYPES.MemberExpression && memberName(at) === 'searchParams') {
      this.receiver(at.object);
      return;
    }
    this.visible = false;
  }

  /** A URL or query string: the keys in its text, then where it goes. */
  text(node: TSESTree.Node): void {
    this.roots.add(node);
    this.sent = true;
    this.readText(node, undefined);
    this.stringUses(node);
  }

  private budget(): boolean {
    this.steps += 1;
    if (this.steps > 200) this.visible = false;
    return this.steps <= 200;
  }

  private holds(at: TSESTree.Node): void {
    if (this.roots.has(at) || !this.budget()) return;
    this.roots.add(at);
    if (at.type === AST_NODE_TYPES.ObjectExpression) {
      if (!at.properties.every((property) => property.type === AST_NODE_TYPES.Property && keyName(property) !== undefined)) this.visible = false;
      for (const property of at.properties) if (property.type === AST_NODE_TYPES.Property) this.addKey(keyName(property));
      return;
    }
    if (at.type === AST_NODE_TYPES.NewExpression) {
      const name = calleeName(this.file, at);
      const [first] = at.arguments;
      if (name === 'URLSearchParams') {
        if (first === undefined) return;
        const argument = unwrap(first);
        if (argument.type === AST_NODE_TYPES.ArrayExpression) {
          for (const pair of argument.elements) {
            const key = pair?.type === AST_NODE_TYPES.ArrayExpression && pair.elements[0] ? stringValue(pair.elements[0]) : undefined;
            this.addKey(key);
          }
          return;
        }
        if (argument.type === AST_NODE_TYPES.Identifier) {
          this.variable(argument);
          return;
        }
        this.holds(argument);
        return;
      }
      // new URL(endpoint): the endpoint's own query is the server's; a template's text is read.
      if (name === 'URL') {
        this.sent = true;
        if (first !== undefined && isStringPiece(unwrap(first))) this.readText(first, undefined);
        return;
      }
    }
    if (isStringPiece(at)) {
      this.readText(at, undefined);
      return;
    }
    // const params = url.searchParams: the URL's parameters, wherever else the URL goes.
    if (at.type === AST_NODE_TYPES.MemberExpression && memberName(at) === 'searchParams') {
      this.value(at.object);
      return;
    }
    this.visible = false;
  }

  private addKey(key: string | undefined): void {
    if (key === undefined) this.visible = false;
    else this.keys.add(key);
  }

  private variable(identifier: TSESTree.Identifier): void {
    const variable = this.file.referenceOf(identifier)?.resolved ?? undefined;
    if (variable === undefined || variable.defs.length !== 1) {
      this.visible = false;
      return;
    }
    if (this.roots.has(variable) || !this.budget()) return;
    this.roots.add(variable);
    const declarator = variable.defs[0]!.node;
    if (
      declarator.type !== AST_NODE_TYPES.VariableDeclarator ||
      declarator.id.type !== AST_NODE_TYPES.Identifier ||
      declarator.parent.parent?.type === AST_NODE_TYPES.ExportNamedDeclaration
    ) {
      this.visible = false;
      return;
    }
    // Every value it is given: its initialiser and, for `let url; if (…) url = new URL(a); else url = new URL(b)`, each assignment.
    const values: TSESTree.Node[] = declarator.init === null ? [] : [declarator.init];
    for (const reference of variable.references) {
      if (!reference.isWrite() || reference.init === true) continue;
      const write = reference.identifier.parent;
      if (write?.type === AST_NODE_TYPES.AssignmentExpression && write.operator === '=' && write.left === reference.identifier) values.push(write.right);
      else this.visible = false;
    }
    if (values.length === 0) this.visible = false;
    for (const value of values) this.holds(unwrap(value));
    for (const reference of variable.references) if (!reference.isWrite()) this.uses(reference.identifier);
  }

  /** Where a container goes. */
  private uses(node: TSESTree.Node): void {
    if (!this.budget()) return;
    const parent = node.parent;
    if (parent === undefined) return;
    switch (parent.type) {
      case AST_NODE_TYPES.TSAsExpression:
      case AST_NODE_TYPES.TSNonNullExpression:
      case AST_NODE_TYPES.TSSatisfiesExpression:
      case AST_NODE_TYPES.ChainExpression:
      case AST_NODE_TYPES.AwaitExpression:
        this.uses(parent);
        return;
      case AST_NODE_TYPES.MemberExpression:
        if (parent.object === node) this.member(parent);
        return;
      case AST_NODE_TYPES.CallExpression:
        if (parent.callee === node) this.opaque();
        else this.argument(parent);
        return;
      case AST_NODE_TYPES.NewExpression: {
        const name = calleeName(this.file, parent);
        if (name === 'URLSearchParams' || name === 'URL') this.uses(parent);
        else this.opaque();
        return;
      }
      case AST_NODE_TYPES.VariableDeclarator:
        if (parent.init === node && parent.id.type === AST_NODE_TYPES.Identifier) {
          this.variable(parent.id);
          return;
        }
        return;
      case AST_NODE_TYPES.TemplateLiteral:
      case AST_NODE_TYPES.BinaryExpression:
        this.string(node);
        return;
      case AST_NODE_TYPES.ExpressionStatement:
        return;
      case AST_NODE_TYPES.AssignmentExpression:
        if (parent.right === node && isLocationWrite(parent.left)) this.sent = true;
        else this.opaque();
        return;
      default:
        // Returned, put in another object, spread: built further where we cannot see.
        this.opaque();
        return;
    }
  }

  private opaque(): void {
    this.visible = false;
  }

  private member(member: TSESTree.MemberExpression): void {
    const name = memberName(member);
    if (name === 'searchParams') {
      this.uses(member);
      return;
    }
    const call = member.parent.type === AST_NODE_TYPES.CallExpression && member.parent.callee === member ? member.parent : undefined;
    if (call !== undefined) {
      const key = call.arguments[0] === undefined ? undefined : stringValue(call.arguments[0]);
      if (name === 'set' || name === 'append') {
        this.addKey(key);
        return;
      }
      if (name === 'delete') {
        if (key !== undefined) this.keys.delete(key);
        return;
      }
      if (name !== undefined && READERS.has(name)) return;
      if (name === 'toString' || name === 'toJSON') {
        this.string(call);
        return;
      }
      this.opaque();
      return;
    }
    if (member.parent.type === AST_NODE_TYPES.AssignmentExpression && member.parent.left === member) {
      if (name === 'search' || name === 'href' || name === 'hash' || name === undefined) {
        this.opaque();
        return;
      }
      this.addKey(name);
      return;
    }
    if (name === 'href' || name === 'search') {
      this.string(member);
      return;
    }
  }

  private argument(call: TSESTree.CallExpression): void {
    const name = calleeName(this.file, call) ?? libraryCalleeName(this.file, call);
    if (name !== undefined && STRINGIFIERS.has(name)) {
      this.string(call);
      return;
    }
    if (name === 'Object.entries' || name === 'Object.keys' || name === 'Object.fromEntries') return;
    const callee = unwrap(call.callee);
    const last = callee.type === AST_NODE_TYPES.MemberExpression ? memberName(callee) : callee.type === AST_NODE_TYPES.Identifier ? callee.name : undefined;
    if (libraryCall(this.file, call)?.kind === 'authorization-request' || (last !== undefined && FINAL_CALLS.test(last))) this.sent = true;
    // JSON.stringify: a record stored, not a request sent; anything else may add to it.
    else this.opaque();
  }

  /** A string made from the container (`params.toString()`, `` `${endpoint}?${params}` ``): the text around it, then where it goes. */
  private string(node: TSESTree.Node): void {
    this.sent = true;
    let top = node;
    while (isStringPiece(top.parent) && top.parent.type !== AST_NODE_TYPES.Literal) top = top.parent;
    if (top !== node) this.readText(top, node);
    this.stringUses(top);
  }

  /** The keys in the literal text of a concatenation; an expression spliced where a key could be hides what it adds. */
  private readText(top: TSESTree.Node, container: TSESTree.Node | undefined): void {
    let text = '';
    for (const part of concatParts(top)) {
      if (typeof part === 'string') {
        text += part;
        continue;
      }
      const query = text.indexOf('?');
      // The base URL before `?`, a value after `=`, or the container itself.
      if (part !== container && query !== -1 && !text.endsWith('=')) this.visible = false;
      text += '\u0000';
    }
    for (const match of text.matchAll(/(?:^|[?&])([\w.-]+)=/g)) this.keys.add(match[1]!);
  }

  /** Where a finished URL string goes: into `new URL(…)` (a container again), a variable, or out (final). */
  private stringUses(node: TSESTree.Node): void {
    if (!this.budget()) return;
    const parent = node.parent;
    if (parent === undefined) return;
    if (parent.type === AST_NODE_TYPES.NewExpression && calleeName(this.file, parent) === 'URL') {
      this.uses(parent);
      return;
    }
    if (parent.type === AST_NODE_TYPES.VariableDeclarator && parent.init === node && parent.id.type === AST_NODE_TYPES.Identifier) {
      const variable = this.file.referenceOf(parent.id)?.resolved ?? undefined;
      const identifierVariable = variable ?? this.file.scopes.getDeclaredVariables(parent)[0];
      if (identifierVariable === undefined || this.roots.has(identifierVariable)) return;
      this.roots.add(identifierVariable);
      for (const reference of identifierVariable.references) if (!reference.isWrite()) this.string(reference.identifier);
      return;
    }
    if (parent.type === AST_NODE_TYPES.TSAsExpression || parent.type === AST_NODE_TYPES.TSNonNullExpression || parent.type === AST_NODE_TYPES.AwaitExpression)
      this.stringUses(parent);
    return;
  }
}

/** `location.href = url`, `window.location = url`: the browser goes there. */
function isLocationWrite(left: TSESTree.Node): boolean {
  const at = unwrap(left);
  if (at.type !== AST_NODE_TYPES.MemberExpression) return false;
  const name = memberName(at);
  return (
    name === 'location' ||
    (name === 'href' && unwrap(at.object).type === AST_NODE_TYPES.MemberExpression && memberName(unwrap(at.object) as TSESTree.MemberExpression) === 'location')
  );
}
