/**
 * Constant folding: the one value a name holds when it is assigned once, and the numbers and
 * strings the code spells out from literals, constants and simple operators. authz-url-shell-open
 * folds command strings into their shapes and follows constant options objects and argument arrays;
 * pkce-verifier-format folds byte counts and lengths, through the parameters of local helpers.
 */
import type { Variable } from '@typescript-eslint/scope-manager';
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/typescript-estree';
import { stringValue, unwrap } from './ast.js';
import { declaredVariable } from './names.js';
import type { SourceFile } from './source-file.js';

/** The initialiser of a `const` (or a `let` never written again). */
export function constantInit(file: SourceFile, identifier: TSESTree.Identifier): TSESTree.Node | undefined {
  const variable = declaredVariable(file, identifier);
  const definition = variable?.defs.length === 1 ? variable.defs[0] : undefined;
  if (definition?.node.type !== AST_NODE_TYPES.VariableDeclarator || definition.node.id !== definition.name || definition.node.init === null) return undefined;
  const init = definition.node.init;
  return variable!.references.some((reference) => reference.isWrite() && reference.writeExpr !== init) ? undefined : init;
}

/** How deep an expression is folded (nested calls and variables). */
export const MAX_FOLD_DEPTH = 12;

/** Where a fold is: the file, the arguments bound to the parameters of the call it is inside, how deep it is. */
export interface Fold {
  readonly file: SourceFile;
  /** Parameters of local functions bound to the arguments of the call being folded. */
  readonly bound: ReadonlyMap<Variable, TSESTree.Node>;
  readonly depth: number;
}

/** The one value a name holds: a parameter bound at the call being folded, or a variable assigned once. */
export function initOf(fold: Fold, identifier: TSESTree.Identifier): TSESTree.Node | undefined {
  if (fold.depth > MAX_FOLD_DEPTH) return undefined;
  const variable = declaredVariable(fold.file, identifier);
  if (variable === undefined || variable.defs.length !== 1) return undefined;
  return fold.bound.get(variable) ?? constantInit(fold.file, identifier);
}

/** A number the code spells out: a literal, a constant, simple arithmetic. */
export function foldNumber(fold: Fold, node: TSESTree.Node): number | undefined {
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

/** One alternative of a string built from parts: its leading text and the parts that are not constant. */
export interface Shape {
  readonly lead: string;
  readonly holes: readonly TSESTree.Node[];
}

/** The shapes a string (a command line, say) can take, following constants, conditionals, templates and `+` (bounded). */
export function shapesOf(file: SourceFile, node: TSESTree.Node, depth = 0): Shape[] {
  const at = unwrap(node);
  const text = stringValue(at);
  if (text !== undefined) return [{ lead: text, holes: [] }];
  if (depth > 6) return [{ lead: '', holes: [at] }];
  if (at.type === AST_NODE_TYPES.ConditionalExpression)
    return [...shapesOf(file, at.consequent, depth + 1), ...shapesOf(file, at.alternate, depth + 1)].slice(0, 8);
  if (at.type === AST_NODE_TYPES.Identifier) {
    const init = constantInit(file, at);
    return init === undefined ? [{ lead: '', holes: [at] }] : shapesOf(file, init, depth + 1);
  }
  if (at.type === AST_NODE_TYPES.TemplateLiteral) {
    let shapes: Shape[] = [{ lead: '', holes: [] }];
    at.quasis.forEach((quasi, index) => {
      shapes = shapes.map((shape) => append(shape, { lead: quasi.value.cooked ?? '', holes: [] }));
      const expression = at.expressions[index];
      if (expression !== undefined) shapes = shapes.flatMap((shape) => shapesOf(file, expression, depth + 1).map((part) => append(shape, part))).slice(0, 8);
    });
    return shapes;
  }
  if (at.type === AST_NODE_TYPES.BinaryExpression && at.operator === '+') {
    const right = shapesOf(file, at.right, depth + 1);
    return shapesOf(file, at.left, depth + 1)
      .flatMap((left) => right.map((part) => append(left, part)))
      .slice(0, 8);
  }
  return [{ lead: '', holes: [at] }];
}

/** `shape` followed by `part`: the lead grows only while no hole came before. */
function append(shape: Shape, part: Shape): Shape {
  return shape.holes.length === 0 ? { lead: shape.lead + part.lead, holes: part.holes } : { lead: shape.lead, holes: [...shape.holes, ...part.holes] };
}
