/**
 * A local function's call sites in its module, so a rule can follow a parameter to the values its
 * callers pass. authz-url-shell-open judges a URL parameter by them and counts a validating helper's
 * calls as checks of their arguments.
 */
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/typescript-estree';
import type { FunctionNode } from './ast.js';
import type { SourceFile } from './source-file.js';

/** The local functions' call sites, so a parameter can be judged by what this module passes it. */
export function callSitesOf(file: SourceFile, fn: FunctionNode): TSESTree.CallExpression[] {
  const declared =
    fn.type === AST_NODE_TYPES.FunctionDeclaration
      ? fn.id
      : fn.parent.type === AST_NODE_TYPES.VariableDeclarator && fn.parent.id.type === AST_NODE_TYPES.Identifier
        ? fn.parent.id
        : null;
  if (declared === null || declared === undefined) return [];
  const variable = file.scopes
    .getDeclaredVariables(fn.type === AST_NODE_TYPES.FunctionDeclaration ? fn : fn.parent)
    .find((each) => each.name === declared.name);
  if (variable === undefined) return [];
  return variable.references.flatMap((reference) => {
    const parent = reference.identifier.parent;
    return parent?.type === AST_NODE_TYPES.CallExpression && parent.callee === reference.identifier ? [parent] : [];
  });
}
