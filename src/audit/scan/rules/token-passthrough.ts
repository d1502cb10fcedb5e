import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/typescript-estree';
import { mcpAuth, mcpSecurity } from '../../catalogue/spec.js';
import { enclosingFunction, memberName, objectProperty, stringValue, unwrap, walk } from '../ast.js';
import { calleeName, declaredVariable } from '../names.js';
import { type Origin, originsOf } from '../provenance.js';
import type { RuleMatch, ScanRule } from '../scan-rule.js';
import type { SourceFile } from '../source-file.js';
import { revealed, type TokenSource, tokenSourcesOf } from '../token-sources.js';

/** HTTP verbs as client methods (`axios.post`, `got.get`, `ky.put`). */
const VERBS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options']);

/** Verbs whose second argument is the body and third the options (axios). */
const BODY_VERBS = new Set(['post', 'put', 'patch']);

/** Clients whose calls take `(url, options)` or `(options)`: the options' `headers` is what is sent. */
const CLIENTS = new Set(['axios', 'got', 'ky', 'ofetch', 'undici', 'superagent', 'node-fetch', 'cross-fetch', 'isomorphic-fetch']);

/** The names an allowlist of upstreams goes by: `allowedUpstreams.has(target.origin)`. */
const ALLOWLIST = /allow|trusted|permitted|whitelist|upstreams/i;

/**
 * token-passthrough: the bearer token a server received (the request's `Authorization` header,
 * its headers as a whole, the MCP SDK's `authInfo.token`) sent on in the headers of an outgoing
 * HTTP request (`fetch`, `fetch(new Request(…))`, undici, axios, got, ky, `http(s).request`). A token is
 * issued for one audience; forwarding it makes this server a confused deputy and lets whoever
 * receives it replay it here (the MCP "token passthrough" anti-pattern).
 * Not reported: a token the server obtained itself (a client-credentials or exchanged token: not
 * inbound); the inbound token in a request body (RFC 8693 `subject_token` to a token endpoint,
 * RFC 7662 `token` to an introspection endpoint: both are how the token should be used); the
 * request's headers copied after `delete headers.authorization` (or `headers.delete(…)`); and a
 * reverse proxy that sends to an upstream it checked against an allowlist in the same function
 * (`if (!allowedUpstreams.has(target.origin)) …`), the configuration of a gateway in front of its
 * own resource server, where the upstream is the token's audience.
 * @see MCP authorization, "Access Token Privilege Restriction"; MCP security best practices, "Token Passthrough"; CWE-441
 */
export const TOKEN_PASSTHROUGH: ScanRule = {
  id: 'token-passthrough',
  title: 'The inbound bearer token forwarded to another service',
  severity: 'high',
  cwe: ['CWE-441'],
  spec: [mcpAuth('privilege-restriction'), mcpSecurity('token-passthrough'), mcpAuth('confused-deputy')],
  precision: 'high',
  why: 'A token is issued for this server; forwarding it lets the downstream service replay it here and bypasses audience, rate-limit and audit controls (the MCP token passthrough anti-pattern).',
  fix: "Call the downstream service with a token of its own: an RFC 8693 token exchange, or the server's own client-credentials token; never the caller's Authorization header.",
  tags: ['oauth', 'mcp', 'tokens'],
  *find(file: SourceFile): Generator<RuleMatch> {
    const found: RuleMatch[] = [];
    walk(file.program, (node) => {
      if (node.type !== AST_NODE_TYPES.CallExpression && node.type !== AST_NODE_TYPES.NewExpression) return;
      const request = outgoingRequest(file, node);
      if (request === undefined) return;
      const forwarded = request.headers.flatMap((headers) => inboundIn(file, headers));
      if (forwarded.length === 0 || checksAllowlist(file, node, request.target)) return;
      const { source, header } = forwarded[0]!;
      const into = header === undefined ? 'its headers' : `the ${header} header`;
      found.push({
        node,
        message: `${request.client} sends ${source.what} this server received in ${into}: the caller's token goes to another service (token passthrough).`,
        flow: [...source.origin.trail].reverse(),
      });
    });
    yield* found;
  },
};

interface OutgoingRequest {
  /** `fetch`, `axios.post`, `https.request`. */
  readonly client: string;
  /** The URL argument, when there is one. */
  readonly target: TSESTree.Node | undefined;
  /** The expressions sent as headers. */
  readonly headers: readonly TSESTree.Node[];
}

