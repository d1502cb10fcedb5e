import type { Scope, Variable } from '@typescript-eslint/scope-manager';
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/typescript-estree';
import { oauth21, rfc } from '../../catalogue/spec.js';
import type { Severity } from '../../check-definition.js';
import { enclosingFunction, memberName, staticPropertyName, unwrap, walk } from '../ast.js';
import { calleeName } from '../names.js';
import { type Origin, originsOf } from '../provenance.js';
import type { RuleMatch, ScanRule } from '../scan-rule.js';
import { isRequestHandler, isServerCode } from '../server-code.js';
import type { SourceFile } from '../source-file.js';
import { holdsVerifier } from '../verifier-values.js';

/** Sources of a key nobody can guess: a `state` made this way is a per-flow secret (RFC 6749 §10.10). */
const CSPRNG_CALLS = new Set([
  'crypto.randomBytes',
  'crypto.randomUUID',
  'crypto.getRandomValues',
  'randomUUID',
  'getRandomValues',
  'oauth4webapi.generateRandomState',
  'openid-client.randomState',
  'openid-client.generators.state',
  'arctic.generateState',
  'uuid.v4',
  'nanoid.nanoid',
]);

/** Key names that say the key is per flow or per session, not per user or per server. */
const SECRET_KEY = /state|session|sid$|nonce|csrf|flowId|handle/i;

/** Key names that say the key is the same for everyone who shares it: a user, a client, a server, a URL. */
const PUBLIC_KEY = /user|client|server|url|uri|host|issuer|provider|tenant|account|email|login|resource|origin|(^|[a-z_])id$/i;

/** Stores a module can hold: a Map, an object used as one, a cache class. */
const STORE_CONSTRUCTORS = new Set(['Map', 'lru-cache', 'lru-cache.LRUCache', '@isaacs/ttlcache', 'node-cache', 'quick-lru']);

/** Options of a cache class that expire entries. */
const TTL_OPTION = /ttl|maxAge|expire/i;

/** A stored entry's field that lets whoever reads it refuse a stale one. */
const EXPIRY_FIELD = /expir|ttl|createdAt|created|issuedAt|timestamp|deadline|validUntil/i;

type KeyKind = 'secret' | 'public' | 'unknown';

interface StoreWrite {
  readonly node: TSESTree.Node;
  readonly key: TSESTree.Node | undefined;
  readonly value: TSESTree.Node;
  /** A third argument to `set` (a TTL) or an expiry field in the stored object. */
  readonly expires: boolean;
}

/**
 * pkce-verifier-shared-store: in server code, a PKCE verifier kept where every user's request sees
 * it. A module-level variable written in a handler (`let codeVerifier; … codeVerifier = …`) holds
 * one user's verifier until the next user overwrites it, so concurrent logins swap verifiers and a
 * callback can complete someone else's flow (High). A module-level Map or object keyed by
 * something that is not secret (a user or client ID, a server URL, a constant) is the same slot
 * under another name (High). Keyed by a random `state`, it is correct when the entry is deleted on
 * use: Medium when it never is (entries pile up and stay redeemable), Info when nothing expires
 * them (they outlive abandoned flows, and a second instance does not see them), silent with a TTL.
 * Not findings: browser modules (one user per module scope), a Map made inside the handler, a
 * class's own field, a database or Redis client (its keys are the database's business).
 * @see RFC 7636 §4.1 and §7.1 (one verifier per authorization request); RFC 9700 §2.1.1 and OAuth 2.1 §7.5.1 (transaction-specific, bound to the user agent that started it); CWE-488, CWE-362
 */
export const PKCE_VERIFIER_SHARED_STORE: ScanRule = {
  id: 'pkce-verifier-shared-store',
  mentions: /verifier|pkce/i,
  title: 'The PKCE verifier kept in state shared by every user',
  severity: 'high',
  cwe: ['CWE-488', 'CWE-362'],
  spec: [rfc(7636, '4.1'), rfc(7636, '7.1'), rfc(9700, '2.1.1'), oauth21('7.5.1')],
  // Medium: which file is a server and what a key means are read from names and imports; a CLI's
  // loopback callback server is "server code" and holds one user.
  precision: 'medium',
  why: 'A module-level variable or map on a server is shared by every request, so one user’s login can overwrite or use another’s verifier.',
  fix: 'Keep the verifier per flow: in the user’s session, or in a store keyed by a random state, deleted when the callback reads it and expired after a few minutes.',
  tags: ['oauth', 'pkce', 'session'],
  *find(file: SourceFile): Generator<RuleMatch> {
    if (!isServerCode(file)) return;
    const top = moduleScopes(file);
    for (const scope of file.scopes.scopes)
      for (const variable of scope.variables) {
        if (variable.defs.length !== 1 || variable.defs[0]!.node.type !== AST_NODE_TYPES.VariableDeclarator) continue;
        const declarator = variable.defs[0]!.node as TSESTree.VariableDeclarator;
        if (declarator.id.type !== AST_NODE_TYPES.Identifier) continue;
        const shared = sharedWrite(declarator, top.includes(scope));
        yield* scalarWrites(file, variable, shared);
        const store = storeKind(file, declarator.init);
        if (store !== undefined) yield* storeWrites(file, variable, store.ttl, shared);
      }
  },
};

