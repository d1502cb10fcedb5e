import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/typescript-estree';
import { rfc } from '../../catalogue/spec.js';
import { enclosingFunction, memberName, stringValue, unwrap, walk } from '../ast.js';
import { calleeName, moduleName, qualifiedName, requiredModule } from '../names.js';
import { type Origin, originsOf } from '../provenance.js';
import type { RuleMatch, ScanRule } from '../scan-rule.js';
import type { SourceFile } from '../source-file.js';

/** Names of values an attacker must not learn byte by byte: client secrets, API keys, tokens, MACs and signatures, CSRF tokens, PKCE verifiers. */
const SECRET_NAME =
  /secret|api[-_]?key|apikey|token|signature|^sig$|hmac|^mac$|csrf|xsrf|^(proxy_)?authorization(_?header)?$|bearer|credential|verifier|passphrase|private_?key/i;

/** Values compared in OAuth that are public or single-use and short-lived: a PKCE challenge, a nonce, `state`. */
const EPHEMERAL_NAME = /challenge|nonce|(^|_)state($|_)|[a-z]State$|^state[A-Z]/i;

/** UI state, not the OAuth `state` parameter. */
const UI_STATE = /^(prev|previous|next|new|old|initial|current|default|local|global|app|component|ready|connection|socket|game|form)_?state$/i;

/** Names that hold something about a secret, not the secret: its kind, where it goes, when it ends, how long it is, whether it is there. */
const NOT_A_SECRET =
  /type$|kind$|method|endpoint|url$|uri$|expir|ttl|length|count|size|name$|hint|(^|_)id$|[a-z]Id$|_at$|[a-z]At$|scheme|prefix|format|alg$|algorithm|enabled|required|supported|version|status|mode|policy|lifetime|usage|strategy|location|param$|path$|identifier|header_?name|check$|(token|secret|key|credential|signature)s$|^(jti|kid|sub|iss|aud)$|^(is|has|should|can|use|allow|skip|disable)[A-Z_]/i;

/** Hash functions by the word in their name: a value hashed before it is compared leaks little (an HMAC is a secret, not a hash). */
const HASH_WORD = /hash|^sha|sha\d|digest$|blake|^md5$/i;

/** A secret's name that says it holds the secret's hash. */
const HASHED_NAME = /^(?!.*hmac).*(hash|digest)/i;

/** Calls whose result is a MAC or signature, by qualified name. */
const MAC_CALLS = new Set(['crypto.createHmac', 'crypto.sign', 'crypto.hmac']);
const HASH_CALLS = new Set(['crypto.createHash', 'crypto.hash', 'crypto.subtle.digest', 'subtle.digest']);

/** Methods that read a named header, parameter or cookie. */
const GETTERS = new Set(['get', 'header', 'getHeader', 'cookie', 'param', 'query']);

const EQUALITY = new Set(['===', '!==', '==', '!=']);

/** Operators whose result carries its operands (concatenation); every other one makes a boolean or a number. */
const ARITHMETIC = new Set(['+']);

/** What an operand holds, as far as names and provenance tell. */
interface Holding {
  /** What a developer calls the secret it holds: `req.body.client_secret`, `an HMAC`. */
  readonly secret?: string;
  /** The public or short-lived value it holds (state, a PKCE challenge, a nonce). */
  readonly ephemeral?: string;
  readonly hashed: boolean;
  /** Read from the environment (`process.env.API_KEY`): what a server checks presented credentials against. */
  readonly configured?: boolean;
  readonly trail?: readonly TSESTree.Node[];
}

function nameKind(name: string): 'secret' | 'ephemeral' | undefined {
  if (NOT_A_SECRET.test(name)) return undefined;
  if (SECRET_NAME.test(name)) return 'secret';
  if (EPHEMERAL_NAME.test(name) && !UI_STATE.test(name)) return 'ephemeral';
  return undefined;
}

/** The word a call is known by: `sha256` in `sha256(x)`, `digest` in `h.digest()`, `getClientSecret` in `this.getClientSecret()`. */
function calleeWord(call: TSESTree.CallExpression | TSESTree.NewExpression): string | undefined {
  const callee = unwrap(call.callee);
  if (callee.type === AST_NODE_TYPES.Identifier) return callee.name;
  if (callee.type === AST_NODE_TYPES.MemberExpression) return memberName(callee);
  return undefined;
}

