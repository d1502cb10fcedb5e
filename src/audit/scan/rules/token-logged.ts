import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/typescript-estree';
import { mcpAuth, rfc } from '../../catalogue/spec.js';
import { enclosingFunction, type FunctionNode, isFunction, memberName, objectProperty, unwrap, walk } from '../ast.js';
import { calleeName, declaredVariable, qualifiedName, requiredModule } from '../names.js';
import { originsOf } from '../provenance.js';
import type { RuleMatch, ScanRule } from '../scan-rule.js';
import type { SourceFile } from '../source-file.js';
import { revealed, type TokenSource, tokenSourcesOf } from '../token-sources.js';

/** Logger methods (console, pino, winston, bunyan, fastify's `log`, `req.log`). */
const LOG_METHODS = new Set([
  'log',
  'info',
  'warn',
  'warning',
  'error',
  'fatal',
  'notice',
  'critical',
  'debug',
  'trace',
  'verbose',
  'silly',
  'http',
  'dir',
  'table',
]);

/** Levels an operator turns on to debug: a log there is still written somewhere, but rarely in production. */
const DEBUG_LEVELS = new Set(['debug', 'trace', 'verbose', 'silly']);

/** A receiver named for a logger: `log`, `logger`, `this.logger`, `fastify.log`, `req.log`, `authLogger`. */
const LOGGER_NAME = /^_?(log|logger|logging|console)$|[a-z](Log|Logger)$/;

/** Calls whose result is a logger. */
const LOGGER_FACTORIES = new Set(['pino', 'winston.createLogger', 'bunyan.createLogger', 'bunyan', 'log4js.getLogger', 'consola.create']);

/** A function named for logging (`log`, `debugLog`, `logError`, `trace`, `printWarning`): its callers log. */
const LOGGING_HELPER = /log|debug|trace|warn|verbose|print/i;

/** A test of a debug switch: `if (debug)`, `if (process.env.DEBUG)`, `options.verbose && …`. */
const DEBUG_SWITCH = /debug|verbose|trace/i;

interface LogSink {
  /** How a message names it: `console.log`, `logger.info`, `debug()`, `throw`. */
  readonly name: string;
  readonly args: readonly TSESTree.Node[];
  readonly debugLevel: boolean;
  /** The logger redacts paths (pino `redact`): an object logged whole is redacted there. */
  readonly redacts: boolean;
  /** In a logging helper of this module: what its callers pass is reported where they call it. */
  readonly inWrapper?: boolean;
}

/**
 * token-logged: a token, code, verifier, secret, `Authorization` header or whole token response
 * written to a log (`console.*`, pino/winston/bunyan, `fastify.log`, `req.log`, the `debug`
 * module, `process.stderr.write`) or into a thrown error's message, which ends up in logs and
 * often in a response. The credential is followed from its sources (token-sources.ts) through
 * assignments, templates, concatenation and object literals.
 * Not reported: what is not the credential (`token.length`, `token_type`, `expires_in`, `scope`,
 * `!!token`, `a === token`), a redaction or digest (`redact(token)`, `hash(token)`,
 * `createHash(…).update(token).digest()`), a short slice (`token.slice(0, 4)`: a literal end of at
 * most 8 characters), and an object logged through a pino logger configured with `redact`.
 * A log at a debug level or inside `if (debug)` is still reported, as Low.
 * @see RFC 6750 §5.3 (do not store bearer tokens in the clear); RFC 6819 §5.1.4.1.3 (no cleartext credentials); MCP authorization, "Token Theft"; CWE-532
 */
export const TOKEN_LOGGED: ScanRule = {
  id: 'token-logged',
  title: 'A token, secret or Authorization header written to a log or an error message',
  severity: 'medium',
  cwe: ['CWE-532'],
  spec: [rfc(6750, '5.3'), rfc(6819, '5.1.4.1.3'), mcpAuth('token-theft')],
  precision: 'high',
  why: 'Logs are kept, shipped and read by many people and services; a bearer token or secret in them can be replayed by any of them.',
  fix: 'Log that a token was received or its first few characters (token.slice(0, 4)), never the token; configure the logger to redact authorization and token fields.',
  tags: ['oauth', 'tokens', 'logging'],
  *find(file: SourceFile): Generator<RuleMatch> {
    const sinks: { node: TSESTree.Node; sink: LogSink }[] = [];
    walk(file.program, (node) => {
      const sink = logSink(file, node);
      if (sink !== undefined) sinks.push({ node, sink });
    });
    sinks.push(...wrapperCalls(file, sinks));
    for (const { node, sink } of sinks) {
      const logged = sink.args.flatMap((argument) => loggedCredentials(file, argument, sink));
      if (logged.length === 0) continue;
      const source = logged.find((each) => revealed(each) === 'all') ?? logged[0]!;
      const part = revealed(source) === 'part';
      const low = part || sink.debugLevel || isDebugGuarded(node);
      const level = sink.debugLevel || isDebugGuarded(node) ? ' (at a debug level, but debug logs are kept too)' : '';
      const message = part
        ? `${sink.name} writes more than 8 characters of ${source.what}${describe(source)}${level}: 8 identify it as well and reveal less.`
        : `${sink.name} writes ${source.what}${describe(source)}${level}: whoever reads the log can use it.`;
      yield {
        node,
        message,
        ...(low ? { severity: 'low' as const } : {}),
        flow: [...source.origin.trail].reverse(),
      };
    }
  },
};

