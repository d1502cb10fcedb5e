import { DefinitionType, type Variable } from '@typescript-eslint/scope-manager';
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/typescript-estree';
import { rfc } from '../../catalogue/spec.js';
import { type FunctionNode, isFunction, memberName, objectProperty, stringValue, unwrap, walk } from '../ast.js';
import { namedValues } from '../named-values.js';
import { calleeName, declaredVariable } from '../names.js';
import type { RuleMatch, ScanRule } from '../scan-rule.js';
import type { SourceFile } from '../source-file.js';

/** Names that hold a PKCE verifier (`codeVerifier`, `code_verifier`, `pkceVerifier`, `verifier`). */
const VERIFIER_NAME = /verifier$/i;

/** Names of functions that turn a verifier into its challenge (`calculatePKCECodeChallenge`, `generateCodeChallenge`, `s256Challenge`). */
const CHALLENGE_FUNCTION = /challenge/i;

/** Functions with a challenge in their name that read one rather than make one (`parseChallenge(header)`, `verifyChallenge`). */
const NOT_A_CHALLENGE_MAKER = /^(parse|verify|validate|check|send|handle|is|has|assert|respond)/i;

/**
 * Names of generators whose first argument, when a number, is the length of the string they return
 * (`generateRandomString(32)`, `randomString(16)`). Not `randomSecret(32)` or `randomToken(32)`:
 * their argument may count bytes, and 32 bytes make a good verifier.
 */
const LENGTH_GENERATOR = /^(generate)?(random|secure|crypto)?(random)?(string|str|chars?|characters|alphanumeric|text)$/i;

/** RFC 7636 §4.1: `code-verifier = 43*128unreserved`, `unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~"`. */
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
const MIN_LENGTH = 43;
const MAX_LENGTH = 128;
/** RFC 7636 §7.1: 32 octets from a CSPRNG, base64url-encoded, is the recommended verifier. */
const RECOMMENDED_BYTES = 32;

/** How deep a verifier's expression is folded (nested calls and variables). */
const MAX_DEPTH = 12;

/**
 * What folding a verifier's expression tells us: random bytes not yet encoded, or text of a length
 * between `min` and `max`, possibly holding characters outside the verifier alphabet.
 * `bytes` is how many random octets the text carries, when every random part came from a byte count.
 */
type Folded =
  | { readonly kind: 'bytes'; readonly count: number }
  | {
      readonly kind: 'text';
      readonly min: number;
      readonly max: number;
      readonly bad: ReadonlySet<string>;
      readonly random: boolean;
      readonly bytes: number | undefined;
      /** How many trailing `=` base64 added (removed exactly by a `=+$` replace). */
      readonly padding: number;
      /** How many `-` a UUID holds (removed exactly by `.replace(/-/g, '')`). */
      readonly hyphens: number;
      /** What made it, for the message: "16 random bytes as hex". */
      readonly made: string;
    };

type Text = Extract<Folded, { kind: 'text' }>;

interface Fold {
  readonly file: SourceFile;
  /** Parameters of local functions bound to the arguments of the call being folded. */
  readonly bound: ReadonlyMap<Variable, TSESTree.Node>;
  readonly depth: number;
}

function text(length: number, made: string, extra: Partial<Text> = {}): Text {
  return { kind: 'text', min: length, max: length, bad: new Set(), random: true, bytes: undefined, padding: 0, hyphens: 0, made, ...extra };
}