/** The name an expression is written with: `client_secret` in `req.body.client_secret`, `x-api-key` in `headers['x-api-key']`. */
function writtenName(expression: TSESTree.Node): string | undefined {
  const at = unwrap(expression);
  if (at.type === AST_NODE_TYPES.Identifier) return at.name;
  if (at.type === AST_NODE_TYPES.MemberExpression) return memberName(at);
  if (at.type === AST_NODE_TYPES.CallExpression) return calleeWord(at);
  return undefined;
}

function isHashCall(file: SourceFile, call: TSESTree.CallExpression | TSESTree.NewExpression, name: string | undefined): boolean {
  if (name !== undefined && HASH_CALLS.has(name)) return true;
  const word = calleeWord(call);
  // `h.digest()` of an HMAC is followed to `createHmac`; only a hash function's own name counts here.
  if (word === 'digest') return call.callee.type === AST_NODE_TYPES.MemberExpression && qualifiedName(file, call.callee) === 'crypto.subtle.digest';
  return word !== undefined && HASH_WORD.test(word) && !/hmac/i.test(word);
}

function fromOrigin(file: SourceFile, origin: Origin): Holding {
  // The engine follows both sides of any binary expression: a boolean made by comparing is not what it compared.
  if (origin.trail.some((node) => node.type === AST_NODE_TYPES.BinaryExpression && !ARITHMETIC.has(node.operator))) return { hashed: false };
  if (origin.kind === 'call') {
    // A counter (`n++`) is reported as a call of that name, with the update as its node.
    if (origin.node.type !== AST_NODE_TYPES.CallExpression && origin.node.type !== AST_NODE_TYPES.NewExpression) return { hashed: false };
    if (origin.name !== undefined && MAC_CALLS.has(origin.name))
      return { secret: `an HMAC or signature from ${origin.name}()`, hashed: false, trail: origin.trail };
    if (isHashCall(file, origin.node, origin.name)) return { hashed: true };
    const word = calleeWord(origin.node);
    // `headers.get('authorization')`, `c.req.header('x-api-key')`, `searchParams.get('state')`: named by the key read.
    const key = origin.node.arguments[0] === undefined ? undefined : stringValue(origin.node.arguments[0]);
    if (word !== undefined && GETTERS.has(word) && key !== undefined) return holding(nameKind(key), `${key} from ${word}('${key}')`, origin.trail);
    const kind = word === undefined ? undefined : nameKind(word);
    return holding(kind, `the result of ${word}()`, origin.trail);
  }
  const path = origin.kind === 'read' ? origin.path : origin.kind === 'parameter' ? origin.name : undefined;
  if (path === undefined) return { hashed: false };
  return holding(nameKind(path.split('.').at(-1)!), path, origin.trail);
}

function holding(kind: ReturnType<typeof nameKind>, label: string, trail?: readonly TSESTree.Node[]): Holding {
  const base = trail === undefined ? {} : { trail };
  if (kind === 'secret') return { secret: label, hashed: false, ...base };
  if (kind === 'ephemeral') return { ephemeral: label, hashed: false, ...base };
  return { hashed: false };
}

/** What `operand` holds: by the name it is written with, then by where its value comes from. */
function holdingOf(file: SourceFile, operand: TSESTree.Node): Holding {
  const at = unwrap(operand);
  const name = writtenName(at);
  const origins = originsOf(file, at);
  const held = origins.map((origin) => fromOrigin(file, origin));
  const own = name === undefined ? { hashed: false } : holding(nameKind(name), name);
  const secretFrom = own.secret !== undefined ? own : held.find((each) => each.secret !== undefined);
  const ephemeralFrom = own.ephemeral !== undefined ? own : held.find((each) => each.ephemeral !== undefined);
  const hashed =
    // `tokenHash`, `secret_hash`: named as the hash of a secret.
    (own.secret !== undefined && HASHED_NAME.test(name!)) ||
    (at.type === AST_NODE_TYPES.CallExpression && isHashCall(file, at, qualifiedName(file, at.callee))) ||
    held.some((each) => each.hashed);
  const trail = secretFrom?.trail ?? ephemeralFrom?.trail;
  return {
    hashed,
    configured: origins.some((origin) => origin.kind === 'read' && origin.path.startsWith('process.env.')),
    ...(secretFrom?.secret === undefined ? {} : { secret: secretFrom.secret }),
    ...(ephemeralFrom?.ephemeral === undefined ? {} : { ephemeral: ephemeralFrom.ephemeral }),
    ...(trail === undefined ? {} : { trail }),
  };
}

