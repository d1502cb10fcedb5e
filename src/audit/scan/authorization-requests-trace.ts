/**
 * ParameterTrace: what an authorization request's parameters visibly are, followed from where
 * the container (object, URLSearchParams, URL, query text) is made to everywhere it goes in the
 * file, and whether it is visibly sent. Used by authorization-requests.ts, which also shares the
 * string helpers below to find requests written as URL text.
 */
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/typescript-estree';
import { memberName, stringValue, unwrap } from './ast.js';
import { calleeName } from './names.js';
import { keyName, libraryCall, libraryCalleeName } from './oauth-libraries.js';
import type { SourceFile } from './source-file.js';

export function isStringPiece(node: TSESTree.Node | undefined): node is TSESTree.Literal | TSESTree.TemplateLiteral | TSESTree.BinaryExpression {
  if (node === undefined) return false;
  if (node.type === AST_NODE_TYPES.TemplateLiteral) return true;
  if (node.type === AST_NODE_TYPES.Literal) return typeof node.value === 'string';
  return node.type === AST_NODE_TYPES.BinaryExpression && node.operator === '+';
}

/** The pieces of a string built by `+` and templates: literal text, or an expression. */
export function concatParts(node: TSESTree.Node): (string | TSESTree.Node)[] {
  const at = unwrap(node);
  if (at.type === AST_NODE_TYPES.Literal && typeof at.value === 'string') return [at.value];
  if (at.type === AST_NODE_TYPES.TemplateLiteral)
    return at.quasis.flatMap((quasi, index) => {
      const expression = at.expressions[index];
      return [quasi.value.cooked ?? '', ...(expression === undefined ? [] : concatParts(expression))];
    });
  if (at.type === AST_NODE_TYPES.BinaryExpression && at.operator === '+') return [...concatParts(at.left), ...concatParts(at.right)];
  return [at];
}

/** Calls that turn parameters into query text. */
const STRINGIFIERS = new Set(['String', 'querystring.stringify', 'qs.stringify', 'query-string.stringify', 'querystring.encode']);

/** Methods of URLSearchParams (and reads of an object) that change nothing. */
const READERS = new Set(['get', 'getAll', 'has', 'forEach', 'entries', 'keys', 'values', 'sort', 'size']);

/** Calls whose argument is a finished URL or parameters sent as they are: a redirect, a fetch, a window, a log. */
const FINAL_CALLS = /^(redirect|fetch|open|assign|replace|location|log|info|debug|warn|error|json|send|push|navigate|openExternal|openBrowser|launch)$/;

/**
 * What a request's parameters visibly are: the keys written where the container is made and
 * everywhere it goes in this file. Passing the container to a function we do not know,
 * returning it, or splicing unknown text into its query makes it not fully visible.
 */
export class ParameterTrace {
  readonly keys = new Set<string>();
  readonly roots = new Set<object>();
  visible = true;
  /** The parameters visibly leave as a URL: query text, a URL object, a redirect or fetch, a library call (a stored record does not). */
  sent = false;
  private steps = 0;

  constructor(private readonly file: SourceFile) {}

  /** A container value (object literal, URLSearchParams, URL, a variable holding one): what it holds, then where it goes. */
  value(node: TSESTree.Node): void {
    const at = unwrap(node);
    if (at.type === AST_NODE_TYPES.Identifier) {
      this.variable(at);
      return;
    }
    this.holds(at);
    this.uses(at);
  }

  /** The receiver of `.set('response_type', …)`: `params`, `url.searchParams`. */
  receiver(node: TSESTree.Node): void {
    const at = unwrap(node);
    if (at.type === AST_NODE_TYPES.Identifier) {
      this.variable(at);
      return;
    }
    if (at.type === AST_NODE_TYPES.MemberExpression && memberName(at) === 'searchParams') {
      this.receiver(at.object);
      return;
    }
    this.visible = false;
  }

  /** A URL or query string: the keys in its text, then where it goes. */
  text(node: TSESTree.Node): void {
    this.roots.add(node);
    this.sent = true;
    this.readText(node, undefined);
    this.stringUses(node);
  }

  private budget(): boolean {
    this.steps += 1;
    if (this.steps > 200) this.visible = false;
    return this.steps <= 200;
  }

