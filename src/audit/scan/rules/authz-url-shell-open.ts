import type { Variable } from '@typescript-eslint/scope-manager';
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/typescript-estree';
import { cve, mcpSecurity, rfc } from '../../catalogue/spec.js';
import { enclosingFunction, type FunctionNode, isFunction, memberName, objectProperty, staticPropertyName, stringValue, unwrap, walk } from '../ast.js';
import { calleeName, declaredVariable, qualifiedName } from '../names.js';
import { type Origin, originsOf } from '../provenance.js';
import type { RuleMatch, ScanRule } from '../scan-rule.js';
import type { SourceFile } from '../source-file.js';

/** The `open` package and its older name: on Windows they start the URL through PowerShell (CVE-2025-6514). */
const OPENERS = new Set(['open', 'open.default', 'opn', 'opn.default', 'better-opn', 'better-opn.default']);

/** Calls that run their command string through a shell. */
const SHELL_COMMANDS = new Set(['child_process.exec', 'child_process.execSync']);

/** Calls that run a program with an argument array: a shell only with `{ shell: true }` or when the program is one. */
const PROCESS_CALLS = new Set([
  'child_process.spawn',
  'child_process.spawnSync',
  'child_process.execFile',
  'child_process.execFileSync',
  'cross-spawn',
  'execa',
  'execa.execa',
]);

/** Programs that open a URL in the browser, as the first word of a command. */
const OPENER_COMMAND =
  /^\s*"?(open|xdg-open|start|cmd(\.exe)?|explorer(\.exe)?|rundll32|powershell|pwsh|wslview|gio|sensible-browser|x-www-browser)(?=[\s"]|$)/i;

/** Programs that are shells: `spawn('cmd', ['/c', 'start', url])` runs the URL through one. */
const SHELL_PROGRAM = /^(cmd|cmd\.exe|powershell|powershell\.exe|pwsh|sh|bash|zsh|\/bin\/sh|\/bin\/bash)$/i;

/**
 * Names of a value that came from the authorization server or is the authorization URL: metadata
 * fields (`authorization_endpoint`, a challenge's `resource_metadata`) and the names people give the
 * URL built from them (`authorizationUrl`, the MCP SDK's `redirectToAuthorization` argument).
 */
const AUTHORIZATION_NAME = /authori[sz]ation_?endpoint|resource_?metadata|authori[sz](ation|e)_?ur[li]|^auth_?ur[li]$|login_?ur[li]|_endpoint$/i;

/** Sanitisers from libraries: strict-url-sanitise is what mcp-remote adopted to fix CVE-2025-6514. */
const SANITISERS = new Set(['strict-url-sanitise.sanitizeUrl', 'strict-url-sanitize.sanitizeUrl', '@braintree/sanitize-url.sanitizeUrl']);

/** A shell-reaching call and the values in it that are the URL. */
interface Sink {
  readonly call: TSESTree.CallExpression;
  readonly urls: readonly TSESTree.Node[];
  /** How the shell is reached, for the message. */
  readonly how: string;
  /**
   * A command line a shell parses (exec, `shell: true`, cmd): any URL it does not write is a finding.
   * The `open` package mostly opens a tool's own pages, so there only an authorization or metadata URL is.
   */
  readonly commandLine: boolean;
}

/** One alternative of a string built from parts: its leading text and the parts that are not constant. */
interface Shape {
  readonly lead: string;
  readonly holes: readonly TSESTree.Node[];
}

/** The shapes a command string can take, following constants, conditionals, templates and `+` (bounded). */
function shapesOf(file: SourceFile, node: TSESTree.Node, depth = 0): Shape[] {
  const at = unwrap(node);
  const text = stringValue(at);
  if (text !== undefined) return [{ lead: text, holes: [] }];
  if (depth > 6) return [{ lead: '', holes: [at] }];
  if (at.type === AST_NODE_TYPES.ConditionalExpression)
    return [...shapesOf(file, at.consequent, depth + 1), ...shapesOf(file, at.alternate, depth + 1)].slice(0, 8);
  if (at.type === AST_NODE_TYPES.Identifier) {
    const init = constantInit(file, at);
    return init === undefined ? [{ lead: '', holes: [at] }] : shapesOf(file, init, depth + 1);
  }
  if (at.type === AST_NODE_TYPES.TemplateLiteral) {
    let shapes: Shape[] = [{ lead: '', holes: [] }];
    at.quasis.forEach((quasi, index) => {
      shapes = shapes.map((shape) => append(shape, { lead: quasi.value.cooked ?? '', holes: [] }));
      const expression = at.expressions[index];
      if (expression !== undefined) shapes = shapes.flatMap((shape) => shapesOf(file, expression, depth + 1).map((part) => append(shape, part))).slice(0, 8);
    });
    return shapes;
  }
  if (at.type === AST_NODE_TYPES.BinaryExpression && at.operator === '+') {
    const right = shapesOf(file, at.right, depth + 1);
    return shapesOf(file, at.left, depth + 1)
      .flatMap((left) => right.map((part) => append(left, part)))
      .slice(0, 8);
  }
  return [{ lead: '', holes: [at] }];
}