/** An operand that cannot be a secret compared with a guess: a constant, `undefined`, a `typeof`, a length. */
function isNotAValue(file: SourceFile, operand: TSESTree.Node): boolean {
  const at = unwrap(operand);
  switch (at.type) {
    case AST_NODE_TYPES.Literal:
    case AST_NODE_TYPES.ObjectExpression:
    case AST_NODE_TYPES.ArrayExpression:
      return true;
    case AST_NODE_TYPES.TemplateLiteral:
      return at.expressions.length === 0;
    // `typeof x`, `-1`, `void 0`, `!x`: a type name, a number or a boolean.
    case AST_NODE_TYPES.UnaryExpression:
      return true;
    case AST_NODE_TYPES.Identifier:
      return at.name === 'undefined' && qualifiedName(file, at) === 'undefined';
    case AST_NODE_TYPES.MemberExpression:
      if (['length', 'size', 'byteLength'].includes(memberName(at) ?? '')) return true;
      // `str[i]` in a loop: one character or element, picked by a number.
      return at.computed && at.property.type !== AST_NODE_TYPES.Literal && isNumber(file, at.property);
    default:
      return false;
  }
}

function isNumber(file: SourceFile, expression: TSESTree.Node): boolean {
  const origins = originsOf(file, expression);
  return (
    origins.length > 0 &&
    origins.every(
      (origin) =>
        (origin.kind === 'call' && origin.name === 'counter') || (origin.kind === 'literal' && typeof (origin.node as TSESTree.Literal).value === 'number'),
    )
  );
}

/** Modules whose import makes a file serve requests (a timing oracle needs someone to time it). */
const SERVER_MODULES =
  /^(express|fastify|hono|koa|@koa\/router|koa-router|next\/server|@hapi\/hapi|h3|elysia|itty-router|restify|polka|@nestjs\/common|express-session|passport|@modelcontextprotocol\/sdk\/server)(\/|$)/;

/** Parameters a request handler is written with: express `(req, res)`, koa `(ctx)`, fastify `(request, reply)`. */
const HANDLER_PARAMS = /^(req|res|reply|ctx)$/;

const NODE_SERVERS = /^(http|https|http2)\.create(Secure)?Server$/;

const serverFiles = new WeakMap<SourceFile, boolean>();

/** Whether `file` imports (or requires) a server framework. */
function importsServer(file: SourceFile): boolean {
  let known = serverFiles.get(file);
  if (known === undefined) {
    known = false;
    walk(file.program, (node) => {
      if (known) return;
      const source =
        node.type === AST_NODE_TYPES.ImportDeclaration ? node.source.value : node.type === AST_NODE_TYPES.CallExpression ? requiredModule(node) : undefined;
      if (source !== undefined && SERVER_MODULES.test(moduleName(source))) known = true;
      // `node:http` is a client's module too: only a server it creates makes the file a server.
      if (node.type === AST_NODE_TYPES.CallExpression && NODE_SERVERS.test(calleeName(file, node) ?? '')) known = true;
    });
    serverFiles.set(file, known);
  }
  return known;
}

/**
 * Whether a comparison at `node` can be timed by a remote party: the file serves requests, the
 * code is inside a request handler, or a side is a secret configured in the environment (what a
 * server checks presented credentials against). A client comparing two tokens it holds is no oracle.
 */
function isServerSide(file: SourceFile, node: TSESTree.Node, sides: readonly Holding[]): boolean {
  if (importsServer(file)) return true;
  if (sides.some((side) => side.configured === true)) return true;
  // Only a server checks a CSRF token.
  if (sides.some((side) => side.secret !== undefined && /csrf|xsrf/i.test(side.secret))) return true;
  for (let fn = enclosingFunction(node); fn !== undefined; fn = enclosingFunction(fn))
    if (fn.params.some((param) => param.type === AST_NODE_TYPES.Identifier && HANDLER_PARAMS.test(param.name))) return true;
  return false;
}

/** The two sides of a comparison the rule judges: `a === b`, `a.equals(b)`, `a.localeCompare(b)`. */
function comparedPair(node: TSESTree.Node): [TSESTree.Node, TSESTree.Node, string] | undefined {
  if (node.type === AST_NODE_TYPES.BinaryExpression && EQUALITY.has(node.operator) && node.left.type !== AST_NODE_TYPES.PrivateIdentifier)
    return [node.left, node.right, node.operator];
  if (node.type === AST_NODE_TYPES.CallExpression && node.callee.type === AST_NODE_TYPES.MemberExpression && node.arguments.length >= 1) {
    const method = memberName(node.callee);
    const other = node.arguments[0]!;
    if ((method === 'equals' || method === 'localeCompare') && other.type !== AST_NODE_TYPES.SpreadElement) return [node.callee.object, other, `.${method}()`];
  }
  return undefined;
}

