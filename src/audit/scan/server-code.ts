import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/typescript-estree';
import { type FunctionNode, isFunction, memberName, unwrap, walk } from './ast.js';
import { calleeName, moduleName, requiredModule } from './names.js';
import type { SourceFile } from './source-file.js';

/** Modules whose import alone makes a file server code: HTTP frameworks, their Node adapters, the MCP SDK's server side. */
const SERVER_MODULES = [
  /^(express|fastify|hono|koa|@koa\/router|koa-router|@hapi\/hapi|restify|polka|h3|elysia|@nestjs\/common)(\/|$)/,
  /^next\/server$/,
  /^@hono\/node-server$/,
  /^@modelcontextprotocol\/sdk\/server(\/|$)/,
];

/**
 * Node's own HTTP modules: a client imports them as well (`http.request`, `https.Agent`), so only
 * a server they create makes a file server code.
 */
const NODE_HTTP_MODULES = new Set(['http', 'https', 'http2']);
const SERVER_FACTORIES = new Set(['createServer', 'createSecureServer']);

const REQUEST_NAMES = new Set(['req', 'request']);
const RESPONSE_NAMES = new Set(['res', 'response', 'reply']);
const CONTEXT_NAMES = new Set(['c', 'ctx', 'context']);

/** What a Node, express, fastify or Next API response is asked to do. */
const RESPONSE_METHODS = new Set([
  'end',
  'write',
  'writeHead',
  'setHeader',
  'send',
  'json',
  'status',
  'redirect',
  'render',
  'sendFile',
  'cookie',
  'clearCookie',
  'header',
  'code',
  'type',
  'set',
  'sendStatus',
]);

/** Methods that register a route or middleware (`app.get('/x', (c) => …)`): a lone `c` elsewhere is a character in `.map((c) => …)`. */
const ROUTE_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'all', 'use', 'route', 'on', 'options', 'head', 'handle', 'fetch']);

/** Route handlers named for their HTTP method and exported (Next.js app router, SvelteKit, Remix, Astro). */
const EXPORTED_HANDLER = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|ALL|loader|action)$/;

/**
 * Whether `file` is server code, where one module scope is shared by every user (in a browser it
 * belongs to one). It is when it imports a server framework (express, fastify, hono, koa, hapi,
 * `next/server`, …) or the MCP SDK's server, creates a server with Node's `http`/`https`/`http2`,
 * or has request handlers: `(req, res)` functions, `(c)` / `(ctx)` functions registered on a
 * route (`app.get(…, (c) => …)`, `app.use(async (ctx, next) => …)`), or exported `GET`/`POST`
 * route functions.
 * @see ../shared/audit-checks.md §2 "Server vs browser context"
 */
export function isServerCode(file: SourceFile): boolean {
  const modules = importedModules(file);
  if (modules.some((module) => SERVER_MODULES.some((pattern) => pattern.test(module)))) return true;
  let server = false;
  walk(file.program, (node) => {
    if (server) return;
    if (isFunction(node)) server = isHandler(node);
    else if (node.type === AST_NODE_TYPES.CallExpression) server = createsServer(file, node);
  });
  return server;
}

/** The modules `file` imports: import declarations (types too: `import type { Request } from 'express'` is server code), `require`, `import()`, re-exports. */
function importedModules(file: SourceFile): string[] {
  const found: string[] = [];
  walk(file.program, (node) => {
    if (
      (node.type === AST_NODE_TYPES.ImportDeclaration ||
        node.type === AST_NODE_TYPES.ExportAllDeclaration ||
        node.type === AST_NODE_TYPES.ExportNamedDeclaration) &&
      node.source !== null
    )
      found.push(moduleName(node.source.value));
    else if (node.type === AST_NODE_TYPES.CallExpression || node.type === AST_NODE_TYPES.ImportExpression) {
      const module = requiredModule(node);
      if (module !== undefined) found.push(module);
    }
  });
  return found;
}

