import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/typescript-estree';
import { visitorKeys } from '@typescript-eslint/visitor-keys';

/** Calls `visit` on `root` and every node below it, parents first, in source order. */
export function walk(root: TSESTree.Node, visit: (node: TSESTree.Node) => void): void {
  // Rules walk the same program and its functions many times: in a parsed program, a subtree is a
  // run of the program's nodes in walk order, listed once.
  const order = programOrderOf(root);
  const start = order?.position.get(root);
  if (order === undefined || start === undefined) {
    walkTree(root, visit);
    return;
  }
  const end = order.end[start]!;
  for (let i = start; i <= end; i += 1) visit(order.nodes[i]!);
}

/** The walk by visitor keys; with `adopt`, each child's `parent` is set on the way (the parser leaves it unset). */
function walkTree(root: TSESTree.Node, visit: (node: TSESTree.Node) => void, adopt = false): void {
  const stack: TSESTree.Node[] = [root];
  const push = (child: unknown, parent: TSESTree.Node) => {
    if (!isNode(child)) return;
    if (adopt) (child as { parent?: TSESTree.Node }).parent = parent;
    stack.push(child);
  };
  while (stack.length > 0) {
    const node = stack.pop()!;
    visit(node);
    const keys = visitorKeys[node.type] ?? [];
    for (let k = keys.length - 1; k >= 0; k -= 1) {
      const child = (node as unknown as Record<string, unknown>)[keys[k]!];
      if (Array.isArray(child)) {
        for (let i = child.length - 1; i >= 0; i -= 1) push(child[i], node);
      } else push(child, node);
    }
  }
}

/**
 * Sets `parent` on every node of a program the parser just made, and lists its nodes in walk
 * order for {@link walk}: one pass where two were made before.
 */
export function adoptProgram(program: TSESTree.Program): void {
  const nodes: TSESTree.Node[] = [];
  walkTree(program, (each) => nodes.push(each), true);
  PROGRAM_ORDER.set(program, orderOf(nodes));
}

function orderOf(nodes: TSESTree.Node[]): ProgramOrder {
  const position = new Map<TSESTree.Node, number>();
  for (let i = 0; i < nodes.length; i += 1) position.set(nodes[i]!, i);
  // Backwards, every descendant comes before its parent: a parent's subtree ends where its last one's does.
  const end = new Int32Array(nodes.length);
  for (let i = 0; i < nodes.length; i += 1) end[i] = i;
  for (let j = nodes.length - 1; j > 0; j -= 1) {
    const parent = nodes[j]!.parent === undefined ? undefined : position.get(nodes[j]!.parent!);
    if (parent !== undefined && end[j]! > end[parent]!) end[parent] = end[j]!;
  }
  return { nodes, position, end };
}

/** A program's nodes in walk order, each one's place in it, and the last place of each one's subtree. */
interface ProgramOrder {
  readonly nodes: readonly TSESTree.Node[];
  readonly position: ReadonlyMap<TSESTree.Node, number>;
  readonly end: Int32Array;
}

const PROGRAM_ORDER = new WeakMap<TSESTree.Program, ProgramOrder>();

/** The order of the program `node` belongs to (its parents lead there once the parser set them), or undefined. */
function programOrderOf(node: TSESTree.Node): ProgramOrder | undefined {
  let at = node;
  while (at.parent !== undefined) at = at.parent;
  if (at.type !== AST_NODE_TYPES.Program) return undefined;
  let order = PROGRAM_ORDER.get(at);
  if (order === undefined) {
    const nodes: TSESTree.Node[] = [];
    walkTree(at, (each) => nodes.push(each));
    order = orderOf(nodes);
    PROGRAM_ORDER.set(at, order);
  }
  return order;
}