/** A number the code spells out: a literal, a constant, simple arithmetic. */
function foldNumber(fold: Fold, node: TSESTree.Node): number | undefined {
  const at = unwrap(node);
  if (at.type === AST_NODE_TYPES.Literal && typeof at.value === 'number') return at.value;
  if (at.type === AST_NODE_TYPES.Identifier) {
    const init = initOf(fold, at);
    return init === undefined ? undefined : foldNumber({ ...fold, depth: fold.depth + 1 }, init);
  }
  if (at.type === AST_NODE_TYPES.BinaryExpression && at.left.type !== AST_NODE_TYPES.PrivateIdentifier) {
    const left = foldNumber(fold, at.left);
    const right = foldNumber(fold, at.right);
    if (left === undefined || right === undefined) return undefined;
    if (at.operator === '+') return left + right;
    if (at.operator === '-') return left - right;
    if (at.operator === '*') return left * right;
    if (at.operator === '/') return left / right;
  }
  return undefined;
}

/** The one value a name holds: a parameter bound at the call being folded, or a variable assigned once. */
function initOf(fold: Fold, identifier: TSESTree.Identifier): TSESTree.Node | undefined {
  if (fold.depth > MAX_DEPTH) return undefined;
  const variable = declaredVariable(fold.file, identifier);
  if (variable === undefined || variable.defs.length !== 1) return undefined;
  const bound = fold.bound.get(variable);
  if (bound !== undefined) return bound;
  const definition = variable.defs[0]!;
  if (definition.type !== DefinitionType.Variable || definition.node.id !== definition.name || definition.node.init === null) return undefined;
  const init = definition.node.init;
  if (variable.references.some((reference) => reference.isWrite() && reference.writeExpr !== init)) return undefined;
  return init;
}

/** Folds `node` into what a verifier made from it looks like, or undefined when it cannot be known. */
function foldValue(fold: Fold, node: TSESTree.Node): Folded | undefined {
  if (fold.depth > MAX_DEPTH) return undefined;
  const at = unwrap(node);
  const deeper: Fold = { ...fold, depth: fold.depth + 1 };
  switch (at.type) {
    case AST_NODE_TYPES.Literal:
      return typeof at.value === 'string' ? literal(at.value) : undefined;
    case AST_NODE_TYPES.TemplateLiteral: {
      const parts: (Folded | undefined)[] = [];
      at.quasis.forEach((quasi, index) => {
        parts.push(literal(quasi.value.cooked ?? ''));
        const expression = at.expressions[index];
        if (expression !== undefined) parts.push(foldValue(deeper, expression));
      });
      return parts.reduce<Folded | undefined>((sum, part) => concat(sum, part), literal(''));
    }
    case AST_NODE_TYPES.BinaryExpression:
      return at.operator === '+' ? concat(foldValue(deeper, at.left), foldValue(deeper, at.right)) : undefined;
    case AST_NODE_TYPES.AwaitExpression:
      return foldValue(deeper, at.argument);
    case AST_NODE_TYPES.Identifier: {
      const init = initOf(fold, at);
      return init === undefined ? undefined : foldValue(deeper, init);
    }
    case AST_NODE_TYPES.NewExpression:
    case AST_NODE_TYPES.CallExpression:
      return foldCall(deeper, at);
    default:
      return undefined;
  }
}

function literal(value: string): Text {
  return text(value.length, 'a literal', { bad: new Set([...value].filter((char) => !UNRESERVED.test(char))), random: false, bytes: 0 });
}

/** `a + b`: lengths add, bad characters join, random bytes add when both sides count them. */
function concat(left: Folded | undefined, right: Folded | undefined): Folded | undefined {
  if (left?.kind !== 'text' || right?.kind !== 'text') return undefined;
  const made = !left.random ? right.made : !right.random ? left.made : `${left.made} and ${right.made}`;
  return {
    kind: 'text',
    min: left.min + right.min,
    max: left.max + right.max,
    bad: new Set([...left.bad, ...right.bad]),
    random: left.random || right.random,
    bytes: left.bytes === undefined || right.bytes === undefined ? undefined : left.bytes + right.bytes,
    padding: right.padding,
    hyphens: left.hyphens + right.hyphens,
    made,
  };
}

