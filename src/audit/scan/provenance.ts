import { DefinitionType, type Variable } from '@typescript-eslint/scope-manager';
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/typescript-estree';
import { type FunctionNode, isFunction, memberName, objectProperty, staticPropertyName, unwrap, walk } from './ast.js';
import { calleeName, declaredVariable, qualifiedName } from './names.js';
import type { SourceFile } from './source-file.js';

/**
 * Where a value comes from, found by following it backwards inside one module.
 * - `call`: the result of a call or `new` that is not followed further, with the callee's qualified name (`Math.random`,
 *   `crypto.randomBytes`, `uuid.v1`, `fetch`), or no name when the callee is not one we can name.
 * - `read`: a property read on something not followed further, as an access path from a parameter or a global
 *   (`req.headers.authorization`, `process.env.CLIENT_SECRET`, `authInfo.token`).
 * - `parameter`: a parameter of the function the value is in (no caller in this module told us more).
 * - `literal`: a string, number, boolean, null, regular expression or object literal.
 * - `unknown`: anything else (a `this` read, a class field, a global with no name).
 * `trail` is the path from the expression asked about back to the origin, for `codeFlows`.
 */
export type Origin =
  | {
      readonly kind: 'call';
      readonly name: string | undefined;
      readonly node: TSESTree.CallExpression | TSESTree.NewExpression;
      readonly trail: readonly TSESTree.Node[];
    }
  | { readonly kind: 'read'; readonly path: string; readonly node: TSESTree.Node; readonly trail: readonly TSESTree.Node[] }
  | { readonly kind: 'parameter'; readonly name: string; readonly node: TSESTree.Identifier; readonly trail: readonly TSESTree.Node[] }
  | { readonly kind: 'literal'; readonly node: TSESTree.Node; readonly trail: readonly TSESTree.Node[] }
  | { readonly kind: 'unknown'; readonly node: TSESTree.Node; readonly trail: readonly TSESTree.Node[] };

/**
 * String and array methods whose result carries what their receiver (and their arguments) held:
 * a verifier sliced, padded, joined or re-encoded is still the verifier.
 */
const CARRYING_METHODS = new Set([
  'toString',
  'toLowerCase',
  'toUpperCase',
  'slice',
  'substring',
  'substr',
  'padStart',
  'padEnd',
  'trim',
  'trimStart',
  'trimEnd',
  'concat',
  'join',
  'replace',
  'replaceAll',
  'split',
  'at',
  'charAt',
  'normalize',
  'toFixed',
  'valueOf',
  'repeat',
  'reverse',
  'flat',
  'toJSON',
  'digest',
  'update',
]);

/** Functions whose result carries what their arguments held. */
const CARRYING_FUNCTIONS = new Set([
  'String',
  'Number',
  'BigInt',
  'Math.floor',
  'Math.round',
  'Math.ceil',
  'Math.trunc',
  'Math.abs',
  'parseInt',
  'parseFloat',
  'encodeURIComponent',
  'encodeURI',
  'btoa',
  'JSON.stringify',
  'Buffer.from',
  'String.fromCharCode',
  'Array.of',
]);

/** How far a value is followed: enough for real code, bounded so a pathological file stays fast. */
const MAX_STEPS = 400;

interface Walk {
  readonly file: SourceFile;
  readonly seen: Set<TSESTree.Node>;
  /** Shared by every branch of one question, so it bounds the whole walk. */
  readonly budget: { steps: number };
  /** Arguments at the call being followed into, by the called function: a parameter becomes its argument. */
  readonly bindings: readonly { readonly fn: FunctionNode; readonly args: readonly TSESTree.Node[] }[];
}

/** Where the value of `expression` can come from (every origin, in source order of discovery). */
export function originsOf(file: SourceFile, expression: TSESTree.Node): Origin[] {
  let origins = ORIGINS.get(expression);
  if (origins === undefined) {
    origins = follow({ file, seen: new Set(), budget: { steps: 0 }, bindings: [] }, expression, []);
    ORIGINS.set(expression, origins);
  }
  return [...origins];
}

/** The answer for each expression asked about, kept with its node: eighteen rules ask about the same values. */
const ORIGINS = new WeakMap<TSESTree.Node, Origin[]>();

