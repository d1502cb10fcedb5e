import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/typescript-estree';
import { memberName, staticPropertyName, stringValue, walk } from './ast.js';
import type { SourceFile } from './source-file.js';

/** A value given a name: the name, the value expression, and the node a finding points at. */
export interface NamedValue {
  readonly name: string;
  readonly value: TSESTree.Node;
  readonly at: TSESTree.Node;
}

/**
 * Every place in `file` where a value gets a name a rule can judge by, in source order:
 * `const verifier = …`, `x.state = …` / `state = …`, `{ nonce: … }`, and the parameter of
 * `params.set('state', …)` / `append(…)` on URLSearchParams, FormData or Headers.
 */
export function namedValues(file: SourceFile): NamedValue[] {
  let found = NAMED_VALUES.get(file);
  if (found === undefined) {
    found = collectNamedValues(file);
    NAMED_VALUES.set(file, found);
  }
  return [...found];
}

/** Each file's named values, found once: most rules start from them. */
const NAMED_VALUES = new WeakMap<SourceFile, NamedValue[]>();

function collectNamedValues(file: SourceFile): NamedValue[] {
  const found: NamedValue[] = [];
  walk(file.program, (node) => {
    if (node.type === AST_NODE_TYPES.VariableDeclarator && node.id.type === AST_NODE_TYPES.Identifier && node.init !== null)
      found.push({ name: node.id.name, value: node.init, at: node.id });
    else if (node.type === AST_NODE_TYPES.AssignmentExpression) {
      const left = node.left;
      const name = left.type === AST_NODE_TYPES.Identifier ? left.name : left.type === AST_NODE_TYPES.MemberExpression ? memberName(left) : undefined;
      if (name !== undefined) found.push({ name, value: node.right, at: left });
    } else if (node.type === AST_NODE_TYPES.Property && node.parent.type === AST_NODE_TYPES.ObjectExpression) {
      const name = staticPropertyName(node.key, node.computed);
      if (name !== undefined) found.push({ name, value: node.value, at: node.key });
    } else if (node.type === AST_NODE_TYPES.CallExpression && node.callee.type === AST_NODE_TYPES.MemberExpression) {
      const method = memberName(node.callee);
      const key = node.arguments[0] === undefined ? undefined : stringValue(node.arguments[0]);
      if ((method === 'set' || method === 'append') && key !== undefined && node.arguments[1] !== undefined)
        found.push({ name: key, value: node.arguments[1], at: node.arguments[1] });
    }
  });
  return found;
}
