/**
 * What cookie-flags knows of one cookie a server sets (its names and attributes), and the
 * attributes an options object gives (`{ httpOnly, secure, sameSite, maxAge, … }`). Used by the
 * rule, by its cookie library calls and by its `Set-Cookie` header reading.
 */
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/typescript-estree';
import { isFullyVisible, objectProperty, stringValue, unwrap } from '../ast.js';
import { originsOf } from '../provenance.js';
import type { SourceFile } from '../source-file.js';

export type Flag = 'HttpOnly' | 'Secure' | 'SameSite';

/** What a cookie's attributes say, each flag `set` (any value we cannot see counts as set), `missing`, or `unknown`. */
export interface Attributes {
  readonly flags: Readonly<Record<Flag, 'set' | 'missing' | 'unknown'>>;
  /** Max-Age ≤ 0 or an Expires in 1970: the cookie is being cleared. */
  readonly clears: boolean;
  /** Secure is literally on, no Domain, Path absent or `/`: the `__Host-` prefix would fit. */
  readonly hostPrefixFits: boolean;
}

/** One place a server sets a cookie: the call or header string, the names the cookie can have, and its attributes. */
export interface CookieSet {
  readonly node: TSESTree.Node;
  readonly names: readonly string[];
  /** The name when it is one literal we see whole (the `__Host-` prefix is judged only then). */
  readonly literalName: string | undefined;
  readonly attributes: Attributes | undefined;
}

/** The attributes an options argument gives, or undefined when it is built where we cannot see. */
export function optionAttributes(file: SourceFile, options: TSESTree.Node | undefined, defaults: Partial<Record<Flag, 'set'>>): Attributes | undefined {
  if (options === undefined) return objectAttributes(undefined, defaults);
  const origins = originsOf(file, options);
  if (origins.length === 0) return undefined;
  const each: Attributes[] = [];
  for (const origin of origins) {
    if (origin.kind !== 'literal' || origin.node.type !== AST_NODE_TYPES.ObjectExpression) return undefined;
    each.push(objectAttributes(origin.node, defaults));
  }
  // Several objects (`dev ? a : b`): a flag is missing only when every one lacks it.
  const flag = (name: Flag) =>
    each.every((one) => one.flags[name] === 'missing') ? 'missing' : each.some((one) => one.flags[name] === 'unknown') ? 'unknown' : 'set';
  return {
    flags: { HttpOnly: flag('HttpOnly'), Secure: flag('Secure'), SameSite: flag('SameSite') },
    clears: each.every((one) => one.clears),
    hostPrefixFits: each.every((one) => one.hostPrefixFits),
  };
}

/** The options keys of each flag across express, hono, fastify, koa, next and `cookie`. */
const FLAG_KEYS: Readonly<Record<Flag, string>> = { HttpOnly: 'httpOnly', Secure: 'secure', SameSite: 'sameSite' };

export function objectAttributes(object: TSESTree.ObjectExpression | undefined, defaults: Partial<Record<Flag, 'set'>>): Attributes {
  const visible = object === undefined || isFullyVisible(object);
  const state = (flag: Flag): 'set' | 'missing' | 'unknown' => {
    const property = object === undefined ? undefined : objectProperty(object, FLAG_KEYS[flag]);
    if (property === undefined) return defaults[flag] ?? (visible ? 'missing' : 'unknown');
    return isOff(property.value) ? 'missing' : 'set';
  };
  // hono's `prefix: 'host' | 'secure'` names the cookie `__Host-`/`__Secure-` and makes it Secure.
  const prefix = object === undefined ? undefined : objectProperty(object, 'prefix');
  const prefixed = prefix !== undefined && ['host', 'secure'].includes(stringValue(prefix.value) ?? '');
  const maxAge = object === undefined ? undefined : objectProperty(object, 'maxAge');
  const expires = object === undefined ? undefined : objectProperty(object, 'expires');
  const path = object === undefined ? undefined : objectProperty(object, 'path');
  const secure = object === undefined ? undefined : objectProperty(object, 'secure');
  return {
    flags: { HttpOnly: state('HttpOnly'), Secure: prefixed ? 'set' : state('Secure'), SameSite: state('SameSite') },
    clears: (maxAge !== undefined && isNotPositive(maxAge.value)) || (expires !== undefined && isEpoch(expires.value)),
    hostPrefixFits:
      !prefixed &&
      visible &&
      object !== undefined &&
      secure !== undefined &&
      isTrue(secure.value) &&
      objectProperty(object, 'domain') === undefined &&
      (path === undefined || stringValue(path.value) === '/'),
  };
}

/** `false`, `undefined`, `null`: the flag is off. Any other expression may turn it on, so it counts as set. */
function isOff(node: TSESTree.Node): boolean {
  const at = unwrap(node);
  if (at.type === AST_NODE_TYPES.Identifier) return at.name === 'undefined';
  return at.type === AST_NODE_TYPES.Literal && (at.value === false || at.value === null);
}

function isTrue(node: TSESTree.Node): boolean {
  const at = unwrap(node);
  return at.type === AST_NODE_TYPES.Literal && at.value === true;
}

function isNotPositive(node: TSESTree.Node): boolean {
  const at = unwrap(node);
  if (at.type === AST_NODE_TYPES.Literal) return typeof at.value === 'number' && at.value <= 0;
  return at.type === AST_NODE_TYPES.UnaryExpression && at.operator === '-';
}

/** `new Date(0)`, `new Date(1)`, `new Date('Thu, 01 Jan 1970 00:00:00 GMT')`. */
function isEpoch(node: TSESTree.Node): boolean {
  const at = unwrap(node);
  if (at.type !== AST_NODE_TYPES.NewExpression || at.arguments.length !== 1) return false;
  const argument = unwrap(at.arguments[0]!);
  if (argument.type === AST_NODE_TYPES.Literal && typeof argument.value === 'number') return argument.value < 86_400_000;
  return /1970/.test(stringValue(argument) ?? '');
}