function follow(walk: Walk, node: TSESTree.Node, trail: readonly TSESTree.Node[]): Origin[] {
  const at = unwrap(node);
  if (walk.seen.has(at) || walk.budget.steps > MAX_STEPS) return [];
  walk.seen.add(at);
  walk.budget.steps += 1;
  const here = [...trail, at];
  const next = (child: TSESTree.Node) => follow(walk, child, here);
  switch (at.type) {
    case AST_NODE_TYPES.Literal:
    case AST_NODE_TYPES.ObjectExpression:
      return [{ kind: 'literal', node: at, trail: here }];
    case AST_NODE_TYPES.TemplateLiteral:
      return at.expressions.length === 0 ? [{ kind: 'literal', node: at, trail: here }] : at.expressions.flatMap(next);
    case AST_NODE_TYPES.TaggedTemplateExpression:
      return at.quasi.expressions.flatMap(next);
    case AST_NODE_TYPES.ArrayExpression:
      return at.elements.flatMap((element) => (element === null ? [] : next(element.type === AST_NODE_TYPES.SpreadElement ? element.argument : element)));
    case AST_NODE_TYPES.BinaryExpression:
      return [...(at.left.type === AST_NODE_TYPES.PrivateIdentifier ? [] : next(at.left)), ...next(at.right)];
    case AST_NODE_TYPES.LogicalExpression:
      return [...next(at.left), ...next(at.right)];
    case AST_NODE_TYPES.ConditionalExpression:
      return [...next(at.consequent), ...next(at.alternate)];
    case AST_NODE_TYPES.UnaryExpression:
      return at.operator === 'typeof' || at.operator === '!' || at.operator === 'void' || at.operator === 'delete' ? [] : next(at.argument);
    case AST_NODE_TYPES.AwaitExpression:
      return next(at.argument);
    case AST_NODE_TYPES.SequenceExpression:
      return next(at.expressions[at.expressions.length - 1]!);
    case AST_NODE_TYPES.AssignmentExpression:
      return next(at.right);
    case AST_NODE_TYPES.UpdateExpression:
      // A counter: `n++` comes from itself, and so from the literal it started at.
      return [{ kind: 'call', name: 'counter', node: at as unknown as TSESTree.CallExpression, trail: here }];
    case AST_NODE_TYPES.Identifier:
      return followIdentifier(walk, at, here);
    case AST_NODE_TYPES.MemberExpression:
      return followMember(walk, at, here);
    case AST_NODE_TYPES.CallExpression:
    case AST_NODE_TYPES.NewExpression:
      return followCall(walk, at, here);
    default:
      return [{ kind: 'unknown', node: at, trail: here }];
  }
}

function followIdentifier(walk: Walk, identifier: TSESTree.Identifier, trail: readonly TSESTree.Node[]): Origin[] {
  const variable = declaredVariable(walk.file, identifier);
  if (variable === undefined) {
    const name = qualifiedName(walk.file, identifier);
    return name === undefined ? [{ kind: 'unknown', node: identifier, trail }] : [{ kind: 'read', path: name, node: identifier, trail }];
  }
  return followVariable(walk, variable, identifier, trail);
}

function followVariable(walk: Walk, variable: Variable, identifier: TSESTree.Identifier, trail: readonly TSESTree.Node[]): Origin[] {
  const origins: Origin[] = [];
  for (const definition of variable.defs) {
    if (definition.type === DefinitionType.Parameter) {
      const fn = definition.node as TSESTree.Node;
      const binding = walk.bindings.findLast((each) => each.fn === fn);
      const index = isFunction(fn)
        ? fn.params.findIndex((param) => param === definition.name || (param.type === AST_NODE_TYPES.AssignmentPattern && param.left === definition.name))
        : -1;
      if (binding !== undefined && index !== -1 && binding.args[index] !== undefined) origins.push(...follow(walk, binding.args[index], trail));
      else origins.push({ kind: 'parameter', name: variable.name, node: definition.name as TSESTree.Identifier, trail });
    } else if (definition.type === DefinitionType.Variable) {
      const declarator = definition.node;
      if (declarator.init !== null) origins.push(...fromPattern(walk, declarator.id, definition.name as TSESTree.Identifier, declarator.init, trail));
    } else if (definition.type === DefinitionType.ImportBinding) {
      origins.push({ kind: 'read', path: qualifiedName(walk.file, identifier) ?? variable.name, node: identifier, trail });
    } else if (definition.type === DefinitionType.FunctionName) {
      origins.push({ kind: 'unknown', node: definition.node, trail });
    } else {
      origins.push({ kind: 'unknown', node: definition.node, trail });
    }
  }
  // Every later assignment is a source too (`let verifier; … verifier = Math.random()…`).
  for (const reference of variable.references) {
    if (!reference.isWrite() || reference.writeExpr === null || reference.writeExpr === undefined) continue;
    if (reference.init === true) continue;
    const write = reference.identifier.parent;
    if (write?.type === AST_NODE_TYPES.AssignmentExpression && write.left === reference.identifier) origins.push(...follow(walk, write, trail));
    else if (write?.type === AST_NODE_TYPES.UpdateExpression) origins.push(...follow(walk, write, trail));
  }
  return origins;
}