function judge(file: SourceFile, node: TSESTree.Node): RuleMatch | undefined {
  const pair = comparedPair(node);
  if (pair === undefined) return undefined;
  const [left, right, operator] = pair;
  // A constant, a length or a type on either side: nothing secret is compared with a guess (a
  // hard-coded secret compared with input is the literals rule's finding).
  if (isNotAValue(file, left) || isNotAValue(file, right)) return undefined;
  // A side named as something about a secret (`token.jti`, `tokenType`): not two secrets compared.
  if ([left, right].some((side) => NOT_A_SECRET.test(writtenName(side) ?? ''))) return undefined;
  const sides = [holdingOf(file, left), holdingOf(file, right)];
  if (!isServerSide(file, node, sides)) return undefined;
  const secret = sides.find((side) => side.secret !== undefined);
  const ephemeral = sides.find((side) => side.ephemeral !== undefined);
  const flowOf = (side: Holding) => (side.trail === undefined ? {} : { flow: [...side.trail].reverse() });
  // A hashed verifier compared with the stored challenge is the S256 check: the challenge is public.
  if (secret !== undefined && !(secret.hashed && ephemeral !== undefined && ephemeral !== secret)) {
    // Both sides hashed first: the leak is of the hash's prefix, which says little about the secret.
    if (sides.every((side) => side.hashed))
      return {
        node,
        severity: 'low',
        message: `${secret.secret} is compared hashed with ${operator}: hashing first hides most of the timing leak; crypto.timingSafeEqual closes it.`,
        ...flowOf(secret),
      };
    return {
      node,
      message: `${secret.secret} is compared with ${operator}, which stops at the first differing byte, so the response time tells an attacker how much of a guess was right.`,
      ...flowOf(secret),
    };
  }
  // `state === prevState`: a UI reducer's state, not the OAuth parameter.
  const uiState = [left, right].some((side) => UI_STATE.test(writtenName(side) ?? ''));
  if (ephemeral !== undefined && !uiState) {
    return {
      node,
      severity: 'info',
      message: `${ephemeral.ephemeral} is compared with ${operator}; it is public or single-use, so the timing leak matters little, but crypto.timingSafeEqual costs nothing.`,
      ...flowOf(ephemeral),
    };
  }
  return undefined;
}

/**
 * secret-compare-timing: a client secret, API key, token, HMAC or signature, CSRF token or PKCE
 * verifier compared with `===`/`!==`/`==`/`!=`, `.equals()` or `.localeCompare()`, in any
 * expression. An operand counts as secret by the name it is written with (`req.body.client_secret`,
 * `headers['x-api-key']`, a destructured `client_secret`) or by where its value comes from
 * (the `Authorization` header, `process.env.API_KEY`, `createHmac(…).digest()`).
 * Only server code is judged (a timing oracle needs a remote party to time it): a file that imports
 * a server framework or creates a `node:http` server, a request handler, a secret read from the
 * environment, a CSRF token. Silent on comparisons with a constant, `undefined`, a `typeof` or a
 * `.length` (the length check before `timingSafeEqual`), on names of kinds or metadata
 * (`token_type`, `grant_type`, `token.jti`), on look-ups that do not compare, on client code
 * comparing tokens it holds, and in test files. Both sides hashed first is Low; `state`, a PKCE challenge or a
 * nonce is Info (the challenge is public, state is single-use and short-lived).
 * @see RFC 7518 §3.2 (an HMAC is compared in constant time); RFC 6749 §10.10 (credential guessing); CWE-208
 */
export const SECRET_COMPARE_TIMING: ScanRule = {
  id: 'secret-compare-timing',
  title: 'A secret compared in non-constant time',
  severity: 'medium',
  cwe: ['CWE-208'],
  spec: [rfc(7518, '3.2'), rfc(6749, '10.10')],
  precision: 'medium',
  why: 'String and buffer comparison stops at the first differing byte, so response times let an attacker recover a secret, token or signature byte by byte.',
  fix: 'Compare with crypto.timingSafeEqual on equal-length Buffers (check the lengths first, or compare fixed-length hashes of both sides).',
  tags: ['oauth', 'timing', 'secrets'],
  *find(file: SourceFile): Generator<RuleMatch> {
    // A test compares to assert, not to let anyone in.
    if (file.isTest) return;
    const found: RuleMatch[] = [];
    walk(file.program, (node) => {
      const match = judge(file, node);
      if (match !== undefined) found.push(match);
    });
    yield* found;
  },
};
