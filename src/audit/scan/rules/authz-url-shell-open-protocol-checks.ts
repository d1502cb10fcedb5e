/**
 * authz-url-shell-open's `https:` allowlist checks: every check of a URL's scheme in a module, and
 * its validating helpers' calls, keyed by the value they are about, so a URL checked before it
 * reaches a shell is not a finding.
 */
import type { Variable } from '@typescript-eslint/scope-manager';
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/typescript-estree';
import { enclosingFunction, type FunctionNode, memberName, stringValue, unwrap, walk } from '../ast.js';
import { callSitesOf } from '../call-sites.js';
import { constantInit } from '../constant-fold.js';
import { calleeName, declaredVariable } from '../names.js';
import type { SourceFile } from '../source-file.js';

/** A number per variable, for {@link keyOf}. */
const variableIds = new Map<Variable, number>();

function variableKey(variable: Variable): string {
  if (!variableIds.has(variable)) variableIds.set(variable, variableIds.size);
  return `#${variableIds.get(variable)}`;
}

/** A key for "the same value": a variable, or a variable's property path (`metadata.authorization_endpoint`). */
export function keyOf(file: SourceFile, node: TSESTree.Node): string | undefined {
  const at = unwrap(node);
  if (at.type === AST_NODE_TYPES.Identifier) {
    const variable = declaredVariable(file, at);
    return variable === undefined ? undefined : variableKey(variable);
  }
  if (at.type === AST_NODE_TYPES.MemberExpression) {
    const object = keyOf(file, at.object);
    const property = memberName(at);
    return object === undefined || property === undefined ? undefined : `${object}.${property}`;
  }
  return undefined;
}

/** Whether a scheme literal names only https: or http: (an allowlist, not a denylist of `javascript:`). */
function isWebScheme(node: TSESTree.Node): boolean {
  const text = stringValue(node);
  return text === 'https:' || text === 'http:' || text === 'https' || text === 'http';
}

/** A scheme allowlist check: the keys of the values it is about, and where it is. */
interface ProtocolCheck {
  readonly keys: readonly string[];
  readonly at: TSESTree.Node;
}

const checksByFile = new WeakMap<SourceFile, readonly ProtocolCheck[]>();

/**
 * Every scheme allowlist check in the file: `new URL(u).protocol === 'https:'`,
 * `parsed.protocol !== 'https:'`, `ALLOWED.has(url.protocol)`, `['https:', 'http:'].includes(url.protocol)`,
 * `switch (url.protocol)`, `u.startsWith('https://')`. A URL parsed from a value counts for that value too.
 */
function protocolChecks(file: SourceFile): readonly ProtocolCheck[] {
  const cached = checksByFile.get(file);
  if (cached !== undefined) return cached;
  const checks: ProtocolCheck[] = [];
  const add = (subject: TSESTree.Node, at: TSESTree.Node) => {
    const keys = subjectsOf(file, subject).flatMap((each) => keyOf(file, each) ?? []);
    if (keys.length > 0) checks.push({ keys, at });
  };
  walk(file.program, (node) => {
    if (node.type === AST_NODE_TYPES.BinaryExpression && ['===', '!==', '==', '!='].includes(node.operator)) {
      const [protocol, scheme] = isProtocol(node.left) ? [node.left, node.right] : [node.right, node.left];
      if (isProtocol(protocol) && isWebScheme(scheme)) add((unwrap(protocol) as TSESTree.MemberExpression).object, node);
    } else if (node.type === AST_NODE_TYPES.CallExpression && node.callee.type === AST_NODE_TYPES.MemberExpression) {
      const method = memberName(node.callee);
      const argument = node.arguments[0];
      if ((method === 'includes' || method === 'has') && argument !== undefined && isProtocol(argument))
        add((unwrap(argument) as TSESTree.MemberExpression).object, node);
      else if (method === 'startsWith' && argument !== undefined && /^https?:\/\//.test(stringValue(argument) ?? '')) add(node.callee.object, node);
    } else if (node.type === AST_NODE_TYPES.SwitchStatement && isProtocol(node.discriminant))
      add((unwrap(node.discriminant) as TSESTree.MemberExpression).object, node);
  });
  checks.push(...guardCalls(file, checks));
  checksByFile.set(file, checks);
  return checks;
}

/**
 * Calls, as statements, of this module's validators: `validateUrl(u)` where `validateUrl` checks
 * the scheme of its parameter (and throws), so `u` is checked from that call on.
 */
function guardCalls(file: SourceFile, checks: readonly ProtocolCheck[]): ProtocolCheck[] {
  const guards: ProtocolCheck[] = [];
  const validators = new Set<FunctionNode>();
  for (const check of checks) {
    const fn = enclosingFunction(check.at);
    if (fn !== undefined) validators.add(fn);
  }
  for (const fn of validators) {
    const inside = checks.filter((check) => enclosingFunction(check.at) === fn).flatMap((check) => check.keys);
    fn.params.forEach((param, index) => {
      const name = param.type === AST_NODE_TYPES.AssignmentPattern ? param.left : param;
      const variable = file.scopes.getDeclaredVariables(fn).find((each) => each.defs.some((definition) => definition.name === name));
      if (variable === undefined || !inside.includes(variableKey(variable))) return;
      for (const site of callSitesOf(file, fn)) {
        const statement = site.parent.type === AST_NODE_TYPES.AwaitExpression ? site.parent.parent : site.parent;
        const argument = site.arguments[index];
        if (statement?.type !== AST_NODE_TYPES.ExpressionStatement || argument === undefined) continue;
        const key = keyOf(file, argument);
        if (key !== undefined) guards.push({ keys: [key], at: site });
      }
    });
  }
  return guards;
}

/**
 * The values checked before `sink`: a check in the sink's own function must come first; one in
 * another function (a validating helper) counts wherever it is.
 * @see MCP security best practices, "OAuth authorization URL validation"
 */
export function checkedValues(file: SourceFile, sink: TSESTree.Node): Set<string> {
  const sinkFunction = enclosingFunction(sink);
  const keys = new Set<string>();
  for (const check of protocolChecks(file))
    if (enclosingFunction(check.at) !== sinkFunction || check.at.range[0] < sink.range[0]) for (const key of check.keys) keys.add(key);
  return keys;
}

function isProtocol(node: TSESTree.Node): boolean {
  const at = unwrap(node);
  return at.type === AST_NODE_TYPES.MemberExpression && memberName(at) === 'protocol';
}

/** What a protocol check is about: `parsed` and, when `parsed = new URL(u)`, `u` too; `new URL(u).protocol` is about `u`. */
function subjectsOf(file: SourceFile, subject: TSESTree.Node): TSESTree.Node[] {
  const at = unwrap(subject);
  if (at.type === AST_NODE_TYPES.NewExpression && calleeName(file, at) === 'URL') return at.arguments[0] === undefined ? [] : [at.arguments[0]];
  if (at.type === AST_NODE_TYPES.Identifier) {
    const init = constantInit(file, at);
    const parsed = init === undefined ? undefined : unwrap(init);
    if (parsed?.type === AST_NODE_TYPES.NewExpression && calleeName(file, parsed) === 'URL' && parsed.arguments[0] !== undefined)
      return [at, parsed.arguments[0]];
  }
  return [at];
}