function loggedCredentials(file: SourceFile, argument: TSESTree.Node, sink: LogSink): TokenSource[] {
  return tokenSourcesOf(file, argument, { intoObjects: !sink.redacts, followCallers: sink.inWrapper !== true }).filter(
    (source) =>
      revealed(source) !== 'none' &&
      !(sink.redacts && !isScalar(source)) &&
      // "Unexpected token ${token}": a parser's token, thrown; a name alone says too little there.
      !(sink.name === 'throw' && source.what === 'a token'),
  );
}

/** A single credential, not a container a redacting logger walks (`req.headers`, a token response). */
function isScalar(source: TokenSource): boolean {
  return !source.wholeHeaders && source.what !== 'the token response' && !source.what.startsWith('the verified AuthInfo');
}

/** Where the source is, for the message: ` (tokens.access_token)`. */
function describe(source: TokenSource): string {
  const { origin } = source;
  if (origin.kind === 'read') return ` (${origin.path.replaceAll('?().', '')})`;
  if (origin.kind === 'parameter') return ` (${origin.name})`;
  if (origin.kind === 'call' && origin.name !== undefined) return ` (from ${origin.name}())`;
  return '';
}

/**
 * Calls of the module's own logging helpers (`function debugLog(message, ...args) { console.error(message, ...args) }`,
 * mcp-remote's `log` and `debugLog`): a function named for logging that writes a parameter to a log is a log, two
 * levels deep. Any other function that logs a parameter is reported inside, where it logs (token-sources follows the
 * parameter to its callers).
 */
function wrapperCalls(file: SourceFile, sinks: { node: TSESTree.Node; sink: LogSink }[]): { node: TSESTree.Node; sink: LogSink }[] {
  const found: { node: TSESTree.Node; sink: LogSink }[] = [];
  const known = new Set<TSESTree.Node>();
  let level = sinks;
  for (let round = 0; round < 2 && level.length > 0; round += 1) {
    const wrappers = new Map<TSESTree.Node, { name: string; debugLevel: boolean }>();
    for (const { node, sink } of level) {
      const fn = enclosingFunction(node);
      const name = fn === undefined || sink.name === 'throw' ? undefined : declaredName(fn);
      if (fn === undefined || name === undefined || !LOGGING_HELPER.test(name) || known.has(fn) || !writesAParameter(file, fn, sink)) continue;
      known.add(fn);
      wrappers.set(fn, { name, debugLevel: sink.debugLevel || DEBUG_SWITCH.test(name) });
      (sink as { inWrapper?: boolean }).inWrapper = true;
    }
    level = [];
    walk(file.program, (node) => {
      if (node.type !== AST_NODE_TYPES.CallExpression) return;
      const callee = unwrap(node.callee);
      const fn = callee.type === AST_NODE_TYPES.Identifier ? localFunctionOf(file, callee) : undefined;
      const wrapper = fn === undefined ? undefined : wrappers.get(fn);
      if (wrapper !== undefined)
        level.push({ node, sink: { name: `${wrapper.name}()`, args: node.arguments, debugLevel: wrapper.debugLevel, redacts: false } });
    });
    found.push(...level);
  }
  return found;
}

function writesAParameter(file: SourceFile, fn: FunctionNode, sink: LogSink): boolean {
  const params = new Set(
    fn.params.map((param) =>
      param.type === AST_NODE_TYPES.RestElement || param.type === AST_NODE_TYPES.AssignmentPattern
        ? param.type === AST_NODE_TYPES.RestElement
          ? param.argument
          : param.left
        : param,
    ),
  );
  return sink.args.some((argument) =>
    originsOf(file, argument.type === AST_NODE_TYPES.SpreadElement ? argument.argument : argument).some(
      (origin) => origin.kind === 'parameter' && params.has(origin.node),
    ),
  );
}

function declaredName(fn: FunctionNode): string | undefined {
  if (fn.type === AST_NODE_TYPES.FunctionDeclaration) return fn.id?.name;
  return fn.parent?.type === AST_NODE_TYPES.VariableDeclarator && fn.parent.id.type === AST_NODE_TYPES.Identifier ? fn.parent.id.name : undefined;
}