function foldCall(fold: Fold, call: TSESTree.CallExpression | TSESTree.NewExpression): Folded | undefined {
  const args = call.arguments;
  const callee = unwrap(call.callee);
  if (callee.type === AST_NODE_TYPES.MemberExpression) {
    const method = memberName(callee);
    if (method === 'toString' || method === 'digest') return method === 'toString' ? encode(foldValue(fold, callee.object), args[0]) : undefined;
    if (method === 'replace' || method === 'replaceAll') return replaced(foldValue(fold, callee.object), method === 'replaceAll', args[0], args[1]);
    if (method === 'slice' || method === 'substring' || method === 'substr') return sliced(fold, foldValue(fold, callee.object), method, args);
    if (method === 'toLowerCase' || method === 'toUpperCase' || method === 'trim') return foldValue(fold, callee.object);
  }
  const name = calleeName(fold.file, call);
  if (name === 'crypto.randomBytes') {
    const count = args[0] === undefined ? undefined : foldNumber(fold, args[0]);
    return count === undefined ? undefined : { kind: 'bytes', count };
  }
  // A typed array or buffer of n octets, filled in place by getRandomValues / randomFillSync.
  if ((name === 'Uint8Array' || name === 'Buffer.alloc' || name === 'Buffer.allocUnsafe') && args[0] !== undefined) {
    const count = foldNumber(fold, args[0]);
    return count === undefined ? undefined : { kind: 'bytes', count };
  }
  if (name === 'crypto.getRandomValues' || name === 'crypto.webcrypto.getRandomValues' || name === 'crypto.randomFillSync' || name === 'Buffer.from')
    return args[0] === undefined ? undefined : foldValue(fold, args[0]);
  if (name === 'btoa' || name === 'String.fromCharCode') return base64Of(fold, name, args);
  const encoder = name === undefined ? undefined : ENCODERS.get(name);
  if (encoder !== undefined && args[0] !== undefined) {
    const value = foldValue(fold, args[0]);
    return value?.kind === 'bytes' ? encodeBytes(value.count, encoder, `${value.count} random bytes through ${name!.split('.').pop()}`) : undefined;
  }
  // A UUID is 36 characters of hex and hyphens, and v4 carries 122 random bits (RFC 9562 §5.4).
  if (name === 'crypto.randomUUID' || name === 'uuid.v4') return text(36, name === 'uuid.v4' ? 'uuid v4' : 'crypto.randomUUID()', { hyphens: 4 });
  if (name === 'nanoid.nanoid') {
    const size = args[0] === undefined ? 21 : foldNumber(fold, args[0]);
    return size === undefined ? undefined : text(size, args[0] === undefined ? 'nanoid() (21 characters by default)' : `nanoid(${size})`);
  }
  if (name === 'crypto-random-string' && args[0]?.type === AST_NODE_TYPES.ObjectExpression) {
    const length = objectProperty(args[0], 'length');
    const size = length === undefined ? undefined : foldNumber(fold, length.value);
    return size === undefined ? undefined : text(size, `cryptoRandomString({ length: ${size} })`);
  }
  const generated = customAlphabetSize(fold, callee, args);
  if (generated !== undefined) return generated;
  const local = localFunction(fold.file, callee);
  if (local !== undefined) {
    const returned = returnOf(fold, local, args);
    if (returned !== undefined) return returned;
  }
  return literalLength(fold, callee, args);
}

/** Encoders of byte arrays from libraries, by the encoding they produce (`base64url-padded` keeps `=`). */
const ENCODERS: ReadonlyMap<string, string> = new Map([
  ['@oslojs/encoding.encodeBase64urlNoPadding', 'base64url'],
  ['@oslojs/encoding.encodeBase64url', 'base64url-padded'],
  ['@oslojs/encoding.encodeBase64', 'base64'],
  ['@oslojs/encoding.encodeBase64NoPadding', 'base64-unpadded'],
  ['@oslojs/encoding.encodeHexLowerCase', 'hex'],
  ['@oslojs/encoding.encodeHexUpperCase', 'hex'],
  ['jose.base64url.encode', 'base64url'],
  ['base64url', 'base64url'],
  ['base64url.encode', 'base64url'],
]);