/** `http.createServer(…)`, `createServer(…)` imported from `node:https`, `http2.createSecureServer(…)`. */
function createsServer(file: SourceFile, call: TSESTree.CallExpression): boolean {
  const name = calleeName(file, call);
  if (name === undefined) return false;
  const dot = name.lastIndexOf('.');
  return dot !== -1 && NODE_HTTP_MODULES.has(name.slice(0, dot)) && SERVER_FACTORIES.has(name.slice(dot + 1));
}

/**
 * Whether `fn` is a request handler: `(req, res)` (answering through `res` or registered on a
 * route when its names are longer), `(c)` / `(ctx)` registered on a route, or an exported
 * `GET`/`POST` route function. What it declares lives for one request.
 */
export function isRequestHandler(fn: FunctionNode): boolean {
  return isHandler(fn);
}

function isHandler(fn: FunctionNode): boolean {
  const names = fn.params.map((param) => (param.type === AST_NODE_TYPES.Identifier ? param.name : ''));
  if (names.length >= 2 && REQUEST_NAMES.has(names[0]!) && RESPONSE_NAMES.has(names[1]!))
    return (names[0] === 'req' && names[1] === 'res') || names[2] === 'next' || isRouteArgument(fn) || respondsWith(fn, names[1]!);
  if (names.length >= 1 && CONTEXT_NAMES.has(names[0]!) && isRouteArgument(fn)) return true;
  return names.length >= 1 && isExportedRouteFunction(fn);
}

/**
 * Whether `fn` answers through its parameter `name` (`response.end()`, `reply.send()`) or hands it
 * to a function that does: a UI callback `(request, response) => pushHistory(…)` has the names
 * and is no handler. (`(req, res)` and `(req, res, next)` are taken as handlers on their names.)
 */
function respondsWith(fn: FunctionNode, name: string): boolean {
  const isName = (node: TSESTree.Node) => {
    const at = unwrap(node);
    return at.type === AST_NODE_TYPES.Identifier && at.name === name;
  };
  let responds = false;
  walk(fn.body, (node) => {
    if (responds || node.type !== AST_NODE_TYPES.CallExpression) return;
    const callee = unwrap(node.callee);
    if (callee.type === AST_NODE_TYPES.MemberExpression && isName(callee.object)) responds = RESPONSE_METHODS.has(memberName(callee) ?? '');
    else responds = !isLibraryCall(callee) && node.arguments.some(isName);
  });
  return responds;
}

/** `JSON.stringify(response)`, `console.log(response)`: a value handled, not a response answered. */
function isLibraryCall(callee: TSESTree.Node): boolean {
  const object = callee.type === AST_NODE_TYPES.MemberExpression ? unwrap(callee.object) : undefined;
  return object?.type === AST_NODE_TYPES.Identifier && LIBRARY_OBJECTS.has(object.name);
}

const LIBRARY_OBJECTS = new Set(['JSON', 'console', 'Object', 'Array', 'String', 'Number', 'Promise', 'Reflect', 'Math']);

/** `fn` is an argument (not the callee) of `x.get(…)`, `router.use(…)` and the like. */
function isRouteArgument(fn: FunctionNode): boolean {
  const call = fn.parent;
  if (call?.type !== AST_NODE_TYPES.CallExpression || !call.arguments.some((argument) => argument === fn)) return false;
  const callee = unwrap(call.callee);
  return callee.type === AST_NODE_TYPES.MemberExpression && ROUTE_METHODS.has(memberName(callee) ?? '');
}

/** `export async function GET(request) {…}` or `export const POST = async (req) => …`. */
function isExportedRouteFunction(fn: FunctionNode): boolean {
  if (fn.type === AST_NODE_TYPES.FunctionDeclaration)
    return fn.id !== null && EXPORTED_HANDLER.test(fn.id.name) && fn.parent?.type === AST_NODE_TYPES.ExportNamedDeclaration;
  const declarator = fn.parent;
  return (
    declarator?.type === AST_NODE_TYPES.VariableDeclarator &&
    declarator.id.type === AST_NODE_TYPES.Identifier &&
    EXPORTED_HANDLER.test(declarator.id.name) &&
    declarator.parent?.parent?.type === AST_NODE_TYPES.ExportNamedDeclaration
  );
}
