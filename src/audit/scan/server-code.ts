import { AST_NODE_TYPES } from '@typescript-eslint/typescript-estree';
import { isFunction, walk } from './ast.js';
import { importedModules } from './names.js';
import type { SourceFile } from './source-file.js';

/** Modules whose import makes a file server code: HTTP frameworks, Node's servers, the MCP SDK's server side. */
const SERVER_MODULES = [
  /^(express|fastify|hono|koa|@koa\/router|@hapi\/hapi|restify|polka|h3|elysia)(\/|$)/,
  /^next\/server$/,
  /^(http|https|http2)$/,
  /^@modelcontextprotocol\/sdk\/server(\/|$)/,
  /^@hono\/node-server$/,
];

const REQUEST_NAMES = new Set(['req', 'request']);
const RESPONSE_NAMES = new Set(['res', 'response', 'reply']);
const CONTEXT_NAMES = new Set(['c', 'ctx', 'context']);

/**
 * Whether `file` is server code, where one module scope is shared by every user (in a browser it
 * belongs to one): it imports a server framework, Node's `http`, or the MCP SDK's server; or it has
 * request handlers, `(req, res)` functions or `(c)` / `(ctx)` functions passed to a call (a route).
 * @see ../shared/audit-checks.md §2 "Server vs browser context"
 */
export function isServerCode(file: SourceFile): boolean {
  for (const module of importedModules(file)) if (SERVER_MODULES.some((pattern) => pattern.test(module))) return true;
  let handler = false;
  walk(file.program, (node) => {
    if (handler || !isFunction(node)) return;
    const names = node.params.map((param) => (param.type === AST_NODE_TYPES.Identifier ? param.name : ''));
    if (names.length >= 2 && REQUEST_NAMES.has(names[0]!) && RESPONSE_NAMES.has(names[1]!)) handler = true;
    else if (names.length === 1 && CONTEXT_NAMES.has(names[0]!) && node.parent?.type === AST_NODE_TYPES.CallExpression) handler = true;
  });
  return handler;
}