/** The origins of `name` bound by `pattern = init`: a destructured name is a property read of `init`. */
function fromPattern(walk: Walk, pattern: TSESTree.Node, name: TSESTree.Identifier, init: TSESTree.Node, trail: readonly TSESTree.Node[]): Origin[] {
  if (pattern === name) return follow(walk, init, trail);
  const keys = keyPath(pattern, name);
  if (keys === undefined) return [{ kind: 'unknown', node: name, trail }];
  return followKeys(walk, init, keys, [...trail, name]);
}

/** The property keys from a destructuring pattern down to `name` (`{ a: { b: name } }` → ['a', 'b']; an array index as a number string). */
function keyPath(pattern: TSESTree.Node, name: TSESTree.Identifier): string[] | undefined {
  if (pattern === name) return [];
  if (pattern.type === AST_NODE_TYPES.AssignmentPattern) return keyPath(pattern.left, name);
  if (pattern.type === AST_NODE_TYPES.ObjectPattern) {
    for (const property of pattern.properties) {
      if (property.type !== AST_NODE_TYPES.Property) continue;
      const below = keyPath(property.value, name);
      if (below === undefined) continue;
      const key = staticPropertyName(property.key, property.computed);
      return key === undefined ? undefined : [key, ...below];
    }
  }
  if (pattern.type === AST_NODE_TYPES.ArrayPattern) {
    for (const [index, element] of pattern.elements.entries()) {
      if (element === null) continue;
      const below = keyPath(element, name);
      if (below !== undefined) return [String(index), ...below];
    }
  }
  return undefined;
}

/** The origins of `base.k1.k2…`: into object literals where they are visible, else as access paths. */
function followKeys(walk: Walk, base: TSESTree.Node, keys: readonly string[], trail: readonly TSESTree.Node[]): Origin[] {
  if (keys.length === 0) return follow(walk, base, trail);
  return follow(walk, base, trail).flatMap((origin) => extend(walk, origin, keys));
}

/** An origin read further by `keys`. */
function extend(walk: Walk, origin: Origin, keys: readonly string[]): Origin[] {
  if (keys.length === 0) return [origin];
  const [key, ...rest] = keys as [string, ...string[]];
  if (origin.kind === 'literal' && origin.node.type === AST_NODE_TYPES.ObjectExpression) {
    const property = objectProperty(origin.node, key);
    return property === undefined ? [] : followKeys(walk, property.value, rest, origin.trail);
  }
  if (origin.kind === 'literal' && origin.node.type === AST_NODE_TYPES.ArrayExpression) {
    const element = origin.node.elements[Number(key)];
    return element === null || element === undefined ? [] : followKeys(walk, element, rest, origin.trail);
  }
  const path =
    origin.kind === 'read' ? origin.path : origin.kind === 'parameter' ? origin.name : origin.kind === 'call' ? `${origin.name ?? '?'}()` : undefined;
  if (path === undefined) return [origin];
  return [{ kind: 'read', path: `${path}.${keys.join('.')}`, node: origin.node, trail: origin.trail }];
}

function followMember(walk: Walk, member: TSESTree.MemberExpression, trail: readonly TSESTree.Node[]): Origin[] {
  const name = qualifiedName(walk.file, member);
  // A global with a known name (`Date.now` as a value, `process.env.X`): an access path of its own.
  if (name !== undefined && declaredRoot(walk.file, member) === undefined) return [{ kind: 'read', path: name, node: member, trail }];
  const key = memberName(member);
  // `alphabet[Math.floor(Math.random() * n)]`: the pick depends on the index as much as on the alphabet.
  // A pick among values is one of those values.
  if (key === undefined) {
    const picked = follow(walk, member.object, trail);
    const fromAlphabet = picked.length > 0 && picked.every((origin) => origin.kind === 'literal');
    return fromAlphabet && member.property.type !== AST_NODE_TYPES.PrivateIdentifier ? [...picked, ...follow(walk, member.property, trail)] : picked;
  }
  return followKeys(walk, member.object, [key], trail);
}

