import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/typescript-estree';
import { mcpAuth, oauth21, rfc } from '../../catalogue/spec.js';
import { memberName, objectProperty, staticPropertyName, stringValue, unwrap, walk } from '../ast.js';
import { calleeName, qualifiedName } from '../names.js';
import { originsOf } from '../provenance.js';
import type { RuleMatch, ScanRule } from '../scan-rule.js';
import type { SourceFile } from '../source-file.js';

/** The query keys that carry a token (RFC 6750 §2.3 `access_token`; the ID and refresh tokens are no safer there). */
const TOKEN_KEYS = new Set(['access_token', 'id_token', 'refresh_token']);

/**
 * A token key in the query of a URL whose text is visible: `?access_token=`, `&id_token=`, or a
 * piece of a query that starts with one. Read only on literal text; `#access_token=` (a fragment)
 * is not a query.
 */
const KEY_IN_QUERY = /(^|[?&])(access_token|id_token|refresh_token)=/;

/** HTTP clients whose first argument is the URL (or whose options hold `url`). */
const CLIENTS = new Set(['axios', 'got', 'ky', 'ofetch', 'undici', 'superagent', 'node-fetch', 'cross-fetch', 'isomorphic-fetch', 'needle']);

/** The query options of HTTP clients: axios `params`, got and ky `searchParams`, ofetch `query`. */
const QUERY_OPTIONS = ['params', 'searchParams', 'query'];

interface Sink {
  /** `fetch`, `res.redirect`, `the Location header`, `window.location`. */
  readonly name: string;
  readonly urls: readonly TSESTree.Node[];
  /** Objects whose keys become query parameters (`{ params: { access_token } }`). */
  readonly queries: readonly TSESTree.Node[];
  readonly node: TSESTree.Node;
}

/**
 * token-in-url: an access, ID or refresh token put in the query of a URL that is requested or
 * redirected to: `?access_token=` in a literal or template, `new URLSearchParams({ access_token })`,
 * `url.searchParams.set('access_token', …)`, axios `params` / got `searchParams`; the sinks are
 * `fetch` and the HTTP clients, `WebSocket` / `EventSource`, `res.redirect` / `c.redirect` /
 * `Response.redirect`, a `Location` header, `window.location` / `location.assign` / `window.open`.
 * A URL is logged by every server and proxy on the way, kept in browser history and sent onward
 * in `Referer`.
 * Not reported: reading a token from a URL (`new URL(cb).searchParams.get('access_token')`, a
 * resource server accepting `req.query.access_token` is another question); a fragment
 * (`#access_token=`, the implicit grant's response: not sent to servers, and the implicit grant
 * itself is a separate finding); other keys that mention tokens (`token_type_hint`,
 * `id_token_hint` for RP-initiated logout, `response_type=id_token`, `grant_type=refresh_token`);
 * test files (a test sends a token in a URL to see it refused).
 * @see RFC 6750 §2.3 ("SHOULD NOT") and §5.3 ("Don't pass bearer tokens in page URLs"); OAuth 2.1 §5.1 (not in the query);
 *   MCP authorization, "Access Token Usage" (MUST NOT be in the URI query string); CWE-598
 */
export const TOKEN_IN_URL: ScanRule = {
  id: 'token-in-url',
  mentions: /(access|id|refresh)_token/i,
  title: 'A token sent in a URL query string',
  severity: 'medium',
  cwe: ['CWE-598'],
  spec: [rfc(6750, '2.3'), rfc(6750, '5.3'), oauth21('5.1'), mcpAuth('access-token-usage')],
  precision: 'high',
  why: 'URLs are written to server and proxy logs, kept in browser history and sent in Referer, so a token in one is readable by many who should not hold it.',
  fix: 'Send the token in the Authorization header (Authorization: Bearer …), or in a POST body where the protocol says so; never in the query string.',
  tags: ['oauth', 'tokens'],
  *find(file: SourceFile): Generator<RuleMatch> {
    if (file.isTest) return;
    const sinks: Sink[] = [];
    walk(file.program, (node) => {
      const sink = sinkOf(file, node);
      if (sink !== undefined) sinks.push(sink);
    });
    for (const sink of sinks) {
      const key =
        sink.urls.map((url) => tokenKeyInUrl(file, url)).find((each) => each !== undefined) ??
        sink.queries.map((query) => tokenKeyInObject(file, query)).find((each) => each !== undefined);
      if (key === undefined) continue;
      yield { node: sink.node, message: `${sink.name} puts ${key} in the URL query, where logs, browser history and Referer keep it.` };
    }
  },
};