/** `.toString(encoding)` of random bytes. */
function encode(value: Folded | undefined, encodingNode: TSESTree.Node | undefined): Folded | undefined {
  if (value?.kind !== 'bytes' || encodingNode === undefined) return undefined;
  const encoding = stringValue(encodingNode);
  return encoding === undefined ? undefined : encodeBytes(value.count, encoding, `${value.count} random bytes as ${encoding}`);
}

/** `n` octets in `encoding` (RFC 4648 §4, §5, §8): hex doubles, base64 gives four characters per three octets. */
function encodeBytes(n: number, encoding: string, made: string): Text | undefined {
  const padding = (3 - (n % 3)) % 3;
  if (encoding === 'hex') return text(2 * n, made, { bytes: n });
  if (encoding === 'base64url') return text(Math.ceil((4 * n) / 3), made, { bytes: n });
  if (encoding === 'base64url-padded') return text(4 * Math.ceil(n / 3), made, { bytes: n, padding, bad: new Set(padding > 0 ? ['='] : []) });
  if (encoding === 'base64') return base64Text(n, made);
  if (encoding === 'base64-unpadded') return text(Math.ceil((4 * n) / 3), made, { bytes: n, bad: new Set(['+', '/']) });
  return undefined;
}

/** Base64 of `n` octets: `+` and `/` may appear, and `=` pads to a multiple of four (RFC 4648 §4). */
function base64Text(n: number, made: string): Text {
  const padding = (3 - (n % 3)) % 3;
  return text(4 * Math.ceil(n / 3), made, { bytes: n, padding, bad: new Set(['+', '/', ...(padding > 0 ? ['='] : [])]) });
}

/** `btoa(String.fromCharCode(...bytes))`: base64 of the bytes. */
function base64Of(fold: Fold, name: string, args: readonly TSESTree.CallExpressionArgument[]): Folded | undefined {
  const first = args[0];
  if (first === undefined) return undefined;
  if (name === 'String.fromCharCode') {
    const value = foldValue(fold, first.type === AST_NODE_TYPES.SpreadElement ? first.argument : first);
    return value?.kind === 'bytes' ? value : undefined;
  }
  const value = foldValue(fold, first.type === AST_NODE_TYPES.SpreadElement ? first.argument : first);
  return value?.kind === 'bytes' ? base64Text(value.count, `${value.count} random bytes as base64 (btoa)`) : undefined;
}

/**
 * `.replace(pattern, replacement)`: the base64 characters the pattern matches everywhere are mapped
 * away when the replacement is in the alphabet (`/\+/g → '-'`, `/\//g → '_'`, `/=+$/ → ''`).
 */