/** The outgoing HTTP request `call` makes, if it makes one, with what it sends as headers. */
function outgoingRequest(file: SourceFile, call: TSESTree.CallExpression | TSESTree.NewExpression): OutgoingRequest | undefined {
  const name = calleeName(file, call) ?? instanceMethod(file, call);
  if (name === undefined) return undefined;
  const args = call.arguments.map((argument) => (argument.type === AST_NODE_TYPES.SpreadElement ? argument.argument : argument));
  const parts = name.split('.');
  const module = parts[0]!;
  const method = parts.length > 1 ? parts.at(-1)! : undefined;
  const optionsAt = (index: number): OutgoingRequest => ({ client: name, target: index === 0 ? undefined : args[0], headers: headersOf(file, args[index]) });
  // `new Request(…)` alone sends nothing (Auth.js rebuilds one for an in-process handler); `fetch(new Request(url, init))` does.
  if (name === 'fetch' || name === 'undici.fetch' || name === 'undici.request' || (CLIENTS.has(module) && method === undefined)) {
    if (args.length !== 1) return optionsAt(1);
    const built = originsOf(file, args[0]!).find((origin) => origin.kind === 'call' && origin.name === 'Request');
    return built?.kind === 'call' ? { client: name, target: built.node.arguments[0], headers: headersOf(file, built.node.arguments[1]) } : optionsAt(0);
  }
  if ((module === 'http' || module === 'https') && (method === 'request' || method === 'get'))
    return { client: name, target: args[0], headers: [...headersOf(file, args[0]), ...headersOf(file, args[1])] };
  if (CLIENTS.has(module) && method !== undefined) {
    if (method === 'create' || method === 'extend' || method === 'request') return optionsAt(0);
    if (VERBS.has(method)) return optionsAt(module === 'axios' && BODY_VERBS.has(method) ? 2 : 1);
  }
  return undefined;
}

/** `api.get(…)` where `api = axios.create(…)` / `got.extend(…)`: named as the client's method. */
function instanceMethod(file: SourceFile, call: TSESTree.CallExpression | TSESTree.NewExpression): string | undefined {
  const callee = unwrap(call.callee);
  if (callee.type !== AST_NODE_TYPES.MemberExpression) return undefined;
  const method = memberName(callee);
  if (method === undefined || !VERBS.has(method)) return undefined;
  const made = originsOf(file, callee.object).find((origin) => origin.kind === 'call' && (origin.name === 'axios.create' || origin.name === 'got.extend'));
  return made?.kind === 'call' ? `${made.name!.split('.')[0]}.${method}` : undefined;
}

/** The `headers` of an options argument (an object literal, or a variable holding one). */
function headersOf(file: SourceFile, options: TSESTree.Node | undefined): TSESTree.Node[] {
  if (options === undefined) return [];
  return originsOf(file, options).flatMap((origin) => {
    if (origin.kind !== 'literal' || origin.node.type !== AST_NODE_TYPES.ObjectExpression) return [];
    const property = objectProperty(origin.node, 'headers');
    const spreads = origin.node.properties.flatMap((each) => (each.type === AST_NODE_TYPES.SpreadElement ? [each.argument] : []));
    // `{ ...req, url }` / `{ ...init }`: whatever headers the spread carried.
    return [...(property === undefined ? [] : [property.value]), ...spreads.flatMap((spread) => wholeHeadersOnly(file, spread))];
  });
}

/** A spread into the options is forwarding only if it is the incoming request (`{ ...req }` carries `req.headers`). */
function wholeHeadersOnly(file: SourceFile, spread: TSESTree.Node): TSESTree.Node[] {
  return originsOf(file, spread).some((origin) => origin.kind === 'parameter' && /^(req|request)$/.test(origin.name)) ? [spread] : [];
}

interface Forwarded {
  readonly source: TokenSource;
  /** The header it is sent in, when one is named (`Authorization`, `X-Upstream-Token`). */
  readonly header: string | undefined;
}

/** The inbound credentials a headers expression sends: its properties, its spreads, what is added to it later. */
function inboundIn(file: SourceFile, headers: TSESTree.Node): Forwarded[] {
  const found: Forwarded[] = [];
  const add = (value: TSESTree.Node, header: string | undefined) => {
    for (const source of tokenSourcesOf(file, value))
      if (source.inbound && revealed(source) === 'all' && !(source.wholeHeaders && strippedOfAuthorization(file, value, headers)))
        found.push({ source, header: source.wholeHeaders ? undefined : header });
  };
  add(headers, undefined);
  for (const origin of originsOf(file, headers)) for (const [value, header] of headerEntries(file, origin)) add(value, header);
  return found;
}