/** `shape` followed by `part`: the lead grows only while no hole came before. */
function append(shape: Shape, part: Shape): Shape {
  return shape.holes.length === 0 ? { lead: shape.lead + part.lead, holes: part.holes } : { lead: shape.lead, holes: [...shape.holes, ...part.holes] };
}

/** The initialiser of a `const` (or a `let` never written again). */
function constantInit(file: SourceFile, identifier: TSESTree.Identifier): TSESTree.Node | undefined {
  const variable = declaredVariable(file, identifier);
  const definition = variable?.defs.length === 1 ? variable.defs[0] : undefined;
  if (definition?.node.type !== AST_NODE_TYPES.VariableDeclarator || definition.node.id !== definition.name || definition.node.init === null) return undefined;
  const init = definition.node.init;
  return variable!.references.some((reference) => reference.isWrite() && reference.writeExpr !== init) ? undefined : init;
}

/** The qualified name of a callee, seeing through `promisify(exec)`. */
function sinkName(file: SourceFile, call: TSESTree.CallExpression): string | undefined {
  const name = calleeName(file, call);
  if (name !== undefined) return name;
  const callee = unwrap(call.callee);
  const init = callee.type === AST_NODE_TYPES.Identifier ? constantInit(file, callee) : undefined;
  const made = init === undefined ? undefined : unwrap(init);
  if (made?.type === AST_NODE_TYPES.CallExpression && ['util.promisify', 'promisify'].includes(calleeName(file, made) ?? '') && made.arguments[0] !== undefined)
    return qualifiedName(file, made.arguments[0]);
  return undefined;
}

/** Whether the options object of a process call turns the shell on (`shell: true`, `shell: 'cmd.exe'`). */
function usesShell(file: SourceFile, options: TSESTree.Node | undefined): boolean {
  if (options === undefined) return false;
  let at = unwrap(options);
  if (at.type === AST_NODE_TYPES.Identifier) at = unwrap(constantInit(file, at) ?? at);
  if (at.type !== AST_NODE_TYPES.ObjectExpression) return false;
  const shell = objectProperty(at, 'shell');
  if (shell === undefined) return false;
  const value = unwrap(shell.value);
  return !(value.type === AST_NODE_TYPES.Literal && (value.value === false || value.value === null || value.value === ''));
}

/** The elements of an argument array written out (`[url]`, `['/c', 'start', '', url]`). */
function elementsOf(file: SourceFile, node: TSESTree.Node | undefined): TSESTree.Node[] | undefined {
  if (node === undefined) return undefined;
  let at = unwrap(node);
  if (at.type === AST_NODE_TYPES.Identifier) at = unwrap(constantInit(file, at) ?? at);
  if (at.type !== AST_NODE_TYPES.ArrayExpression) return undefined;
  return at.elements.flatMap((element) => (element === null ? [] : [element.type === AST_NODE_TYPES.SpreadElement ? element.argument : element]));
}

/** The call as a sink that reaches a shell, with the values in it that may be the URL; undefined when it is not one. */
function sinkOf(file: SourceFile, call: TSESTree.CallExpression): Sink | undefined {
  const name = sinkName(file, call);
  if (name === undefined) return undefined;
  const args = call.arguments.map((argument) => (argument.type === AST_NODE_TYPES.SpreadElement ? argument.argument : argument));
  // Only the package: `open()` and `window.open()` in a browser are the browser's, not a shell.
  if (OPENERS.has(name) && isImported(file, call.callee))
    return args[0] === undefined
      ? undefined
      : { call, urls: [args[0]], how: 'the open package, which starts it through PowerShell or cmd on Windows', commandLine: false };
  if (SHELL_COMMANDS.has(name) && args[0] !== undefined) {
    const urls = commandHoles(file, shapesOf(file, args[0]));
    return urls.length === 0
      ? undefined
      : { call, urls, how: `${name.replace('child_process.', '')}(), which runs the command through a shell`, commandLine: true };
  }
  if (!PROCESS_CALLS.has(name) || args[0] === undefined) return undefined;
  const program = shapesOf(file, args[0]);
  const list = elementsOf(file, args[1]);
  const options = list === undefined ? args[1] : args[2];
  if (usesShell(file, options)) {
    const urls = commandHoles(
      file,
      program.map((shape) => ({ lead: shape.lead, holes: [...shape.holes, ...(list ?? [])] })),
    );
    return urls.length === 0 ? undefined : { call, urls, how: `${name.replace('child_process.', '')}() with shell: true`, commandLine: true };
  }
  // `spawn('cmd', ['/c', 'start', '', url])`: no shell option, but the program is a shell.
  if (list !== undefined && program.some((shape) => shape.holes.length === 0 && SHELL_PROGRAM.test(shape.lead.trim()))) {
    // The URL after an opener word (`['/c', 'start', '""', url]`), or inside a command (`['-c', `xdg-open ${url}`]`).
    const urls = list.flatMap((element, index) =>
      list.slice(0, index).some((before) => OPENER_COMMAND.test(stringValue(before) ?? '')) && !isConstant(file, element)
        ? [element]
        : commandHoles(file, shapesOf(file, element)),
    );
    return urls.length === 0 ? undefined : { call, urls, how: `${program[0]!.lead.trim()}, a shell, given the URL as part of its command`, commandLine: true };
  }
  return undefined;
}

