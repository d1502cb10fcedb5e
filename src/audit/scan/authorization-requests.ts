/**
 * The code-flow authorization requests a file builds, by hand (a parameters object,
 * URLSearchParams, a `searchParams.set` chain or a URL template asking for `response_type=code`)
 * or through a cataloged library call, and whether each visibly sends PKCE, `state` and `nonce`.
 * Used by the rules pkce-missing, oauth-state-missing and oauth-state-unchecked.
 */
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/typescript-estree';
import { memberName, stringValue, walk } from './ast.js';
import { concatParts, isStringPiece, ParameterTrace } from './authorization-requests-trace.js';
import { AUTH_JS } from './oauth-libraries/named-calls.js';
import { type AuthorizationRequestEntry, keyName, libraryCall, type ParameterVerdict, placementVerdict } from './oauth-libraries.js';
import { originsOf } from './provenance.js';
import type { SourceFile } from './source-file.js';

/**
 * A code-flow authorization request visible in a file: a parameters object, URLSearchParams,
 * `searchParams.set` chain or URL template that asks for `response_type=code`, or a cataloged
 * library call that builds one; and what it visibly sends. `unknown` means part of it is built
 * where this file does not show (another function, a spread, a value passed out).
 */
export interface AuthorizationRequest {
  /** Where a finding points: the parameters object, the `set('response_type', …)` call, the template, or the library call. */
  readonly node: TSESTree.Node;
  /** The library call that builds it, when one does. */
  readonly library?: AuthorizationRequestEntry;
  readonly pkce: ParameterVerdict;
  readonly state: ParameterVerdict;
  /** An OpenID Connect `nonce` is sent (it protects the ID token, not the code). */
  readonly nonce: boolean;
}

const REQUESTS = new WeakMap<SourceFile, readonly AuthorizationRequest[]>();

/** Every code-flow authorization request in `file` (computed once per file). */
export function authorizationRequests(file: SourceFile): readonly AuthorizationRequest[] {
  const cached = REQUESTS.get(file);
  if (cached !== undefined) return cached;
  const found: AuthorizationRequest[] = [];
  const claimed = new Set<object>();
  const calls: (TSESTree.CallExpression | TSESTree.NewExpression)[] = [];
  const seeds: { node: TSESTree.Node; trace: (trace: ParameterTrace) => void }[] = [];
  walk(file.program, (node) => {
    if (node.type === AST_NODE_TYPES.CallExpression || node.type === AST_NODE_TYPES.NewExpression) calls.push(node);
    const seed = requestSeed(file, node);
    if (seed !== undefined) seeds.push({ node, trace: seed });
  });
  for (const call of calls) {
    const known = libraryCall(file, call);
    if (known?.kind !== 'authorization-request') continue;
    const { entry } = known;
    let keys: ReadonlySet<string> | undefined;
    const keysOf = (argument: TSESTree.Node) => {
      const trace = new ParameterTrace(file);
      trace.value(argument);
      for (const root of trace.roots) claimed.add(root);
      keys = trace.visible ? trace.keys : undefined;
      return keys;
    };
    const pkce = placementVerdict(call, entry.pkce, keysOf);
    const state = placementVerdict(call, entry.state, keysOf);
    const nonce =
      entry === AUTH_JS
        ? placementVerdict(call, { by: 'checks', argument: 0, value: 'nonce', whenAbsent: 'absent' }, keysOf) === 'sent'
        : (keys?.has('nonce') ?? false);
    found.push({ node: call, library: entry, pkce, state, nonce });
  }
  for (const seed of seeds) {
    const trace = new ParameterTrace(file);
    seed.trace(trace);
    if ([...trace.roots].some((root) => claimed.has(root))) continue;
    for (const root of trace.roots) claimed.add(root);
    if (!trace.sent) continue;
    const verdict = (name: string): ParameterVerdict => (trace.keys.has(name) ? 'sent' : trace.visible ? 'absent' : 'unknown');
    found.push({ node: seed.node, pkce: verdict('code_challenge'), state: verdict('state'), nonce: trace.keys.has('nonce') });
  }
  found.sort((a, b) => a.node.range[0] - b.node.range[0]);
  REQUESTS.set(file, found);
  return found;
}

/** `response_type` asks for an authorization code (`code`, or a hybrid `code id_token`). */
function asksForCode(file: SourceFile, value: TSESTree.Node): boolean {
  const origins = originsOf(file, value);
  return (
    origins.length > 0 &&
    origins.every((origin) => {
      const text = origin.kind === 'literal' ? stringValue(origin.node) : undefined;
      return text?.split(/[\s+]|%20/).includes('code') === true;
    })
  );
}

/** A URL or query text that asks for a code: `…?response_type=code&…`. */
const CODE_IN_QUERY = /(^|[?&])response_type=code(&|$|%20|\+)/;

/** How to trace the request `node` starts, if it starts one. */
function requestSeed(file: SourceFile, node: TSESTree.Node): ((trace: ParameterTrace) => void) | undefined {
  if (node.type === AST_NODE_TYPES.ObjectExpression) {
    const property = node.properties.find(
      (each) => each.type === AST_NODE_TYPES.Property && keyName(each) === 'response_type' && asksForCode(file, each.value),
    ) as TSESTree.Property | undefined;
    return property === undefined ? undefined : (trace) => trace.value(node);
  }
  if (node.type === AST_NODE_TYPES.CallExpression && node.callee.type === AST_NODE_TYPES.MemberExpression) {
    const method = memberName(node.callee);
    const [key, value] = node.arguments;
    if (
      (method === 'set' || method === 'append') &&
      key !== undefined &&
      value !== undefined &&
      stringValue(key) === 'response_type' &&
      asksForCode(file, value)
    ) {
      const receiver = node.callee.object;
      return (trace) => trace.receiver(receiver);
    }
    return undefined;
  }
  if (isStringPiece(node) && !isStringPiece(node.parent)) {
    const parts = concatParts(node);
    if (parts.every((part) => typeof part !== 'string') || !CODE_IN_QUERY.test(parts.map((part) => (typeof part === 'string' ? part : '\u0000')).join('')))
      return undefined;
    return (trace) => trace.text(node);
  }
  return undefined;
}