/** The scopes whose variables live as long as the module: the module scope, or a script's top level. */
function moduleScopes(file: SourceFile): Scope[] {
  const top = file.scopes.scopes.filter((scope) => scope.block === file.program);
  const inner = top.filter((scope) => scope.type !== 'global');
  return inner.length > 0 ? inner : top;
}

/** Whether `init` makes a store (`new Map()`, `{}`, `Object.create(null)`, a cache), and whether that store expires entries. */
function storeKind(file: SourceFile, init: TSESTree.Expression | null): { ttl: boolean } | undefined {
  if (init === null) return undefined;
  const at = unwrap(init);
  if (at.type === AST_NODE_TYPES.ObjectExpression) return { ttl: false };
  if (at.type === AST_NODE_TYPES.CallExpression && calleeName(file, at) === 'Object.create') return { ttl: false };
  if (at.type !== AST_NODE_TYPES.NewExpression) return undefined;
  const name = calleeName(file, at);
  if (name === undefined || !STORE_CONSTRUCTORS.has(name)) return undefined;
  const options = at.arguments[0] === undefined ? undefined : unwrap(at.arguments[0]);
  const ttl =
    options?.type === AST_NODE_TYPES.ObjectExpression &&
    options.properties.some(
      (property) => property.type === AST_NODE_TYPES.Property && TTL_OPTION.test(staticPropertyName(property.key, property.computed) ?? ''),
    );
  return { ttl: name !== 'Map' && ttl };
}

/**
 * Whether a write at a node outlives the request that makes it: the variable is declared outside
 * the request handler around the write (`module.exports = (app) => { let verifier; app.get(…, (req, res) => { verifier = … }) }`),
 * or it is module-level and written in any function (an OAuth client provider's `saveCodeVerifier`).
 * A variable declared inside the handler is per request.
 */
function sharedWrite(declarator: TSESTree.VariableDeclarator, moduleLevel: boolean): (write: TSESTree.Node) => boolean {
  return (write) => {
    for (let fn = enclosingFunction(write); fn !== undefined; fn = enclosingFunction(fn)) {
      if (declarator.range[0] >= fn.range[0] && declarator.range[1] <= fn.range[1]) return false;
      if (isRequestHandler(fn)) return true;
    }
    return moduleLevel && enclosingFunction(write) !== undefined;
  };
}

/** A variable that outlives the request assigned the verifier in it: one slot for every user. */
function* scalarWrites(file: SourceFile, variable: Variable, shared: (write: TSESTree.Node) => boolean): Generator<RuleMatch> {
  for (const reference of variable.references) {
    const write = reference.identifier.parent;
    if (!reference.isWrite() || reference.init === true || write?.type !== AST_NODE_TYPES.AssignmentExpression) continue;
    if (!shared(write) || isCleared(write.right)) continue;
    if (!holdsVerifier(file, write.right) && !holdsVerifier(file, reference.identifier)) continue;
    yield {
      node: write.left,
      message: `${variable.name} outlives the request: on a server every user’s login writes the same slot, so concurrent flows swap verifiers.`,
      flow: [write.right, write.left],
    };
  }
}

/** `codeVerifier = undefined` after use: clearing the slot is not storing a verifier in it. */
function isCleared(value: TSESTree.Node): boolean {
  const at = unwrap(value);
  return at.type === AST_NODE_TYPES.Literal || (at.type === AST_NODE_TYPES.Identifier && at.name === 'undefined');
}

/** `store.set(key, { verifier })`, `store[key] = verifier`, `store.pending = verifier` inside a function, judged by the key. */
function* storeWrites(file: SourceFile, variable: Variable, ttl: boolean, shared: (write: TSESTree.Node) => boolean): Generator<RuleMatch> {
  const writes = variable.references.flatMap((reference) => storeWrite(reference.identifier)).filter((write) => shared(write.node));
  const verifierWrites = writes.filter((write) => holdsVerifier(file, write.value));
  if (verifierWrites.length === 0) return;
  const deleted = deletesFrom(variable);
  const expires = ttl || expiresEntries(file, variable);
  for (const write of verifierWrites) {
    const kind = write.key === undefined ? 'public' : keyKind(file, write.key);
    const judged = judge(kind, deleted, expires || write.expires);
    if (judged === undefined) continue;
    yield { node: write.node, message: `${variable.name}: ${judged.message}`, ...(judged.severity === 'high' ? {} : { severity: judged.severity }) };
  }
}