/** Whether the callee's root name is an import or a `require` of this module, not a global. */
function isImported(file: SourceFile, callee: TSESTree.Node): boolean {
  let at = unwrap(callee);
  while (at.type === AST_NODE_TYPES.MemberExpression) at = unwrap(at.object);
  return at.type === AST_NODE_TYPES.Identifier && declaredVariable(file, at) !== undefined;
}

/**
 * The non-constant parts of a command that are the URL: all of them after an opener word, else
 * those named like an authorization URL (`exec(`${browser} ${authorizationUrl}`)`). Other command
 * injection (`exec(`git clone ${repoUrl}`)`) is not this rule's.
 */
function commandHoles(file: SourceFile, shapes: readonly Shape[]): TSESTree.Node[] {
  const holes = new Set<TSESTree.Node>();
  for (const shape of shapes)
    for (const hole of shape.holes)
      if ((OPENER_COMMAND.test(shape.lead) || AUTHORIZATION_NAME.test(nameOf(hole) ?? '')) && !isConstant(file, hole)) holes.add(hole);
  return [...holes];
}

function nameOf(node: TSESTree.Node): string | undefined {
  const at = unwrap(node);
  if (at.type === AST_NODE_TYPES.Identifier) return at.name;
  if (at.type === AST_NODE_TYPES.MemberExpression) {
    const name = memberName(at);
    return name === 'href' || name === 'toString' ? nameOf(at.object) : name;
  }
  if (at.type === AST_NODE_TYPES.CallExpression) return nameOf(at.callee);
  return undefined;
}

/** A value every origin of which is written in the code: a literal, or a URL built from literals (`new URL('/authorize', 'https://as')`). */
function isConstant(file: SourceFile, node: TSESTree.Node): boolean {
  const origins = originsOf(file, node);
  return origins.length > 0 && origins.every((origin) => constantOrigin(file, origin));
}

function constantOrigin(file: SourceFile, origin: Origin): boolean {
  if (origin.kind === 'literal') return true;
  // The user's own settings and command line, not the server's: `open(process.env.APP_URL)`.
  if (origin.kind === 'read' && /^process\.(platform|env|argv)\b/.test(origin.path)) return true;
  // `new URL(literal)`, read as a whole or by a property (`.href`); its query may be set later, but its scheme and host are fixed.
  const node = origin.node;
  if ((origin.kind === 'call' || origin.kind === 'read') && node.type === AST_NODE_TYPES.NewExpression && calleeName(file, node) === 'URL')
    return node.arguments.every((argument) => argument.type !== AST_NODE_TYPES.SpreadElement && isConstant(file, argument));
  return false;
}

/** A number per variable, for {@link keyOf}. */
const variableIds = new Map<Variable, number>();

function variableKey(variable: Variable): string {
  if (!variableIds.has(variable)) variableIds.set(variable, variableIds.size);
  return `#${variableIds.get(variable)}`;
}

/** A key for "the same value": a variable, or a variable's property path (`metadata.authorization_endpoint`). */
function keyOf(file: SourceFile, node: TSESTree.Node): string | undefined {
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
function checkedValues(file: SourceFile, sink: TSESTree.Node): Set<string> {
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

/** The local functions' call sites, so a parameter can be judged by what this module passes it. */
function callSitesOf(file: SourceFile, fn: FunctionNode): TSESTree.CallExpression[] {
  const declared =
    fn.type === AST_NODE_TYPES.FunctionDeclaration
      ? fn.id
      : fn.parent.type === AST_NODE_TYPES.VariableDeclarator && fn.parent.id.type === AST_NODE_TYPES.Identifier
        ? fn.parent.id
        : null;
  if (declared === null || declared === undefined) return [];
  const variable = file.scopes
    .getDeclaredVariables(fn.type === AST_NODE_TYPES.FunctionDeclaration ? fn : fn.parent)
    .find((each) => each.name === declared.name);
  if (variable === undefined) return [];
  return variable.references.flatMap((reference) => {
    const parent = reference.identifier.parent;
    return parent?.type === AST_NODE_TYPES.CallExpression && parent.callee === reference.identifier ? [parent] : [];
  });
}

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