/** The request or redirect `node` makes, with the URL expressions it sends to. */
function sinkOf(file: SourceFile, node: TSESTree.Node): Sink | undefined {
  if (node.type === AST_NODE_TYPES.AssignmentExpression) {
    // window.location = url; window.location.href = url; location.href = url
    const target = qualifiedName(file, node.left);
    return target === 'location' || target === 'location.href' ? { name: 'window.location', urls: [node.right], queries: [], node } : undefined;
  }
  if (node.type !== AST_NODE_TYPES.CallExpression && node.type !== AST_NODE_TYPES.NewExpression) return undefined;
  const args = node.arguments.map((argument) => (argument.type === AST_NODE_TYPES.SpreadElement ? argument.argument : argument));
  const name = calleeName(file, node);
  const parts = name?.split('.') ?? [];
  const module = parts[0];
  if (name === 'fetch' || name === 'WebSocket' || name === 'EventSource' || name === 'location.assign' || name === 'location.replace' || name === 'open')
    return { name, urls: args.slice(0, 1), queries: [], node };
  if (module === 'http' || module === 'https')
    return parts[1] === 'request' || parts[1] === 'get' ? { name: name!, urls: args.slice(0, 1), queries: [], node } : undefined;
  if (module !== undefined && CLIENTS.has(module)) return clientSink(file, name!, args, node);
  const callee = unwrap(node.callee);
  const method = callee.type === AST_NODE_TYPES.MemberExpression ? memberName(callee) : undefined;
  // res.redirect(url) / res.redirect(302, url), c.redirect(url), reply.redirect(url), Response.redirect(url)
  if (method === 'redirect' || (name === 'next/navigation.redirect' && args.length > 0))
    return { name: method === 'redirect' ? `${receiverName(callee)}.redirect` : 'redirect', urls: args, queries: [], node };
  // res.setHeader('Location', url), res.set('Location', url), headers.set('Location', url)
  if ((method === 'setHeader' || method === 'set' || method === 'header' || method === 'append') && /^location$/i.test(stringValue(args[0] ?? node) ?? ''))
    return { name: 'the Location header', urls: args.slice(1, 2), queries: [], node };
  // res.writeHead(302, { Location: url }), new Response(null, { headers: { Location: url } })
  if (method === 'writeHead' || name === 'Response') {
    const headers = method === 'writeHead' ? args.at(-1) : headersOption(file, args[1]);
    const location = headers === undefined ? undefined : locationIn(file, headers);
    return location === undefined ? undefined : { name: 'the Location header', urls: [location], queries: [], node };
  }
  return undefined;
}

function receiverName(callee: TSESTree.Node): string {
  const object = callee.type === AST_NODE_TYPES.MemberExpression ? unwrap(callee.object) : callee;
  if (object.type === AST_NODE_TYPES.Identifier) return object.name;
  return object.type === AST_NODE_TYPES.MemberExpression ? (memberName(object) ?? 'res') : 'res';
}

