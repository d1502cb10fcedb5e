/**
 * pkce-verifier-format's fold: what a verifier made by an expression looks like, following
 * `randomBytes(n)`, encodings, UUIDs, nanoid, `btoa`, slices, concatenation, string generators
 * given a length, and the module's own one-return helpers with their parameters bound.
 */
import { DefinitionType } from '@typescript-eslint/scope-manager';
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/typescript-estree';
import { type FunctionNode, isFunction, memberName, objectProperty, unwrap, walk } from '../ast.js';
import { type Fold, foldNumber, initOf, MAX_FOLD_DEPTH } from '../constant-fold.js';
import { calleeName, declaredVariable } from '../names.js';
import type { SourceFile } from '../source-file.js';
import { base64Text, ENCODERS, encode, encodeBytes, replaced } from './pkce-verifier-format-encoders.js';
import { concat, type Folded, literal, text } from './pkce-verifier-format-folded.js';

/**
 * Names of generators whose first argument, when a number, is the length of the string they return
 * (`generateRandomString(32)`, `randomString(16)`). Not `randomSecret(32)` or `randomToken(32)`:
 * their argument may count bytes, and 32 bytes make a good verifier.
 */
const LENGTH_GENERATOR = /^(generate)?(random|secure|crypto)?(random)?(string|str|chars?|characters|alphanumeric|text)$/i;

/** Folds `node` into what a verifier made from it looks like, or undefined when it cannot be known. */
export function foldValue(fold: Fold, node: TSESTree.Node): Folded | undefined {
  if (fold.depth > MAX_FOLD_DEPTH) return undefined;
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
