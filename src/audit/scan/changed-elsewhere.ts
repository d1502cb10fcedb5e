/**
 * Whether an object a call receives by name is changed after it is built (a property assigned, or
 * the object handed to another call), so the literal it was built from does not show all it holds.
 * Used by jwt-audience-unchecked, which reads a verify call's options only when they are whole.
 */
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/typescript-estree';
import { declaredVariable } from './names.js';
import type { SourceFile } from './source-file.js';

/** `const options = {…}; options.audience = aud;` or `Object.assign(options, …)`: what the object holds is decided elsewhere. */
export function isChangedElsewhere(file: SourceFile, identifier: TSESTree.Identifier, call: TSESTree.CallExpression): boolean {
  const variable = declaredVariable(file, identifier);
  if (variable === undefined) return false;
  return variable.references.some((reference) => {
    const use = reference.identifier;
    const parent = use.parent;
    if (parent === undefined || use === identifier) return false;
    if (parent.type === AST_NODE_TYPES.MemberExpression && parent.object === use) {
      const above = parent.parent;
      return above?.type === AST_NODE_TYPES.AssignmentExpression && above.left === parent;
    }
    return parent.type === AST_NODE_TYPES.CallExpression && parent !== call && parent.arguments.some((argument) => argument === use);
  });
}