  private holds(at: TSESTree.Node): void {
    if (this.roots.has(at) || !this.budget()) return;
    this.roots.add(at);
    if (at.type === AST_NODE_TYPES.ObjectExpression) {
      if (!at.properties.every((property) => property.type === AST_NODE_TYPES.Property && keyName(property) !== undefined)) this.visible = false;
      for (const property of at.properties) if (property.type === AST_NODE_TYPES.Property) this.addKey(keyName(property));
      return;
    }
    if (at.type === AST_NODE_TYPES.NewExpression) {
      const name = calleeName(this.file, at);
      const [first] = at.arguments;
      if (name === 'URLSearchParams') {
        if (first === undefined) return;
        const argument = unwrap(first);
        if (argument.type === AST_NODE_TYPES.ArrayExpression) {
          for (const pair of argument.elements) {
            const key = pair?.type === AST_NODE_TYPES.ArrayExpression && pair.elements[0] ? stringValue(pair.elements[0]) : undefined;
            this.addKey(key);
          }
          return;
        }
        if (argument.type === AST_NODE_TYPES.Identifier) {
          this.variable(argument);
          return;
        }
        this.holds(argument);
        return;
      }
      // new URL(endpoint): the endpoint's own query is the server's; a template's text is read.
      if (name === 'URL') {
        this.sent = true;
        if (first !== undefined && isStringPiece(unwrap(first))) this.readText(first, undefined);
        return;
      }
    }
    if (isStringPiece(at)) {
      this.readText(at, undefined);
      return;
    }
    // const params = url.searchParams: the URL's parameters, wherever else the URL goes.
    if (at.type === AST_NODE_TYPES.MemberExpression && memberName(at) === 'searchParams') {
      this.value(at.object);
      return;
    }
    this.visible = false;
  }

  private addKey(key: string | undefined): void {
    if (key === undefined) this.visible = false;
    else this.keys.add(key);
  }

  private variable(identifier: TSESTree.Identifier): void {
    const variable = this.file.referenceOf(identifier)?.resolved ?? undefined;
    if (variable === undefined || variable.defs.length !== 1) {
      this.visible = false;
      return;
    }
    if (this.roots.has(variable) || !this.budget()) return;
    this.roots.add(variable);
    const declarator = variable.defs[0]!.node;
    if (
      declarator.type !== AST_NODE_TYPES.VariableDeclarator ||
      declarator.id.type !== AST_NODE_TYPES.Identifier ||
      declarator.parent.parent?.type === AST_NODE_TYPES.ExportNamedDeclaration
    ) {
      this.visible = false;
      return;
    }
    // Every value it is given: its initialiser and, for `let url; if (…) url = new URL(a); else url = new URL(b)`, each assignment.
    const values: TSESTree.Node[] = declarator.init === null ? [] : [declarator.init];
    for (const reference of variable.references) {
      if (!reference.isWrite() || reference.init === true) continue;
      const write = reference.identifier.parent;
      if (write?.type === AST_NODE_TYPES.AssignmentExpression && write.operator === '=' && write.left === reference.identifier) values.push(write.right);
      else this.visible = false;
    }
    if (values.length === 0) this.visible = false;
    for (const value of values) this.holds(unwrap(value));
    for (const reference of variable.references) if (!reference.isWrite()) this.uses(reference.identifier);
  }

  /** Where a container goes. */
  private uses(node: TSESTree.Node): void {
    if (!this.budget()) return;
    const parent = node.parent;
    if (parent === undefined) return;
    switch (parent.type) {
      case AST_NODE_TYPES.TSAsExpression:
      case AST_NODE_TYPES.TSNonNullExpression:
      case AST_NODE_TYPES.TSSatisfiesExpression:
      case AST_NODE_TYPES.ChainExpression:
      case AST_NODE_TYPES.AwaitExpression:
        this.uses(parent);
        return;
      case AST_NODE_TYPES.MemberExpression:
        if (parent.object === node) this.member(parent);
        return;
      case AST_NODE_TYPES.CallExpression:
        if (parent.callee === node) this.opaque();
        else this.argument(parent);
        return;
      case AST_NODE_TYPES.NewExpression: {
        const name = calleeName(this.file, parent);
        if (name === 'URLSearchParams' || name === 'URL') this.uses(parent);
        else this.opaque();
        return;
      }
      case AST_NODE_TYPES.VariableDeclarator:
        if (parent.init === node && parent.id.type === AST_NODE_TYPES.Identifier) {
          this.variable(parent.id);
          return;
        }
        return;
      case AST_NODE_TYPES.TemplateLiteral:
      case AST_NODE_TYPES.BinaryExpression:
        this.string(node);
        return;
      case AST_NODE_TYPES.ExpressionStatement:
        return;
      case AST_NODE_TYPES.AssignmentExpression:
        if (parent.right === node && isLocationWrite(parent.left)) this.sent = true;
        else this.opaque();
        return;
      default:
        // Returned, put in another object, spread: built further where we cannot see.
        this.opaque();
        return;
    }
  }

  private opaque(): void {
    this.visible = false;
  }

