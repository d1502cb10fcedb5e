/**
 * authz-url-shell-open's sinks: the calls that reach a shell (the `open` package, `exec`, a process
 * call with `shell: true` or a shell program) and the values in each that may be the URL.
 */
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/typescript-estree';
import { objectProperty, stringValue, unwrap } from '../ast.js';
import { constantInit, type Shape, shapesOf } from '../constant-fold.js';
import { calleeName, declaredVariable, qualifiedName } from '../names.js';
import type { SourceFile } from '../source-file.js';
import { AUTHORIZATION_NAME, isConstant, nameOf } from './authz-url-shell-open-urls.js';

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

/** A shell-reaching call and the values in it that are the URL. */
export interface Sink {
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
export function sinkOf(file: SourceFile, call: TSESTree.CallExpression): Sink | undefined {
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