/** The declared variable at the root of a member chain, if any. */
function declaredRoot(file: SourceFile, member: TSESTree.MemberExpression): Variable | undefined {
  let at: TSESTree.Node = member;
  while (at.type === AST_NODE_TYPES.MemberExpression) at = unwrap(at.object);
  return at.type === AST_NODE_TYPES.Identifier ? declaredVariable(file, at) : undefined;
}

function followCall(walk: Walk, call: TSESTree.CallExpression | TSESTree.NewExpression, trail: readonly TSESTree.Node[]): Origin[] {
  const callee = unwrap(call.callee);
  const args = call.arguments.map((argument) => (argument.type === AST_NODE_TYPES.SpreadElement ? argument.argument : argument));
  const next = (node: TSESTree.Node) => follow(walk, node, trail);
  if (callee.type === AST_NODE_TYPES.MemberExpression) {
    const method = memberName(callee);
    // `arr.map(fn)`, `Array.from(x, fn)`: what `fn` returns.
    if (method === 'map' || method === 'flatMap') return [...returnsOf(walk, args[0], trail, [])];
    if (method !== undefined && CARRYING_METHODS.has(method)) return [...next(callee.object), ...args.flatMap(next)];
  }
  const name = calleeName(walk.file, call);
  if (name === 'Array.from') return args[1] !== undefined ? returnsOf(walk, args[1], trail, []) : args.flatMap(next);
  if (name !== undefined && CARRYING_FUNCTIONS.has(name)) return args.flatMap(next);
  // A function of this module: what it returns, with its parameters bound to these arguments.
  const local = localFunction(walk.file, callee);
  if (local !== undefined) return returnsOf(walk, local, trail, args);
  return [{ kind: 'call', name, node: call, trail }];
}

/** The function a callee names when it is declared in this module (`function f`, `const f = () => …`). */
function localFunction(file: SourceFile, callee: TSESTree.Node): FunctionNode | undefined {
  const at = unwrap(callee);
  if (isFunction(at)) return at;
  if (at.type !== AST_NODE_TYPES.Identifier) return undefined;
  const variable = declaredVariable(file, at);
  if (variable === undefined || variable.defs.length !== 1) return undefined;
  const definition = variable.defs[0]!;
  if (definition.type === DefinitionType.FunctionName && definition.node.type === AST_NODE_TYPES.FunctionDeclaration) return definition.node;
  if (definition.type === DefinitionType.Variable && definition.node.init !== null && definition.node.id === definition.name) {
    const init = unwrap(definition.node.init);
    if (isFunction(init)) return init;
  }
  return undefined;
}

/** The origins of what `fn` returns (an arrow's expression body, or each `return` of its own body). */
function returnsOf(walk: Walk, fnNode: TSESTree.Node | undefined, trail: readonly TSESTree.Node[], args: readonly TSESTree.Node[]): Origin[] {
  if (fnNode === undefined) return [];
  const fn = isFunction(unwrap(fnNode)) ? (unwrap(fnNode) as FunctionNode) : localFunction(walk.file, fnNode);
  if (fn === undefined) return follow(walk, fnNode, trail);
  const inner: Walk = { ...walk, bindings: [...walk.bindings, { fn, args }] };
  const results: TSESTree.Node[] = [];
  if (fn.body.type !== AST_NODE_TYPES.BlockStatement) results.push(fn.body);
  else
    ownReturns(fn.body, (statement) => {
      if (statement.argument !== null) results.push(statement.argument);
    });
  // A new walk state per call site: the same function called with other arguments is followed again.
  return results.flatMap((result) => follow({ ...inner, seen: new Set(walk.seen) }, result, [...trail, fn]));
}

/** Every `return` of `body` that belongs to it, not to a function inside it. */
function ownReturns(body: TSESTree.BlockStatement, visit: (statement: TSESTree.ReturnStatement) => void): void {
  walk(body, (node) => {
    if (node.type === AST_NODE_TYPES.ReturnStatement) {
      let owner: TSESTree.Node | undefined = node.parent;
      while (owner !== undefined && !isFunction(owner)) owner = owner.parent;
      if (owner === body.parent) visit(node);
    }
  });
}
