/**
 * How jwt-audience-unchecked sees an audience check: whether a verify call's options set `audience`,
 * and whether a function reads the token's `aud` at all. Used by the rule and by its MCP SDK part.
 */
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/typescript-estree';
import { isFullyVisible, isFunction, memberName, objectProperty, staticPropertyName, unwrap, walk } from '../ast.js';
import { isChangedElsewhere } from '../changed-elsewhere.js';
import { type Origin, originsOf } from '../provenance.js';
import type { SourceFile } from '../source-file.js';

type AudienceOption = 'present' | 'missing' | 'unknown';

/** Whether `options` (the verify call's options argument) sets `audience`, visibly lacks it, or is built where we cannot see. */
export function audienceOption(file: SourceFile, options: TSESTree.Node | undefined, call: TSESTree.CallExpression): AudienceOption {
  if (options === undefined) return 'missing';
  const at = unwrap(options);
  // jsonwebtoken's `verify(token, key, callback)`: no options.
  if (isFunction(at)) return 'missing';
  if (at.type === AST_NODE_TYPES.Identifier && isChangedElsewhere(file, at, call)) return 'unknown';
  const origins = originsOf(file, at);
  if (origins.length === 0) return 'unknown';
  const each = origins.map(audienceIn);
  if (each.includes('unknown')) return 'unknown';
  return each.every((one) => one === 'missing') ? 'missing' : 'present';
}

function audienceIn(origin: Origin): AudienceOption {
  if (origin.kind !== 'literal' || origin.node.type !== AST_NODE_TYPES.ObjectExpression) return 'unknown';
  const property = objectProperty(origin.node, 'audience');
  if (property === undefined) return isFullyVisible(origin.node) ? 'missing' : 'unknown';
  const value = unwrap(property.value);
  const nothing = (value.type === AST_NODE_TYPES.Identifier && value.name === 'undefined') || (value.type === AST_NODE_TYPES.Literal && value.value === null);
  return nothing ? 'missing' : 'present';
}

/**
 * Whether `scope` reads the token's audience at all: `payload.aud`, `{ aud } = payload`, a name
 * with `audience` in it (`expectedAudience`, `{ audience }` handed to a helper). A function that
 * reads `aud` compares it, or gives it to a caller or a check that does; we do not follow further.
 */
export function readsAudience(scope: TSESTree.Node, options?: TSESTree.Node): boolean {
  let reads = false;
  walk(scope, (node) => {
    // `{ audience: undefined }` in the verify call's own options reads nothing.
    if (reads || (options !== undefined && isWithin(node, options))) return;
    if (node.type === AST_NODE_TYPES.MemberExpression && isAudienceName(memberName(node))) reads = true;
    else if (node.type === AST_NODE_TYPES.Property && isAudienceName(staticPropertyName(node.key, node.computed))) reads = true;
    else if (node.type === AST_NODE_TYPES.Identifier && /audience/i.test(node.name)) reads = true;
  });
  return reads;
}

function isWithin(node: TSESTree.Node, ancestor: TSESTree.Node): boolean {
  for (let at: TSESTree.Node | undefined = node; at !== undefined; at = at.parent) if (at === ancestor) return true;
  return false;
}

function isAudienceName(name: string | undefined): boolean {
  return name === 'aud' || (name !== undefined && /audience/i.test(name));
}