  private member(member: TSESTree.MemberExpression): void {
    const name = memberName(member);
    if (name === 'searchParams') {
      this.uses(member);
      return;
    }
    const call = member.parent.type === AST_NODE_TYPES.CallExpression && member.parent.callee === member ? member.parent : undefined;
    if (call !== undefined) {
      const key = call.arguments[0] === undefined ? undefined : stringValue(call.arguments[0]);
      if (name === 'set' || name === 'append') {
        this.addKey(key);
        return;
      }
      if (name === 'delete') {
        if (key !== undefined) this.keys.delete(key);
        return;
      }
      if (name !== undefined && READERS.has(name)) return;
      if (name === 'toString' || name === 'toJSON') {
        this.string(call);
        return;
      }
      this.opaque();
      return;
    }
    if (member.parent.type === AST_NODE_TYPES.AssignmentExpression && member.parent.left === member) {
      if (name === 'search' || name === 'href' || name === 'hash' || name === undefined) {
        this.opaque();
        return;
      }
      this.addKey(name);
      return;
    }
    if (name === 'href' || name === 'search') {
      this.string(member);
      return;
    }
  }

  private argument(call: TSESTree.CallExpression): void {
    const name = calleeName(this.file, call) ?? libraryCalleeName(this.file, call);
    if (name !== undefined && STRINGIFIERS.has(name)) {
      this.string(call);
      return;
    }
    if (name === 'Object.entries' || name === 'Object.keys' || name === 'Object.fromEntries') return;
    const callee = unwrap(call.callee);
    const last = callee.type === AST_NODE_TYPES.MemberExpression ? memberName(callee) : callee.type === AST_NODE_TYPES.Identifier ? callee.name : undefined;
    if (libraryCall(this.file, call)?.kind === 'authorization-request' || (last !== undefined && FINAL_CALLS.test(last))) this.sent = true;
    // JSON.stringify: a record stored, not a request sent; anything else may add to it.
    else this.opaque();
  }

  /** A string made from the container (`params.toString()`, `` `${endpoint}?${params}` ``): the text around it, then where it goes. */
  private string(node: TSESTree.Node): void {
    this.sent = true;
    let top = node;
    while (isStringPiece(top.parent) && top.parent.type !== AST_NODE_TYPES.Literal) top = top.parent;
    if (top !== node) this.readText(top, node);
    this.stringUses(top);
  }

  /** The keys in the literal text of a concatenation; an expression spliced where a key could be hides what it adds. */
  private readText(top: TSESTree.Node, container: TSESTree.Node | undefined): void {
    let text = '';
    for (const part of concatParts(top)) {
      if (typeof part === 'string') {
        text += part;
        continue;
      }
      const query = text.indexOf('?');
      // The base URL before `?`, a value after `=`, or the container itself.
      if (part !== container && query !== -1 && !text.endsWith('=')) this.visible = false;
      text += '\u0000';
    }
    for (const match of text.matchAll(/(?:^|[?&])([\w.-]+)=/g)) this.keys.add(match[1]!);
  }

  /** Where a finished URL string goes: into `new URL(…)` (a container again), a variable, or out (final). */
  private stringUses(node: TSESTree.Node): void {
    if (!this.budget()) return;
    const parent = node.parent;
    if (parent === undefined) return;
    if (parent.type === AST_NODE_TYPES.NewExpression && calleeName(this.file, parent) === 'URL') {
      this.uses(parent);
      return;
    }
    if (parent.type === AST_NODE_TYPES.VariableDeclarator && parent.init === node && parent.id.type === AST_NODE_TYPES.Identifier) {
      const variable = this.file.referenceOf(parent.id)?.resolved ?? undefined;
      const identifierVariable = variable ?? this.file.scopes.getDeclaredVariables(parent)[0];
      if (identifierVariable === undefined || this.roots.has(identifierVariable)) return;
      this.roots.add(identifierVariable);
      for (const reference of identifierVariable.references) if (!reference.isWrite()) this.string(reference.identifier);
      return;
    }
    if (parent.type === AST_NODE_TYPES.TSAsExpression || parent.type === AST_NODE_TYPES.TSNonNullExpression || parent.type === AST_NODE_TYPES.AwaitExpression)
      this.stringUses(parent);
    return;
  }
}

/** `location.href = url`, `window.location = url`: the browser goes there. */
function isLocationWrite(left: TSESTree.Node): boolean {
  const at = unwrap(left);
  if (at.type !== AST_NODE_TYPES.MemberExpression) return false;
  const name = memberName(at);
  return (
    name === 'location' ||
    (name === 'href' && unwrap(at.object).type === AST_NODE_TYPES.MemberExpression && memberName(unwrap(at.object) as TSESTree.MemberExpression) === 'location')
  );
}