/** The function an identifier names, when the module declares it once. */
function localFunctionOf(file: SourceFile, identifier: TSESTree.Identifier): FunctionNode | undefined {
  const definition = declaredVariable(file, identifier)?.defs[0];
  if (definition === undefined) return undefined;
  if (definition.node.type === AST_NODE_TYPES.FunctionDeclaration) return definition.node;
  if (definition.node.type === AST_NODE_TYPES.VariableDeclarator && definition.node.init !== null) {
    const init = unwrap(definition.node.init);
    if (isFunction(init)) return init;
  }
  return undefined;
}

/** The log or throw `node` is, with the arguments it writes. */
function logSink(file: SourceFile, node: TSESTree.Node): LogSink | undefined {
  if (node.type === AST_NODE_TYPES.ThrowStatement && node.argument !== null) {
    const thrown = unwrap(node.argument);
    if (thrown.type === AST_NODE_TYPES.NewExpression || thrown.type === AST_NODE_TYPES.CallExpression)
      // The message only: a `cause` or detail object stays on the error for whoever handles it.
      return { name: 'throw', args: thrown.arguments.slice(0, 1), debugLevel: false, redacts: false };
    return undefined;
  }
  if (node.type !== AST_NODE_TYPES.CallExpression) return undefined;
  const name = calleeName(file, node);
  if (name === 'process.stdout.write' || name === 'process.stderr.write') return { name, args: node.arguments, debugLevel: false, redacts: false };
  const callee = unwrap(node.callee);
  if (callee.type === AST_NODE_TYPES.MemberExpression) {
    const method = memberName(callee);
    if (method === undefined || !LOG_METHODS.has(method)) return undefined;
    const receiver = loggerReceiver(file, callee.object);
    if (receiver === undefined) return undefined;
    return { name: `${receiver.name}.${method}`, args: node.arguments, debugLevel: DEBUG_LEVELS.has(method), redacts: receiver.redacts };
  }
  if (callee.type === AST_NODE_TYPES.Identifier && isDebugModule(file, callee))
    return { name: `${callee.name}()`, args: node.arguments, debugLevel: true, redacts: false };
  return undefined;
}

/** The logger `receiver` is, if it is one: `console`, a name like `logger`, or a value a logger factory made. */
function loggerReceiver(file: SourceFile, receiver: TSESTree.Node): { name: string; redacts: boolean } | undefined {
  const at = unwrap(receiver);
  const qualified = qualifiedName(file, at);
  if (qualified === 'console') return { name: 'console', redacts: false };
  const own = at.type === AST_NODE_TYPES.Identifier ? at.name : at.type === AST_NODE_TYPES.MemberExpression ? memberName(at) : undefined;
  const made = originsOf(file, at).find(
    (origin) => origin.kind === 'call' && origin.name !== undefined && (LOGGER_FACTORIES.has(origin.name) || origin.name.endsWith('.child')),
  );
  const redacts = made?.kind === 'call' && made.node.arguments.some((argument) => isRedactingOptions(unwrap(argument)));
  if (made !== undefined) return { name: own ?? 'logger', redacts };
  if (own !== undefined && LOGGER_NAME.test(own)) return { name: own, redacts: false };
  return undefined;
}

function isRedactingOptions(options: TSESTree.Node): boolean {
  return options.type === AST_NODE_TYPES.ObjectExpression && objectProperty(options, 'redact') !== undefined;
}

/** `debug('ns')` of the debug module, however it was imported (`import createDebug from 'debug'`, `require('debug')('ns')`). */
function isDebugModule(file: SourceFile, callee: TSESTree.Identifier): boolean {
  return originsOf(file, callee).some((origin) => {
    if (origin.kind !== 'call') return false;
    if (origin.name === 'debug') return true;
    const inner = unwrap(origin.node.callee);
    return requiredModule(inner) === 'debug';
  });
}

/** Inside the branch of an `if` (or `&&`, `?:`) that tests a debug switch. */
function isDebugGuarded(node: TSESTree.Node): boolean {
  for (let child = node, at = node.parent; at !== undefined; child = at, at = at.parent) {
    const test =
      at.type === AST_NODE_TYPES.IfStatement && at.consequent === child
        ? at.test
        : at.type === AST_NODE_TYPES.ConditionalExpression && at.consequent === child
          ? at.test
          : at.type === AST_NODE_TYPES.LogicalExpression && at.operator === '&&' && at.right === child
            ? at.left
            : undefined;
    if (test !== undefined && mentionsDebugSwitch(test)) return true;
  }
  return false;
}

function mentionsDebugSwitch(test: TSESTree.Node): boolean {
  let found = false;
  walk(test, (node) => {
    if (node.type === AST_NODE_TYPES.Identifier && DEBUG_SWITCH.test(node.name)) found = true;
    if (node.type === AST_NODE_TYPES.Literal && typeof node.value === 'string' && DEBUG_SWITCH.test(node.value)) found = true;
  });
  return found;
}
