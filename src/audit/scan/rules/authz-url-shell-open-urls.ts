/**
 * What authz-url-shell-open knows of a URL value: whether the code writes it (a literal, `new
 * URL(literal)`, the user's own environment) and whether it is named as the authorization URL.
 * Used by its sinks (which parts of a command are the URL) and by its judgement of where a URL came from.
 */
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/typescript-estree';
import { memberName, unwrap } from '../ast.js';
import { calleeName } from '../names.js';
import { type Origin, originsOf } from '../provenance.js';
import type { SourceFile } from '../source-file.js';

/**
 * Names of a value that came from the authorization server or is the authorization URL: metadata
 * fields (`authorization_endpoint`, a challenge's `resource_metadata`) and the names people give the
 * URL built from them (`authorizationUrl`, the MCP SDK's `redirectToAuthorization` argument).
 */
export const AUTHORIZATION_NAME = /authori[sz]ation_?endpoint|resource_?metadata|authori[sz](ation|e)_?ur[li]|^auth_?ur[li]$|login_?ur[li]|_endpoint$/i;

/** The name a value goes by: a variable, a property (through `.href` and `.toString()`), a called function. */
export function nameOf(node: TSESTree.Node): string | undefined {
  const at = unwrap(node);
  if (at.type === AST_NODE_TYPES.Identifier) return at.name;
  if (at.type === AST_NODE_TYPES.MemberExpression) {
    const name = memberName(at);
    return name === 'href' || name === 'toString' ? nameOf(at.object) : name;
  }
  if (at.type === AST_NODE_TYPES.CallExpression) return nameOf(at.callee);
  return undefined;
}

/** A value every origin of which is written in the code: a literal, or a URL built from literals (`new URL('/authorize', 'https://as')`). */
export function isConstant(file: SourceFile, node: TSESTree.Node): boolean {
  const origins = originsOf(file, node);
  return origins.length > 0 && origins.every((origin) => constantOrigin(file, origin));
}

/** Whether one origin of a value is written in the code or is the user's own environment, not the server's. */
export function constantOrigin(file: SourceFile, origin: Origin): boolean {
  if (origin.kind === 'literal') return true;
  // The user's own settings and command line, not the server's: `open(process.env.APP_URL)`.
  if (origin.kind === 'read' && /^process\.(platform|env|argv)\b/.test(origin.path)) return true;
  // `new URL(literal)`, read as a whole or by a property (`.href`); its query may be set later, but its scheme and host are fixed.
  const node = origin.node;
  if ((origin.kind === 'call' || origin.kind === 'read') && node.type === AST_NODE_TYPES.NewExpression && calleeName(file, node) === 'URL')
    return node.arguments.every((argument) => argument.type !== AST_NODE_TYPES.SpreadElement && isConstant(file, argument));
  return false;
}
