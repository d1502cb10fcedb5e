import { DefinitionType, type Variable } from '@typescript-eslint/scope-manager';
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/typescript-estree';
import { memberName, stringValue, unwrap } from './ast.js';
import type { SourceFile } from './source-file.js';

/**
 * The name a value has wherever it comes from, so a rule asks "is this `Math.random`?" and not
 * "is this text `Math.random`?": a global that is not shadowed keeps its name (`Math.random`),
 * an import becomes `<module>.<export>` (`uuid.v1`, `crypto.randomBytes` for `node:crypto`
 * and `crypto` alike, `jose.jwtVerify`), a default or namespace import is the module's name,
 * `require` is read as an import, and a local alias (`const r = Math.random`) is followed. A
 * local that is none of these has no qualified name (a shadowed `Math` is not `Math`).
 */
export function qualifiedName(file: SourceFile, node: TSESTree.Node, depth = 0): string | undefined {
  const at = unwrap(node);
  if (depth > 8) return undefined;
  if (at.type === AST_NODE_TYPES.Identifier) return identifierName(file, at, depth);
  if (at.type === AST_NODE_TYPES.MemberExpression) {
    const property = memberName(at);
    if (property === undefined) return undefined;
    const object = qualifiedName(file, at.object, depth + 1);
    if (object === undefined) return undefined;
    return GLOBAL_OBJECTS.has(object) ? property : `${object}.${property}`;
  }
  return undefined;
}

/** `window.crypto`, `globalThis.crypto` and `self.crypto` are `crypto`. */
const GLOBAL_OBJECTS = new Set(['window', 'globalThis', 'self', 'global']);

/** `node:crypto` and `crypto` are one module; a subpath keeps its path (`@modelcontextprotocol/sdk/client/auth.js`). */
export function moduleName(source: string): string {
  return source.startsWith('node:') ? source.slice(5) : source;
}

/** The variable an identifier refers to, when it is declared in the file (not a global). */
export function declaredVariable(file: SourceFile, identifier: TSESTree.Identifier): Variable | undefined {
  const variable = file.referenceOf(identifier)?.resolved ?? undefined;
  return variable !== undefined && variable.defs.length > 0 ? variable : undefined;
}

function identifierName(file: SourceFile, identifier: TSESTree.Identifier, depth: number): string | undefined {
  const reference = file.referenceOf(identifier);
  const variable = reference?.resolved ?? undefined;
  // Unresolved, or a library global (`Math`, `crypto`, `Date`) nobody declared: the global.
  if (variable === undefined || variable.defs.length === 0) return reference === undefined ? undefined : identifier.name;
  if (variable.defs.length !== 1) return undefined;
  const definition = variable.defs[0]!;
  if (definition.type === DefinitionType.ImportBinding) {
    const declaration = definition.parent as TSESTree.ImportDeclaration;
    const module = moduleName(declaration.source.value);
    const specifier = definition.node;
    if (specifier.type === AST_NODE_TYPES.ImportSpecifier) {
      const imported = specifier.imported.type === AST_NODE_TYPES.Identifier ? specifier.imported.name : specifier.imported.value;
      return imported === 'default' ? module : `${module}.${imported}`;
    }
    if (specifier.type === AST_NODE_TYPES.TSImportEqualsDeclaration) return undefined;
    return module;
  }
  if (definition.type !== DefinitionType.Variable) return undefined;
  const declarator = definition.node;
  // Written again later: not one value we can name.
  if (variable.references.some((each) => each.isWrite() && each.writeExpr !== declarator.init)) return undefined;
  if (declarator.init === null) return undefined;
  const init = unwrap(declarator.init);
  const required = requiredModule(init);
  if (declarator.id.type === AST_NODE_TYPES.Identifier) {
    if (required !== undefined) return required;
    return qualifiedName(file, init, depth + 1);
  }
  // const { randomBytes } = require('crypto') / = crypto
  if (declarator.id.type === AST_NODE_TYPES.ObjectPattern) {
    const key = patternKeyOf(declarator.id, identifier.name);
    if (key === undefined) return undefined;
    const base = required ?? qualifiedName(file, init, depth + 1);
    return base === undefined ? undefined : `${base}.${key}`;
  }
  return undefined;
}

/** The key a name was destructured from, one level deep (`{ a: b }` gives `a` for `b`). */
function patternKeyOf(pattern: TSESTree.ObjectPattern, name: string): string | undefined {
  for (const property of pattern.properties) {
    if (property.type !== AST_NODE_TYPES.Property) continue;
    const value = property.value.type === AST_NODE_TYPES.AssignmentPattern ? property.value.left : property.value;
    if (value.type === AST_NODE_TYPES.Identifier && value.name === name) {
      if (!property.computed && property.key.type === AST_NODE_TYPES.Identifier) return property.key.name;
      return stringValue(property.key);
    }
  }
  return undefined;
}

/** The module of `require('m')` or `await import('m')`. */
export function requiredModule(node: TSESTree.Node): string | undefined {
  let at = unwrap(node);
  if (at.type === AST_NODE_TYPES.AwaitExpression) at = unwrap(at.argument);
  if (at.type === AST_NODE_TYPES.ImportExpression) {
    const source = stringValue(at.source);
    return source === undefined ? undefined : moduleName(source);
  }
  if (at.type === AST_NODE_TYPES.CallExpression && at.callee.type === AST_NODE_TYPES.Identifier && at.callee.name === 'require' && at.arguments.length === 1) {
    const source = stringValue(at.arguments[0]!);
    return source === undefined ? undefined : moduleName(source);
  }
  return undefined;
}

/** The qualified name of what a call calls (`crypto.randomBytes` for `randomBytes(32)` imported from `node:crypto`). */
export function calleeName(file: SourceFile, call: TSESTree.CallExpression | TSESTree.NewExpression): string | undefined {
  return qualifiedName(file, call.callee);
}
