import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/typescript-estree';
import { memberName, stringValue, unwrap, walk } from './ast.js';
import { calleeName, moduleName, requiredModule } from './names.js';
import { ARCTIC_CLIENT, ARCTIC_PROVIDERS } from './oauth-libraries/arctic.js';
import { AUTH_JS, AUTH_JS_PROVIDER, FUNCTIONS, METHODS, PASSPORT, PASSPORT_CONSTRUCTORS } from './oauth-libraries/named-calls.js';
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
export function libraryCalleeName(file: SourceFile, call: TSESTree.CallExpression | TSESTree.NewExpression): string | undefined {
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

export function keyName(property: TSESTree.Property): string | undefined {
  if (property.computed) return undefined;
  return property.key.type === AST_NODE_TYPES.Identifier ? property.key.name : stringValue(property.key);
}

/** `null`, `undefined`, `''`, `false`: no value sent. */
export function isNothing(node: TSESTree.Node): boolean {
  const at = unwrap(node);
  if (at.type === AST_NODE_TYPES.Identifier) return at.name === 'undefined';
  return at.type === AST_NODE_TYPES.Literal && (at.value === null || at.value === '' || at.value === false);
}