function judge(kind: KeyKind, deleted: boolean, expires: boolean): { severity: Severity; message: string } | undefined {
  if (kind === 'public')
    return {
      severity: 'high',
      message:
        'a store that outlives the request, keyed by something every flow of that user, client or server shares, so concurrent logins overwrite or use each other’s verifier; key it by a random state.',
    };
  if (kind === 'unknown') return undefined;
  if (!deleted)
    return {
      severity: 'medium',
      message: 'the verifier is stored by state but never deleted, so entries pile up and a used one stays redeemable; delete it when the callback reads it.',
    };
  if (!expires)
    return {
      severity: 'info',
      message:
        'the verifier is stored by a random state and deleted on use, but abandoned flows never expire and a second server instance will not see it; add a TTL or use a shared store.',
    };
  return undefined;
}

/** The write a reference to a store makes, if it makes one. */
function storeWrite(identifier: TSESTree.Identifier | TSESTree.JSXIdentifier): StoreWrite[] {
  const member = identifier.parent;
  if (member?.type !== AST_NODE_TYPES.MemberExpression || member.object !== identifier) return [];
  const use = member.parent;
  if (use.type === AST_NODE_TYPES.CallExpression && use.callee === member && memberName(member) === 'set' && use.arguments.length >= 2)
    return [{ node: use, key: use.arguments[0], value: use.arguments[1]!, expires: use.arguments.length >= 3 || hasExpiryField(use.arguments[1]!) }];
  if (use.type === AST_NODE_TYPES.AssignmentExpression && use.left === member && use.operator === '=')
    return [{ node: use.left, key: member.computed ? member.property : undefined, value: use.right, expires: hasExpiryField(use.right) }];
  return [];
}

function hasExpiryField(value: TSESTree.Node): boolean {
  const at = unwrap(value);
  return (
    at.type === AST_NODE_TYPES.ObjectExpression &&
    at.properties.some((property) => property.type === AST_NODE_TYPES.Property && EXPIRY_FIELD.test(staticPropertyName(property.key, property.computed) ?? ''))
  );
}

/** The name a key expression goes by: `state`, `req.user.id` → `id`, `clientId`. */
function keyName(node: TSESTree.Node): string | undefined {
  const at = unwrap(node);
  if (at.type === AST_NODE_TYPES.Identifier) return at.name;
  if (at.type === AST_NODE_TYPES.MemberExpression) return memberName(at);
  return undefined;
}

/**
 * What a key is: `secret` when a CSPRNG made it or it is named for a flow or session, `public`
 * when it is a constant or named for a user, client or server, `unknown` otherwise (no finding).
 */
function keyKind(file: SourceFile, key: TSESTree.Node): KeyKind {
  const origins = originsOf(file, key);
  if (origins.some((origin) => origin.kind === 'call' && origin.name !== undefined && CSPRNG_CALLS.has(origin.name))) return 'secret';
  const names = [keyName(key), ...origins.flatMap(originNames)].filter((name) => name !== undefined);
  if (names.some((name) => SECRET_KEY.test(name))) return 'secret';
  if (origins.length > 0 && origins.every((origin) => origin.kind === 'literal')) return 'public';
  return names.some((name) => PUBLIC_KEY.test(name)) ? 'public' : 'unknown';
}

function originNames(origin: Origin): (string | undefined)[] {
  const own = origin.kind === 'read' ? origin.path.slice(origin.path.lastIndexOf('.') + 1) : origin.kind === 'parameter' ? origin.name : undefined;
  return [own, ...origin.trail.map(keyName)];
}

/** `store.delete(k)` or `delete store[k]` anywhere in the module. */
function deletesFrom(variable: Variable): boolean {
  return variable.references.some((reference) => {
    const member = reference.identifier.parent;
    if (member?.type !== AST_NODE_TYPES.MemberExpression || member.object !== reference.identifier) return false;
    const use = member.parent;
    if (use.type === AST_NODE_TYPES.CallExpression && use.callee === member) return ['delete', 'take', 'pop'].includes(memberName(member) ?? '');
    return use.type === AST_NODE_TYPES.UnaryExpression && use.operator === 'delete';
  });
}

/** A timer that deletes from the store (`setTimeout(() => store.delete(state), ttl)`), or a sweep comparing entries with the clock. */
function expiresEntries(file: SourceFile, variable: Variable): boolean {
  let expires = false;
  walk(file.program, (node) => {
    if (expires || node.type !== AST_NODE_TYPES.CallExpression) return;
    const name = calleeName(file, node);
    if (name !== 'setTimeout' && name !== 'setInterval') return;
    expires = variable.references.some((reference) => reference.identifier.range[0] >= node.range[0] && reference.identifier.range[1] <= node.range[1]);
  });
  return expires;
}