function replaced(
  value: Folded | undefined,
  all: boolean,
  patternNode: TSESTree.Node | undefined,
  replacementNode: TSESTree.Node | undefined,
): Folded | undefined {
  if (value?.kind !== 'text' || patternNode === undefined || replacementNode === undefined) return value;
  const pattern = unwrap(patternNode);
  const replacement = unwrap(replacementNode);
  const replacementText = stringValue(replacement);
  const mapsAway = isFunction(replacement) || (replacementText !== undefined && [...replacementText].every((char) => UNRESERVED.test(char)));
  let matches: (char: string) => boolean;
  let everywhere: (char: string) => boolean;
  if (pattern.type === AST_NODE_TYPES.Literal && 'regex' in pattern && pattern.regex !== undefined) {
    const regex = new RegExp(pattern.regex.pattern, pattern.regex.flags.replace('g', ''));
    matches = (char) => regex.test(char);
    // A padding run anchored at the end is removed whole, with or without `g`.
    everywhere = (char) => pattern.regex.flags.includes('g') || (char === '=' && pattern.regex.pattern.endsWith('$'));
  } else {
    const search = stringValue(pattern);
    if (search === undefined) return { ...value, bad: new Set(), min: 0 };
    matches = (char) => search === char || (char === '=' && /^=+$/.test(search));
    everywhere = () => all;
  }
  if (!mapsAway) return value;
  const bad = new Set(value.bad);
  let { min, max, padding, hyphens, made } = value;
  if (replacementText === '' && hyphens > 0 && matches('-') && everywhere('-')) {
    min -= hyphens;
    max -= hyphens;
    hyphens = 0;
    made = `${made} without hyphens`;
  }
  for (const char of value.bad)
    if (matches(char) && everywhere(char)) {
      bad.delete(char);
      if (replacementText === '' && char === '=') {
        min -= padding;
        max -= padding;
        padding = 0;
      } else if (replacementText === '') min = 0;
    }
  return { ...value, bad, min, max, padding, hyphens, made };
}

/** `.slice(a, b)` and friends: at most `b - a` characters when both are written out. */
function sliced(fold: Fold, value: Folded | undefined, method: string, args: readonly TSESTree.CallExpressionArgument[]): Folded | undefined {
  if (value?.kind !== 'text') return undefined;
  const start = args[0] === undefined ? 0 : foldNumber(fold, args[0]);
  const end = args[1] === undefined ? undefined : foldNumber(fold, args[1]);
  if (start === undefined || start < 0) return undefined;
  const take = end === undefined ? value.max - start : method === 'substr' ? end : end - start;
  if (end !== undefined && end < 0) return undefined;
  return { ...value, min: Math.max(0, Math.min(value.min - start, take)), max: Math.max(0, Math.min(value.max - start, take)), bytes: undefined };
}

/** `customAlphabet(alphabet, size)()` from nanoid, directly or through a constant. */
function customAlphabetSize(fold: Fold, callee: TSESTree.Node, args: readonly TSESTree.CallExpressionArgument[]): Folded | undefined {
  const made = callee.type === AST_NODE_TYPES.Identifier ? initOf(fold, callee) : callee;
  if (made === undefined) return undefined;
  const factory = unwrap(made);
  if (factory.type !== AST_NODE_TYPES.CallExpression || calleeName(fold.file, factory) !== 'nanoid.customAlphabet') return undefined;
  const sizeNode = args[0] ?? factory.arguments[1];
  const size = sizeNode === undefined ? 21 : foldNumber(fold, sizeNode);
  return size === undefined ? undefined : text(size, `nanoid customAlphabet (${size} characters)`);
}

/** A generator given a literal length (`generateRandomString(32)`, `randomString(16)`): that many characters. */
function literalLength(fold: Fold, callee: TSESTree.Node, args: readonly TSESTree.CallExpressionArgument[]): Folded | undefined {
  const name = callee.type === AST_NODE_TYPES.Identifier ? callee.name : callee.type === AST_NODE_TYPES.MemberExpression ? memberName(callee) : undefined;
  if (name === undefined || !LENGTH_GENERATOR.test(name) || args.length !== 1 || args[0]!.type === AST_NODE_TYPES.SpreadElement) return undefined;
  const length = foldNumber(fold, args[0]!);
  return length === undefined ? undefined : text(length, `${name}(${length})`);
}

function localFunction(file: SourceFile, callee: TSESTree.Node): FunctionNode | undefined {
  if (isFunction(callee)) return callee;
  if (callee.type !== AST_NODE_TYPES.Identifier) return undefined;
  const variable = declaredVariable(file, callee);
  const definition = variable?.defs.length === 1 ? variable.defs[0] : undefined;
  if (definition?.type === DefinitionType.FunctionName && definition.node.type === AST_NODE_TYPES.FunctionDeclaration) return definition.node;
  if (definition?.type === DefinitionType.Variable && definition.node.init !== null && isFunction(unwrap(definition.node.init)))
    return unwrap(definition.node.init) as FunctionNode;
  return undefined;
}