function isNode(value: unknown): value is TSESTree.Node {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

/** A program's nodes by type, made by one walk the first time any rule asks: eighteen rules asking for calls walk it once. */
const PROGRAM_INDEX = new WeakMap<TSESTree.Program, Map<AST_NODE_TYPES, TSESTree.Node[]>>();

function programIndex(program: TSESTree.Program): Map<AST_NODE_TYPES, TSESTree.Node[]> {
  let index = PROGRAM_INDEX.get(program);
  if (index === undefined) {
    const built = new Map<AST_NODE_TYPES, TSESTree.Node[]>();
    walk(program, (node) => {
      const list = built.get(node.type);
      if (list === undefined) built.set(node.type, [node]);
      else list.push(node);
    });
    index = built;
    PROGRAM_INDEX.set(program, index);
  }
  return index;
}

/** Every node of `type` in `root`, in source order (a new array each time: the caller may change it). */
export function nodesOfType<T extends AST_NODE_TYPES>(root: TSESTree.Node, type: T): Extract<TSESTree.Node, { type: T }>[] {
  if (root.type === AST_NODE_TYPES.Program) return [...(programIndex(root).get(type) ?? [])] as Extract<TSESTree.Node, { type: T }>[];
  const found: Extract<TSESTree.Node, { type: T }>[] = [];
  walk(root, (node) => {
    if (node.type === type) found.push(node as Extract<TSESTree.Node, { type: T }>);
  });
  return found;
}

export type FunctionNode = TSESTree.FunctionDeclaration | TSESTree.FunctionExpression | TSESTree.ArrowFunctionExpression;

export function isFunction(node: TSESTree.Node): node is FunctionNode {
  return (
    node.type === AST_NODE_TYPES.FunctionDeclaration || node.type === AST_NODE_TYPES.FunctionExpression || node.type === AST_NODE_TYPES.ArrowFunctionExpression
  );
}

/** The innermost function around `node`, or undefined at module level. */
export function enclosingFunction(node: TSESTree.Node): FunctionNode | undefined {
  for (let at = node.parent; at !== undefined; at = at.parent) if (isFunction(at)) return at;
  return undefined;
}

/** The name of a property key or member property when it is written out (`a.b`, `a['b']`, `{ b: 1 }`, `{ 'b': 1 }`). */
export function staticPropertyName(node: TSESTree.Node, computed: boolean): string | undefined {
  if (!computed && node.type === AST_NODE_TYPES.Identifier) return node.name;
  if (node.type === AST_NODE_TYPES.Literal && (typeof node.value === 'string' || typeof node.value === 'number')) return String(node.value);
  if (node.type === AST_NODE_TYPES.TemplateLiteral && node.expressions.length === 0) return node.quasis[0]!.value.cooked ?? undefined;
  return undefined;
}

/** The name of `member.property`, when written out. */
export function memberName(member: TSESTree.MemberExpression): string | undefined {
  return staticPropertyName(member.property, member.computed);
}

/** The value expression of property `name` in an object literal (the last one wins, as at run time); spreads hide nothing we can see. */
export function objectProperty(object: TSESTree.ObjectExpression, name: string): TSESTree.Property | undefined {
  let found: TSESTree.Property | undefined;
  for (const property of object.properties)
    if (property.type === AST_NODE_TYPES.Property && staticPropertyName(property.key, property.computed) === name) found = property;
  return found;
}

/** Whether every property of the object literal is written out (no spread, no computed key): what it holds is fully visible. */
export function isFullyVisible(object: TSESTree.ObjectExpression): boolean {
  return object.properties.every((property) => property.type === AST_NODE_TYPES.Property && staticPropertyName(property.key, property.computed) !== undefined);
}

/** `expression` without the wrappers that do not change its value: parentheses are gone already; `as`, `!`, `satisfies`, `<T>`. */
export function unwrap(expression: TSESTree.Node): TSESTree.Node {
  let at = expression;
  while (
    at.type === AST_NODE_TYPES.TSAsExpression ||
    at.type === AST_NODE_TYPES.TSNonNullExpression ||
    at.type === AST_NODE_TYPES.TSSatisfiesExpression ||
    at.type === AST_NODE_TYPES.TSTypeAssertion ||
    at.type === AST_NODE_TYPES.ChainExpression
  )
    at = at.expression;
  return at;
}

/** The string value of a literal or a template without substitutions. */
export function stringValue(node: TSESTree.Node): string | undefined {
  const at = unwrap(node);
  if (at.type === AST_NODE_TYPES.Literal && typeof at.value === 'string') return at.value;
  if (at.type === AST_NODE_TYPES.TemplateLiteral && at.expressions.length === 0) return at.quasis[0]!.value.cooked ?? undefined;
  return undefined;
}