/** The values an object literal or `new Headers(…)` holds, with the header each is sent as, and what is set on it later. */
function headerEntries(file: SourceFile, origin: Origin): [TSESTree.Node, string | undefined][] {
  const entries: [TSESTree.Node, string | undefined][] = [];
  let holder: TSESTree.Node | undefined;
  if (origin.kind === 'literal' && origin.node.type === AST_NODE_TYPES.ObjectExpression) {
    holder = origin.node;
    for (const property of origin.node.properties)
      if (property.type === AST_NODE_TYPES.Property) {
        const key = property.computed
          ? stringValue(property.key)
          : property.key.type === AST_NODE_TYPES.Identifier
            ? property.key.name
            : stringValue(property.key);
        entries.push([property.value, key]);
      } else entries.push([property.argument, undefined]);
  } else if (origin.kind === 'call' && origin.name === 'Headers') {
    holder = origin.node;
    const init = origin.node.arguments[0];
    if (init !== undefined) for (const inner of originsOf(file, init)) entries.push(...headerEntries(file, inner), [init, undefined]);
  }
  if (holder !== undefined) entries.push(...laterWrites(file, holder));
  return entries;
}

/** `h.authorization = …`, `h['X-Token'] = …`, `h.set('Authorization', …)` on the variable `holder` initialises. */
function laterWrites(file: SourceFile, holder: TSESTree.Node): [TSESTree.Node, string | undefined][] {
  const declarator = holder.parent;
  if (declarator?.type !== AST_NODE_TYPES.VariableDeclarator || declarator.id.type !== AST_NODE_TYPES.Identifier) return [];
  const variable = file.scopes.getDeclaredVariables(declarator)[0];
  const writes: [TSESTree.Node, string | undefined][] = [];
  for (const reference of variable?.references ?? []) {
    const member = reference.identifier.parent;
    if (member?.type !== AST_NODE_TYPES.MemberExpression || member.object !== reference.identifier) continue;
    const use = member.parent;
    if (use?.type === AST_NODE_TYPES.AssignmentExpression && use.left === member) writes.push([use.right, memberName(member)]);
    const method = memberName(member);
    if (use?.type === AST_NODE_TYPES.CallExpression && use.callee === member && (method === 'set' || method === 'append') && use.arguments[1] !== undefined)
      writes.push([use.arguments[1], use.arguments[0] === undefined ? undefined : stringValue(use.arguments[0])]);
  }
  return writes;
}

/** The function sending the request's headers takes `authorization` out first (`delete headers.authorization`, `headers.delete('Authorization')`). */
function strippedOfAuthorization(file: SourceFile, ...nodes: TSESTree.Node[]): boolean {
  const scope = enclosingFunction(nodes[0]!) ?? file.program;
  let stripped = false;
  walk(scope, (node) => {
    if (node.type === AST_NODE_TYPES.UnaryExpression && node.operator === 'delete' && node.argument.type === AST_NODE_TYPES.MemberExpression)
      stripped ||= /^authorization$/i.test(memberName(node.argument) ?? '');
    if (node.type === AST_NODE_TYPES.CallExpression && node.callee.type === AST_NODE_TYPES.MemberExpression && memberName(node.callee) === 'delete')
      stripped ||= /^authorization$/i.test(node.arguments[0] === undefined ? '' : (stringValue(node.arguments[0]) ?? ''));
  });
  return stripped;
}

/**
 * A gateway in front of its own upstream: the function tests the request's target against an
 * allowlist (`allowedUpstreams.has(target.origin)`, `trustedHosts.includes(url.host)`). The
 * upstream is then configuration the operator vouches for as the token's audience.
 */
function checksAllowlist(file: SourceFile, call: TSESTree.Node, target: TSESTree.Node | undefined): boolean {
  const fn = enclosingFunction(call);
  if (fn === undefined || target === undefined) return false;
  const targetVariables = new Set(
    variablesIn(file, target).concat(originsOf(file, target).flatMap((origin) => origin.trail.flatMap((node) => variablesIn(file, node)))),
  );
  let checked = false;
  walk(fn, (node) => {
    if (checked || node.type !== AST_NODE_TYPES.CallExpression || node.callee.type !== AST_NODE_TYPES.MemberExpression) return;
    const method = memberName(node.callee);
    if (method !== 'has' && method !== 'includes' && method !== 'some') return;
    const list = unwrap(node.callee.object);
    const listName = list.type === AST_NODE_TYPES.Identifier ? list.name : list.type === AST_NODE_TYPES.MemberExpression ? memberName(list) : undefined;
    if (listName === undefined || !ALLOWLIST.test(listName)) return;
    checked = node.arguments.some((argument) => variablesIn(file, argument).some((variable) => targetVariables.has(variable)));
  });
  return checked;
}

/** The declared variables an expression reads. */
function variablesIn(file: SourceFile, node: TSESTree.Node): unknown[] {
  const found: unknown[] = [];
  walk(node, (each) => {
    if (each.type === AST_NODE_TYPES.Identifier) {
      const variable = declaredVariable(file, each);
      if (variable !== undefined) found.push(variable);
    }
  });
  return found;
}