/** What a local function returns, its parameters bound to `args`; only when it has one `return`. */
function returnOf(fold: Fold, fn: FunctionNode, args: readonly TSESTree.CallExpressionArgument[]): Folded | undefined {
  const bound = new Map(fold.bound);
  fn.params.forEach((param, index) => {
    const name = param.type === AST_NODE_TYPES.AssignmentPattern ? param.left : param;
    const argument = args[index] ?? (param.type === AST_NODE_TYPES.AssignmentPattern ? param.right : undefined);
    if (name.type !== AST_NODE_TYPES.Identifier || argument === undefined || argument.type === AST_NODE_TYPES.SpreadElement) return;
    const variable = fold.file.scopes.getDeclaredVariables(fn).find((each) => each.defs.some((definition) => definition.name === name));
    if (variable !== undefined) bound.set(variable, argument);
  });
  const inner: Fold = { ...fold, bound };
  if (fn.body.type !== AST_NODE_TYPES.BlockStatement) return foldValue(inner, fn.body);
  const results: TSESTree.Node[] = [];
  walk(fn.body, (node) => {
    if (node.type === AST_NODE_TYPES.ReturnStatement && node.argument !== null) results.push(node.argument);
  });
  return results.length === 1 ? foldValue(inner, results[0]!) : undefined;
}

/** What is wrong with a folded verifier, and how bad: the format is a MUST (§4.1), the entropy a SHOULD (§7.1). */
function problem(value: Folded | undefined): { readonly message: string; readonly low: boolean } | undefined {
  if (value?.kind !== 'text' || !value.random) return undefined;
  if (value.bad.size > 0)
    return { message: `is ${value.made}, which can hold ${[...value.bad].join(' ')}: outside the verifier alphabet [A-Za-z0-9-._~]`, low: false };
  const length = value.min === value.max ? `${value.max}` : `at most ${value.max}`;
  if (value.max < MIN_LENGTH) return { message: `is ${value.made}: ${length} characters, fewer than the 43 a verifier needs`, low: false };
  if (value.min > MAX_LENGTH) return { message: `is ${value.made}: ${value.min} characters, more than the 128 a verifier may have`, low: false };
  if (value.bytes !== undefined && value.bytes < RECOMMENDED_BYTES)
    return { message: `is ${value.made}: ${value.bytes * 8} random bits, fewer than the 256 (32 octets) recommended`, low: true };
  return undefined;
}

/** Arguments of a challenge computation: `calculatePKCECodeChallenge(v)`, `createHash('sha256').update(v)` inside a challenge. */
function challengeInputs(file: SourceFile): TSESTree.Node[] {
  const inputs: TSESTree.Node[] = [];
  walk(file.program, (node) => {
    if (node.type !== AST_NODE_TYPES.CallExpression || node.arguments.length !== 1 || node.arguments[0]!.type === AST_NODE_TYPES.SpreadElement) return;
    const callee = unwrap(node.callee);
    const name = callee.type === AST_NODE_TYPES.Identifier ? callee.name : callee.type === AST_NODE_TYPES.MemberExpression ? memberName(callee) : undefined;
    if (name !== undefined && CHALLENGE_FUNCTION.test(name) && !NOT_A_CHALLENGE_MAKER.test(name)) inputs.push(node.arguments[0]!);
    else if (name === 'update' && callee.type === AST_NODE_TYPES.MemberExpression && isSha256(file, callee.object) && insideChallenge(node))
      inputs.push(node.arguments[0]!);
  });
  return inputs;
}

function isSha256(file: SourceFile, node: TSESTree.Node): boolean {
  const at = unwrap(node);
  return (
    at.type === AST_NODE_TYPES.CallExpression && calleeName(file, at) === 'crypto.createHash' && stringValue(at.arguments[0] ?? at)?.toLowerCase() === 'sha256'
  );
}

