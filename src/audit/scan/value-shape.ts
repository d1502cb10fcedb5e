/**
 * Whether a value is a list or a string, read from its literal, its declared type or its name, so a
 * rule can tell exact membership (`registered.includes(uri)` on a list) from a substring search on a
 * string. Also `writtenName`, the name an expression is written with, by which the shape is guessed
 * last. Used by redirect-uri-loose-match.
 */
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/typescript-estree';
import { memberName, stringValue, unwrap } from './ast.js';
import { declaredVariable } from './names.js';
import { originsOf } from './provenance.js';
import type { SourceFile } from './source-file.js';

/** The name an expression is written with (`redirect_uri` in `req.query.redirect_uri`). */
export function writtenName(expression: TSESTree.Node): string | undefined {
  const at = unwrap(expression);
  if (at.type === AST_NODE_TYPES.Identifier) return at.name;
  if (at.type === AST_NODE_TYPES.MemberExpression) return memberName(at);
  return undefined;
}

/** How a value is known to be a list or a string: its literal shape, its type annotation, or its name. */
export function shapeOf(file: SourceFile, expression: TSESTree.Node): 'list' | 'string' | undefined {
  const at = unwrap(expression);
  if (at.type === AST_NODE_TYPES.ArrayExpression) return 'list';
  if (at.type === AST_NODE_TYPES.CallExpression && at.callee.type === AST_NODE_TYPES.MemberExpression) {
    const method = memberName(at.callee);
    if (method === 'join') return 'string';
    if (['split', 'map', 'filter', 'concat', 'flat', 'flatMap'].includes(method ?? '')) return 'list';
  }
  if (at.type === AST_NODE_TYPES.Identifier) {
    const annotated = annotationOf(file, at);
    if (annotated !== undefined) return annotated;
  }
  for (const origin of originsOf(file, at)) {
    if (
      origin.trail.some(
        (node) => node.type === AST_NODE_TYPES.CallExpression && node.callee.type === AST_NODE_TYPES.MemberExpression && memberName(node.callee) === 'join',
      )
    )
      return 'string';
    if (origin.kind === 'literal' && origin.node.type === AST_NODE_TYPES.ArrayExpression) return 'list';
    if (origin.kind === 'literal' && stringValue(origin.node) !== undefined) return 'string';
  }
  const name = writtenName(at);
  if (name === undefined) return undefined;
  if (/(s|list|array|set)$/i.test(name)) return 'list';
  if (/(ur[il]|redirect|origin|host|domain|prefix|base)$/i.test(name)) return 'string';
  return undefined;
}

/** The shape a declared type gives: `string[]`, `Array<string>`, `Set<…>` are lists, `string` is a string. */
function annotationOf(file: SourceFile, identifier: TSESTree.Identifier): 'list' | 'string' | undefined {
  const variable = declaredVariable(file, identifier);
  const name = variable?.defs[0]?.name;
  const annotation = name !== undefined && 'typeAnnotation' in name ? name.typeAnnotation?.typeAnnotation : undefined;
  if (annotation === undefined) return undefined;
  if (annotation.type === AST_NODE_TYPES.TSArrayType || annotation.type === AST_NODE_TYPES.TSTupleType) return 'list';
  if (annotation.type === AST_NODE_TYPES.TSTypeOperator && annotation.typeAnnotation?.type === AST_NODE_TYPES.TSArrayType) return 'list';
  if (annotation.type === AST_NODE_TYPES.TSTypeReference && annotation.typeName.type === AST_NODE_TYPES.Identifier)
    return ['Array', 'ReadonlyArray', 'Set', 'ReadonlySet'].includes(annotation.typeName.name) ? 'list' : undefined;
  if (annotation.type === AST_NODE_TYPES.TSStringKeyword) return 'string';
  return undefined;
}