/** axios(url, config) / axios(config) / axios.get(url, config) / got(url, options): the URL and the query options. */
function clientSink(file: SourceFile, name: string, args: readonly TSESTree.Node[], node: TSESTree.Node): Sink | undefined {
  const method = name.split('.')[1];
  if (method !== undefined && !['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'request', 'fetch', 'stream'].includes(method)) return undefined;
  const options = args.filter((argument) => originsOf(file, argument).some((origin) => origin.node.type === AST_NODE_TYPES.ObjectExpression));
  const urls = [args[0]!, ...options.flatMap((each) => optionValues(file, each, ['url']))].filter((each) => each !== undefined);
  return { name, urls, queries: options.flatMap((each) => optionValues(file, each, QUERY_OPTIONS)), node };
}

/** The values of `keys` in an options object (a literal, or a variable holding one). */
function optionValues(file: SourceFile, options: TSESTree.Node, keys: readonly string[]): TSESTree.Node[] {
  return originsOf(file, options).flatMap((origin) => {
    if (origin.node.type !== AST_NODE_TYPES.ObjectExpression) return [];
    const object = origin.node;
    return keys.flatMap((key) => {
      const property = objectProperty(object, key);
      return property === undefined ? [] : [property.value];
    });
  });
}

function headersOption(file: SourceFile, init: TSESTree.Node | undefined): TSESTree.Node | undefined {
  return init === undefined ? undefined : optionValues(file, init, ['headers'])[0];
}

/** The `Location` value of a headers object literal. */
function locationIn(file: SourceFile, headers: TSESTree.Node): TSESTree.Node | undefined {
  for (const origin of originsOf(file, headers)) {
    if (origin.node.type !== AST_NODE_TYPES.ObjectExpression) continue;
    for (const property of origin.node.properties)
      if (property.type === AST_NODE_TYPES.Property && /^location$/i.test(staticPropertyName(property.key, property.computed) ?? '')) return property.value;
  }
  return undefined;
}

/** The token key a URL expression's query holds, if one is visible. */
function tokenKeyInUrl(file: SourceFile, url: TSESTree.Node): string | undefined {
  for (const origin of originsOf(file, url)) {
    for (const node of [...origin.trail, origin.node]) {
      const key = tokenKeyInText(node) ?? tokenKeyInBuilder(file, node);
      if (key !== undefined) return key;
    }
  }
  return undefined;
}

/** `?access_token=` in a string literal or in the literal parts of a template. */
function tokenKeyInText(node: TSESTree.Node): string | undefined {
  const text =
    node.type === AST_NODE_TYPES.Literal && typeof node.value === 'string'
      ? node.value
      : node.type === AST_NODE_TYPES.TemplateLiteral
        ? node.quasis.map((quasi) => quasi.value.cooked ?? '').join('\u0000')
        : undefined;
  if (text === undefined) return undefined;
  const match = KEY_IN_QUERY.exec(text);
  // After a `#` the key is in the fragment, which is not sent (the implicit grant's response).
  if (match === null || text.slice(0, match.index).includes('#')) return undefined;
  return match[2];
}

/** `new URLSearchParams({ access_token })`, or a `URL` / `URLSearchParams` whose query is given a token key later. */
function tokenKeyInBuilder(file: SourceFile, node: TSESTree.Node): string | undefined {
  if (node.type !== AST_NODE_TYPES.NewExpression) return undefined;
  const name = calleeName(file, node);
  if (name !== 'URL' && name !== 'URLSearchParams') return undefined;
  if (name === 'URLSearchParams' && node.arguments[0] !== undefined) {
    const key = tokenKeyInObject(file, node.arguments[0]);
    if (key !== undefined) return key;
  }
  const declarator = node.parent;
  if (declarator?.type !== AST_NODE_TYPES.VariableDeclarator || declarator.id.type !== AST_NODE_TYPES.Identifier) return undefined;
  const variable = file.scopes.getDeclaredVariables(declarator)[0];
  for (const reference of variable?.references ?? []) {
    const key = tokenKeyWrittenAt(file, reference.identifier, name === 'URL');
    if (key !== undefined) return key;
  }
  return undefined;
}

/** What a use of a URL (or URLSearchParams) variable adds: `u.searchParams.set('access_token', …)`, `p.append(…)`, `u.search = …`. */
function tokenKeyWrittenAt(file: SourceFile, identifier: TSESTree.Node, isUrl: boolean): string | undefined {
  let member = identifier.parent;
  if (member?.type !== AST_NODE_TYPES.MemberExpression || member.object !== identifier) return undefined;
  if (isUrl) {
    const property = memberName(member);
    const use = member.parent;
    if ((property === 'search' || property === 'href') && use?.type === AST_NODE_TYPES.AssignmentExpression && use.left === member)
      return tokenKeyInUrl(file, use.right);
    if (property !== 'searchParams' || use?.type !== AST_NODE_TYPES.MemberExpression) return undefined;
    member = use;
  }
  const call = member.parent;
  const method = memberName(member);
  if (call?.type !== AST_NODE_TYPES.CallExpression || call.callee !== member || (method !== 'set' && method !== 'append')) return undefined;
  const key = call.arguments[0] === undefined ? undefined : stringValue(call.arguments[0]);
  return key !== undefined && TOKEN_KEYS.has(key) ? key : undefined;
}

/** A token key among an object literal's keys (or a list of pairs): `{ access_token: t }`, `[['access_token', t]]`. */
function tokenKeyInObject(file: SourceFile, value: TSESTree.Node): string | undefined {
  for (const origin of originsOf(file, value))
    for (const at of [origin.node, ...origin.trail]) {
      if (at.type === AST_NODE_TYPES.ObjectExpression)
        for (const property of at.properties) {
          const key = property.type === AST_NODE_TYPES.Property ? staticPropertyName(property.key, property.computed) : undefined;
          if (key !== undefined && TOKEN_KEYS.has(key)) return key;
        }
      if (at.type === AST_NODE_TYPES.ArrayExpression)
        for (const pair of at.elements) {
          const first = pair?.type === AST_NODE_TYPES.ArrayExpression ? pair.elements[0] : undefined;
          const key = first === undefined || first === null ? undefined : stringValue(first);
          if (key !== undefined && TOKEN_KEYS.has(key)) return key;
        }
    }
  return undefined;
}