/** Whether `node` is part of a value named like a challenge (`const codeChallenge = createHash…`, `{ code_challenge: … }`). */
function insideChallenge(node: TSESTree.Node): boolean {
  for (let at = node.parent; at !== undefined && !isFunction(at); at = at.parent) {
    const name =
      at.type === AST_NODE_TYPES.VariableDeclarator && at.id.type === AST_NODE_TYPES.Identifier
        ? at.id.name
        : at.type === AST_NODE_TYPES.Property && at.key.type === AST_NODE_TYPES.Identifier
          ? at.key.name
          : at.type === AST_NODE_TYPES.Property
            ? stringValue(at.key)
            : undefined;
    if (name !== undefined) return CHALLENGE_FUNCTION.test(name);
  }
  return false;
}

/** The expression a value reduces to once names are followed: one finding per verifier, where it is first named. */
function origin(file: SourceFile, node: TSESTree.Node): TSESTree.Node {
  let at = unwrap(node);
  for (let step = 0; step < MAX_DEPTH && at.type === AST_NODE_TYPES.Identifier; step += 1) {
    const init = initOf({ file, bound: new Map(), depth: 0 }, at);
    if (init === undefined) break;
    at = unwrap(init);
  }
  return at;
}

/**
 * pkce-verifier-format: a PKCE verifier that cannot meet RFC 7636 §4.1 (43 to 128 characters of
 * `[A-Za-z0-9-._~]`) or carries less than the 32 random octets §7.1 recommends, found by folding
 * the expression that makes it: `randomBytes(n)` with `.toString('hex' | 'base64' | 'base64url')`,
 * base64 and its `+ / =` replace chain, UUIDs, nanoid, `btoa`, slices, concatenation and the
 * module's own one-return helpers. Only values named as a verifier or given to a challenge
 * computation are judged, so a 16-byte `state` or nonce is not a finding; neither is a verifier
 * whose making cannot be seen (`generateRandomCodeVerifier()`, pkce-challenge, a request field),
 * base64url, base64 with the full replace chain, two UUIDs joined (72 characters), or a literal.
 * @see RFC 7636 §4.1 and §7.1; CWE-331
 */
export const PKCE_VERIFIER_FORMAT: ScanRule = {
  id: 'pkce-verifier-format',
  mentions: /verifier|challenge/i,
  title: 'A PKCE verifier too short, too long or with characters outside its alphabet',
  severity: 'medium',
  cwe: ['CWE-331'],
  spec: [rfc(7636, '4.1'), rfc(7636, '7.1')],
  precision: 'high',
  why: 'A verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~; a shorter one has too little entropy, and a strict server rejects the token request.',
  fix: "Use crypto.randomBytes(32).toString('base64url') (43 characters, 256 bits) or a PKCE library's verifier generator.",
  tags: ['oauth', 'pkce', 'randomness'],
  *find(file: SourceFile): Generator<RuleMatch> {
    const reported = new Set<TSESTree.Node>();
    const judge = function* (name: string, value: TSESTree.Node, at: TSESTree.Node): Generator<RuleMatch> {
      const made = origin(file, value);
      if (reported.has(made)) return;
      const found = problem(foldValue({ file, bound: new Map(), depth: 0 }, value));
      if (found === undefined) return;
      reported.add(made);
      yield { node: at, message: `${name} ${found.message} (RFC 7636 §${found.low ? '7.1' : '4.1'}).`, ...(found.low ? { severity: 'low' as const } : {}) };
    };
    for (const { name, value, at } of namedValues(file)) if (VERIFIER_NAME.test(name)) yield* judge(name, value, at);
    for (const input of challengeInputs(file)) yield* judge('The verifier given to the challenge', input, input);
  },
};
