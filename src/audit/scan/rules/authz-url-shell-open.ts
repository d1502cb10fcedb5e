import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/typescript-estree';
import { cve, mcpSecurity, rfc } from '../../catalogue/spec.js';
import { enclosingFunction, isFunction, staticPropertyName, walk } from '../ast.js';
import { callSitesOf } from '../call-sites.js';
import { calleeName } from '../names.js';
import { type Origin, originsOf } from '../provenance.js';
import type { RuleMatch, ScanRule } from '../scan-rule.js';
import type { SourceFile } from '../source-file.js';
import { checkedValues, keyOf } from './authz-url-shell-open-protocol-checks.js';
import { sinkOf } from './authz-url-shell-open-sinks.js';
import { AUTHORIZATION_NAME, constantOrigin, nameOf } from './authz-url-shell-open-urls.js';

/** Sanitisers from libraries: strict-url-sanitise is what mcp-remote adopted to fix CVE-2025-6514. */
const SANITISERS = new Set(['strict-url-sanitise.sanitizeUrl', 'strict-url-sanitize.sanitizeUrl', '@braintree/sanitize-url.sanitizeUrl']);

/** Why a value reaching a shell is dangerous ("authorization_endpoint from the server's metadata"), or undefined when it is safe. */
function unsafeSource(file: SourceFile, value: TSESTree.Node, sink: TSESTree.Node, depth = 0): { what: string; metadata: boolean } | undefined {
  const checked = checkedValues(file, sink);
  let found: { what: string; metadata: boolean } | undefined;
  for (const origin of originsOf(file, value)) {
    if (constantOrigin(file, origin)) continue;
    if (origin.kind === 'call' && origin.name !== undefined && SANITISERS.has(origin.name)) continue;
    if (origin.trail.some((node) => checked.has(keyOf(file, node) ?? ''))) continue;
    // `new URL(metadata.authorization_endpoint)`: what it was parsed from.
    const parsed = origin.node.type === AST_NODE_TYPES.NewExpression && calleeName(file, origin.node) === 'URL' ? origin.node.arguments[0] : undefined;
    const here =
      parsed !== undefined && parsed.type !== AST_NODE_TYPES.SpreadElement && depth < 3
        ? (unsafeSource(file, parsed, sink, depth + 1) ?? 'safe')
        : describe(file, origin, depth);
    if (here === 'safe') continue;
    if (found === undefined || (here.metadata && !found.metadata)) found = here;
  }
  return found;
}

/** What an unchecked origin is, following a parameter to this module's calls of its function (one level). */
function describe(file: SourceFile, origin: Origin, depth: number): { what: string; metadata: boolean } | 'safe' {
  if (origin.kind === 'parameter') {
    const fn = enclosingFunction(origin.node);
    const index =
      fn?.params.findIndex((param) => param === origin.node || (param.type === AST_NODE_TYPES.AssignmentPattern && param.left === origin.node)) ?? -1;
    const sites = fn === undefined || depth > 1 || index === -1 ? [] : callSitesOf(file, fn);
    if (sites.length > 0) {
      const unsafe = sites.flatMap((site) => {
        const argument = site.arguments[index];
        if (argument === undefined || argument.type === AST_NODE_TYPES.SpreadElement) return [];
        const why = unsafeSource(file, argument, site, depth + 1);
        return why === undefined ? [] : [why];
      });
      return unsafe.find((each) => each.metadata) ?? unsafe[0] ?? 'safe';
    }
    const holder = fn?.parent;
    const method =
      holder?.type === AST_NODE_TYPES.MethodDefinition || holder?.type === AST_NODE_TYPES.Property
        ? staticPropertyName(holder.key, holder.computed)
        : undefined;
    const authorization = AUTHORIZATION_NAME.test(origin.name) || method === 'redirectToAuthorization';
    return { what: authorization ? `the authorization URL ${origin.name}` : `the parameter ${origin.name}`, metadata: authorization };
  }
  // The names the value had on its way here: `metadata.authorization_endpoint`, `const authUrl = …`.
  const named = origin.trail.some((node) => AUTHORIZATION_NAME.test(nameOf(node) ?? '')) || (origin.kind === 'read' && AUTHORIZATION_NAME.test(origin.path));
  const what =
    origin.kind === 'read' && !origin.path.includes('?') ? origin.path : origin.kind === 'call' && origin.name !== undefined ? `${origin.name}()` : undefined;
  const seen = origin.trail.map(nameOf).find((name) => name !== undefined);
  return { what: what ?? (seen === undefined ? 'a URL this module does not write' : `${seen}, a URL this module does not write,`), metadata: named };
}

/**
 * authz-url-shell-open: an authorization URL, or any URL that is not written in the code (the
 * server's `authorization_endpoint`, a `resource_metadata` from `WWW-Authenticate`, a fetched JSON
 * field), opened through a shell: the `open`/`opn` package (PowerShell or cmd on Windows),
 * `exec`/`execSync` with the URL in the command, `spawn`/`execFile` with `shell: true`, or a
 * shell program (`spawn('cmd', ['/c', 'start', url])`), with no `https:` allowlist check of the
 * same value first. This is CVE-2025-6514 in mcp-remote. Constant URLs (literals, templates of
 * literals, `new URL(literal)`), values checked by `new URL(u).protocol` or `startsWith('https://')`
 * first, values passed through strict-url-sanitise, and `spawn`/`execFile` of a browser helper with
 * an argument array (no shell) are not findings. A URL from a parameter is judged by this module's
 * calls of its function; with none, it is reported (High, Critical when it is an authorization URL).
 * @see MCP security best practices, "OAuth authorization URL validation"; RFC 8252 §7.3 (loopback http:); CWE-78
 */
export const AUTHZ_URL_SHELL_OPEN: ScanRule = {
  id: 'authz-url-shell-open',
  mentions: /open|exec|spawn|shell/i,
  title: 'An authorization URL from the server opened through a shell',
  severity: 'critical',
  cwe: ['CWE-78'],
  spec: [mcpSecurity('authorization-url-validation'), cve('CVE-2025-6514'), rfc(8252, '7.3')],
  precision: 'high',
  why: 'A malicious server can put shell syntax in its authorization_endpoint; opening it through a shell (open() on Windows, exec, shell: true) runs that code on the user\u2019s machine.',
  fix: 'Parse it with new URL(), refuse any protocol but https: (or http: on loopback), and open it without a shell (execFile or spawn with an argument array, or strict-url-sanitise before open()).',
  tags: ['oauth', 'mcp', 'command-injection'],
  *find(file: SourceFile): Generator<RuleMatch> {
    const calls: TSESTree.CallExpression[] = [];
    walk(file.program, (node) => {
      if (node.type === AST_NODE_TYPES.CallExpression && !isFunction(node)) calls.push(node);
    });
    for (const call of calls) {
      const sink = sinkOf(file, call);
      if (sink === undefined) continue;
      for (const url of sink.urls) {
        const why = unsafeSource(file, url, call);
        if (why === undefined || (!why.metadata && !sink.commandLine)) continue;
        yield {
          node: url,
          message: `${why.what} reaches ${sink.how}, with no https: check.`,
          ...(why.metadata ? {} : { severity: 'high' as const }),
        };
        break;
      }
    }
  },
};
