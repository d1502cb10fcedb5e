/**
 * The catalogue rows for calls recognised by name (see ../oauth-libraries.ts for what a row
 * means and where each was read): functions and constructors by their qualified name, Auth.js
 * providers by their module, and methods by name in a file that imports the library.
 * `libraryCall` in ../oauth-libraries.ts looks calls up here.
 */
import type { AuthorizationRequestEntry, LibraryCall } from '../oauth-libraries.js';

const OPENID_CLIENT_V6 = '6.9.1';
const OPENID_CLIENT_V5 = '5.7 (lib/client.js)';

/** Functions named by their qualified name (see names.ts). */
export const FUNCTIONS: ReadonlyMap<string, LibraryCall> = new Map<string, LibraryCall>([
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
export const PASSPORT: AuthorizationRequestEntry = {
  library: 'passport-oauth2',
  read: '1.8.0',
  call: 'new OAuth2Strategy',
  pkce: { by: 'option', argument: 0, names: ['pkce'] },
  state: { by: 'option', argument: 0, names: ['state', 'store'] },
};
export const PASSPORT_CONSTRUCTORS = new Set(['passport-oauth2', 'passport-oauth2.Strategy', 'passport-oauth2.OAuth2Strategy']);

/** Auth.js providers (`Google({ checks })` from `@auth/core/providers/google`, `next-auth/providers/google`): `checks` defaults to `['pkce']`. */
export const AUTH_JS_PROVIDER = /^(next-auth|@auth\/[a-z-]+)\/providers\/[\w-]+$/;
export const AUTH_JS: AuthorizationRequestEntry = {
  library: '@auth/core',
  read: '0.41.3',
  call: 'provider checks',
  pkce: { by: 'checks', argument: 0, value: 'pkce', whenAbsent: 'library' },
  // Without `checks`, Auth.js binds the callback to the browser with its PKCE cookie: its documented CSRF protection.
  state: { by: 'checks', argument: 0, value: 'state', whenAbsent: 'library' },
};

/** Methods recognised by name in a file that imports the library (their receivers are instances we cannot always name). */
export const METHODS: readonly { readonly module: string; readonly method: string; readonly call: LibraryCall }[] = [
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
