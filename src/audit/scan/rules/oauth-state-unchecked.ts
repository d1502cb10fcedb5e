import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/typescript-estree';
import { mcpAuth, oauth21, rfc } from '../../catalogue/spec.js';
import { enclosingFunction, type FunctionNode, isFunction, memberName, stringValue, unwrap, walk } from '../ast.js';
import { authorizationRequests } from '../authorization-requests.js';
import { namedValues } from '../named-values.js';
import { calleeName, declaredVariable, qualifiedName } from '../names.js';
import { isNothing, libraryCall } from '../oauth-libraries.js';
import { memberKey, queryReads } from '../request-query.js';
import type { RuleMatch, ScanRule } from '../scan-rule.js';
import type { SourceFile } from '../source-file.js';

/**
 * oauth-state-unchecked: a redirect-URI callback that reads `code` from the query and passes it
 * on (to a token request, a library, a promise) but never compares `state` with the value stored
 * when the flow started: it does not read `state` at all while this module sends one, it reads
 * it and only passes it along (mcp-remote's callback server), or it only checks that it is there
 * (`if (!state)`). Also a library told to skip the check (`skipStateCheck`). An unchecked state
 * is no CSRF protection: an attacker's code is accepted in the victim's browser (RFC 6749
 * §10.12). High without PKCE, Low when the module uses PKCE (OAuth 2.1 §7.12).
 *
 * Deliberately silent on: a library that compares state (openid-client `callback(…, { state })`,
 * v6 `authorizationCodeGrant(…, { expectedState })`, oauth4webapi `validateAuthResponse(…, state)`,
 * passport's `authenticate`); PKCE-only flows where no state is sent (oauth-state-missing's
 * business); an authorization server's endpoints (they read `response_type` or `grant_type`, not a
 * callback's `code` from the query); a lookup by state (`pending.get(state)`,
 * `sessions[state]`, `verifyState(state)`), which rejects what was never stored.
 * @see RFC 6749 §10.12; OAuth 2.1 §7.12; MCP authorization, authorization code protection; CWE-352
 */
export const OAUTH_STATE_UNCHECKED: ScanRule = {
  id: 'oauth-state-unchecked',
  mentions: /code|state/i,
  title: 'An OAuth callback that does not check state',
  severity: 'high',
  cwe: ['CWE-352'],
  spec: [rfc(6749, '10.12'), oauth21('7.12'), mcpAuth('code-protection')],
  precision: 'medium',
  why: 'A callback that accepts any state redeems a code an attacker started, logging the victim in to the attacker’s account or binding the attacker’s grant to the victim (login CSRF).',
  fix: 'Compare the returned state with the one stored for this browser when the flow started (session or HttpOnly cookie), reject a mismatch, and delete it after use.',
  tags: ['oauth', 'csrf'],
  *find(file: SourceFile): Generator<RuleMatch> {
    const severity = usesPkce(file) ? ('low' as const) : undefined;
    const lower = severity === undefined ? {} : { severity };
    yield* skippedChecks(file, lower);
    const handlers = new Map<TSESTree.Node, TSESTree.Node>();
    for (const read of queryReads(file, file.program, 'code')) {
      const scope = enclosingHandler(read);
      if (!handlers.has(scope)) handlers.set(scope, read);
    }
    for (const [scope, codeRead] of handlers) {
      if (queryReads(file, scope, 'grant_type').length > 0 || !queryReads(file, scope, 'code').some((read) => carriers(file, read).some(passesOn))) continue;
      if (libraryHandlesState(file, scope)) continue;
      const states = queryReads(file, scope, 'state');
      if (states.length === 0) {
        if (sendsState(file))
          yield {
            node: codeRead,
            message: 'This callback uses the authorization code but never reads state, which this module sends: any state is accepted.',
            ...lower,
          };
        continue;
      }
      const uses = states.flatMap((read) => carriers(file, read));
      if (uses.some((use) => compares(file, use, 0))) continue;
      const presence = uses.some(checksPresence);
      yield {
        node: states[0]!,
        message: presence
          ? 'This callback only checks that state is present, never that it is the one stored when the flow started.'
          : 'This callback reads state but never compares it with the one stored when the flow started.',
        ...lower,
      };
    }
  },
};

/** The function a read is in, or the whole module (a browser callback page's top level). */
function enclosingHandler(node: TSESTree.Node): TSESTree.Node {
  const inner = enclosingFunction(node);
  // The route's callback (`app.get('/cb', (req, res) => …)`) is the handler; a helper inside it is part of it.
  for (let outer = inner; outer !== undefined; outer = enclosingFunction(outer)) if (isHandler(outer)) return outer;
  let root: TSESTree.Node = node;
  while (root.parent !== undefined) root = root.parent;
  return inner ?? root;
}

/** `(req, res)`, `(c)`, `(request)`, `(ctx)`: a function shaped like a route handler. */
function isHandler(fn: FunctionNode): boolean {
  const [first] = fn.params;
  return first?.type === AST_NODE_TYPES.Identifier && /^(req|request|c|ctx|context|event)$/.test(first.name);
}

/** Calls a value goes through unchanged (for this rule's purpose): `String(state)`, `decodeURIComponent(state)`. */
const CARRYING = new Set(['String', 'decodeURIComponent', 'Buffer.from', 'encodeURIComponent']);

/** A call whose result stands for its argument: a conversion, or a hash (a store keyed by the state's hash). */
function carries(file: SourceFile, call: TSESTree.CallExpression): boolean {
  if (CARRYING.has(calleeName(file, call) ?? '')) return true;
  const callee = unwrap(call.callee);
  const name = callee.type === AST_NODE_TYPES.MemberExpression ? memberName(callee) : callee.type === AST_NODE_TYPES.Identifier ? callee.name : undefined;
  return name !== undefined && /hash|digest|sha256/i.test(name);
}

/** The expressions that hold the value `read` produced: the read itself, or each use of the variable it is stored in. */
function carriers(file: SourceFile, read: TSESTree.Node, depth = 0): TSESTree.Node[] {
  let at: TSESTree.Node = read;
  for (;;) {
    const parent = at.parent;
    if (parent === undefined) break;
    if (parent.type === AST_NODE_TYPES.TSAsExpression || parent.type === AST_NODE_TYPES.TSNonNullExpression || parent.type === AST_NODE_TYPES.ChainExpression)
      at = parent;
    else if (parent.type === AST_NODE_TYPES.LogicalExpression && parent.left === at && parent.operator !== '&&') at = parent;
    else if (parent.type === AST_NODE_TYPES.CallExpression && parent.arguments[0] === at && carries(file, parent)) at = parent;
    else if (
      parent.type === AST_NODE_TYPES.MemberExpression &&
      parent.object === at &&
      ['toString', 'trim'].includes(memberName(parent) ?? '') &&
      parent.parent?.type === AST_NODE_TYPES.CallExpression
    )
      at = parent.parent;
    else break;
  }
  // A destructured binding, or `const state = …`: every read of the variable.
  const identifier =
    at.type === AST_NODE_TYPES.Identifier && at.parent?.type !== AST_NODE_TYPES.MemberExpression && isBinding(at)
      ? at
      : at.parent?.type === AST_NODE_TYPES.VariableDeclarator && at.parent.init === at && at.parent.id.type === AST_NODE_TYPES.Identifier
        ? at.parent.id
        : undefined;
  if (identifier === undefined || depth > 2) return [at];
  let declaration: TSESTree.Node = identifier;
  while (declaration.parent !== undefined && declaration.type !== AST_NODE_TYPES.VariableDeclarator && !isFunction(declaration))
    declaration = declaration.parent;
  const variable = file.scopes.getDeclaredVariables(declaration).find((each) => each.name === identifier.name);
  if (variable === undefined) return [at];
  return variable.references.filter((reference) => !reference.isWrite()).flatMap((reference) => carriers(file, reference.identifier, depth + 1));
}

/** An identifier that declares a variable (a declarator's id or a destructuring pattern's value). */
function isBinding(identifier: TSESTree.Identifier): boolean {
  const parent = identifier.parent;
  return (
    (parent?.type === AST_NODE_TYPES.VariableDeclarator && parent.id === identifier) ||
    (parent?.type === AST_NODE_TYPES.Property && parent.value === identifier && parent.parent.type === AST_NODE_TYPES.ObjectPattern) ||
    (parent?.type === AST_NODE_TYPES.AssignmentPattern && parent.left === identifier)
  );
}

/** The value leaves the expression it is in: a call argument, an object or array, a return, a template, an assignment. */
function passesOn(use: TSESTree.Node): boolean {
  const parent = use.parent;
  if (parent === undefined) return false;
  switch (parent.type) {
    case AST_NODE_TYPES.CallExpression:
    case AST_NODE_TYPES.NewExpression:
      return parent.callee !== use;
    case AST_NODE_TYPES.Property:
      return parent.value === use;
    case AST_NODE_TYPES.ArrayExpression:
    case AST_NODE_TYPES.ReturnStatement:
    case AST_NODE_TYPES.TemplateLiteral:
    case AST_NODE_TYPES.AwaitExpression:
      return true;
    case AST_NODE_TYPES.AssignmentExpression:
      return parent.right === use;
    case AST_NODE_TYPES.ArrowFunctionExpression:
      return parent.body === use;
    default:
      return false;
  }
}

/** Callees that look a state up or compare it: a store keyed by state rejects what was never stored. */
const VALIDATES =
  /^(get|has|delete|pop|includes|getdel|getDel|where|jwtVerify|jwtDecrypt|equals?)$|^(take|find|load|consume|claim|redeem|lookup|retrieve|compare|verify|validate|check|assert|match|unseal|unsign|decrypt)|(Equal|Equals|Matches)$/;

/** Whether `use` (a carrier of the returned state) is compared with something that is not a literal, or looked up. */
function compares(file: SourceFile, use: TSESTree.Node, depth: number): boolean {
  const parent = use.parent;
  if (parent === undefined) return false;
  if (parent.type === AST_NODE_TYPES.BinaryExpression && ['===', '!==', '==', '!='].includes(parent.operator)) {
    const other = unwrap(parent.left === use ? parent.right : parent.left);
    return !(other.type === AST_NODE_TYPES.Literal || isNothing(other) || (other.type === AST_NODE_TYPES.UnaryExpression && other.operator === 'typeof'));
  }
  // sessions[state], pending[state]: a lookup by state.
  if (parent.type === AST_NODE_TYPES.MemberExpression && parent.computed && parent.property === use) return true;
  if ((parent.type === AST_NODE_TYPES.CallExpression || parent.type === AST_NODE_TYPES.NewExpression) && parent.callee !== use) {
    const callee = unwrap(parent.callee);
    const name = callee.type === AST_NODE_TYPES.MemberExpression ? memberName(callee) : callee.type === AST_NODE_TYPES.Identifier ? callee.name : undefined;
    if (name !== undefined && VALIDATES.test(name)) return true;
    // A helper of this module: does it compare the parameter?
    const fn = depth < 2 ? localFunction(file, callee) : undefined;
    const index = parent.arguments.indexOf(use as TSESTree.CallExpressionArgument);
    const param = fn?.params[index];
    if (param?.type === AST_NODE_TYPES.Identifier) return carriers(file, param).some((inner) => inner !== param && compares(file, inner, depth + 1));
  }
  return false;
}

/** A function declared in this module under the callee's name. */
function localFunction(file: SourceFile, callee: TSESTree.Node): FunctionNode | undefined {
  if (callee.type !== AST_NODE_TYPES.Identifier) return undefined;
  const definition = declaredVariable(file, callee)?.defs[0];
  const node = definition?.node;
  if (node === undefined) return undefined;
  if (node.type === AST_NODE_TYPES.FunctionDeclaration) return node;
  if (node.type === AST_NODE_TYPES.VariableDeclarator && node.init !== null && isFunction(unwrap(node.init))) return unwrap(node.init) as FunctionNode;
  return undefined;
}

/** `if (!state)`, `if (state)`, `state && …`, `typeof state !== 'string'`, `state === undefined`: presence, not equality. */
function checksPresence(use: TSESTree.Node): boolean {
  const parent = use.parent;
  if (parent === undefined) return false;
  if (parent.type === AST_NODE_TYPES.UnaryExpression) return parent.operator === '!' || parent.operator === 'typeof';
  if (parent.type === AST_NODE_TYPES.BinaryExpression) return true;
  if (parent.type === AST_NODE_TYPES.LogicalExpression) return true;
  return (parent.type === AST_NODE_TYPES.IfStatement || parent.type === AST_NODE_TYPES.ConditionalExpression) && parent.test === use;
}

/** Middleware named for what it checks. */
const MIDDLEWARE = /state|csrf|oauth|verif|valid|check/i;

/**
 * A library in the handler owns the state check: a cataloged callback validator given an
 * expected state (it compares), or given none (it rejects any state: a stateless PKCE flow, not
 * this rule's business); passport's `authenticate` beside or inside the handler; a middleware
 * beside the handler named for the check (`verifyState`, `csrfProtection`), whose body is elsewhere.
 */
function libraryHandlesState(file: SourceFile, scope: TSESTree.Node): boolean {
  let handled = false;
  const route = scope.parent?.type === AST_NODE_TYPES.CallExpression ? scope.parent : undefined;
  // app.get('/callback', verifyState, (req, res) => …): a middleware beside the handler may check it.
  for (const argument of route?.arguments ?? []) {
    const at = unwrap(argument.type === AST_NODE_TYPES.CallExpression ? argument.callee : argument);
    const name = at.type === AST_NODE_TYPES.Identifier ? at.name : at.type === AST_NODE_TYPES.MemberExpression ? memberName(at) : undefined;
    if (argument !== scope && name !== undefined && MIDDLEWARE.test(name)) return true;
  }
  for (const root of [scope, ...(route?.arguments ?? [])])
    walk(root, (node) => {
      if (handled || node.type !== AST_NODE_TYPES.CallExpression) return;
      if (qualifiedName(file, node.callee)?.endsWith('.authenticate') === true || calleeName(file, node) === 'passport.authenticate') handled = true;
      const known = libraryCall(file, node);
      if (known?.kind === 'callback' && known.entry.expectedState !== 'none') handled = true;
    });
  return handled;
}

/** `oauth.skipStateCheck` / `client.skipStateCheck` given where the expected state goes. */
function* skippedChecks(file: SourceFile, lower: { severity?: 'low' }): Generator<RuleMatch> {
  const found: RuleMatch[] = [];
  walk(file.program, (node) => {
    if (node.type !== AST_NODE_TYPES.CallExpression) return;
    const known = libraryCall(file, node);
    if (known?.kind !== 'callback' || known.entry.expectedState === 'none') return;
    const { argument, key } = known.entry.expectedState;
    let value: TSESTree.Node | undefined = node.arguments[argument];
    if (value !== undefined && key !== undefined) {
      const options = unwrap(value);
      const property =
        options.type === AST_NODE_TYPES.ObjectExpression
          ? options.properties.find((each) => each.type === AST_NODE_TYPES.Property && memberKey(each) === key)
          : undefined;
      value = property?.type === AST_NODE_TYPES.Property ? property.value : undefined;
    }
    if (value !== undefined && qualifiedName(file, value)?.endsWith('.skipStateCheck') === true)
      found.push({ node: value, message: `${known.entry.library} ${known.entry.call} is told to skip the state check.`, ...lower });
  });
  yield* found;
}

/**
 * The module sends a state: in an authorization request it builds, or from an MCP SDK
 * `OAuthClientProvider` whose `state()` method the SDK's `auth()` puts in the request.
 */
function sendsState(file: SourceFile): boolean {
  if (authorizationRequests(file).some((request) => request.state === 'sent')) return true;
  let found = false;
  walk(file.program, (node) => {
    if (found || node.type !== AST_NODE_TYPES.ClassBody) return;
    const names = new Set(node.body.map((member) => (member.type === AST_NODE_TYPES.MethodDefinition ? memberKeyOf(member) : undefined)));
    found = names.has('state') && (names.has('redirectUrl') || names.has('saveCodeVerifier'));
  });
  return found;
}

function memberKeyOf(member: TSESTree.MethodDefinition): string | undefined {
  return member.computed ? undefined : member.key.type === AST_NODE_TYPES.Identifier ? member.key.name : stringValue(member.key);
}

const PKCE_NAMES = /^(code_?verifier|pkce_?code_?verifier|code_?challenge)$/i;

/** The module visibly uses PKCE: a challenge sent, a verifier named, a PKCE helper called, the MCP SDK's flow. */
function usesPkce(file: SourceFile): boolean {
  if (authorizationRequests(file).some((request) => request.pkce === 'sent' || request.pkce === 'library')) return true;
  if (namedValues(file).some((named) => PKCE_NAMES.test(named.name))) return true;
  let found = false;
  walk(file.program, (node) => {
    if (found || node.type !== AST_NODE_TYPES.CallExpression) return;
    const known = libraryCall(file, node);
    found = known?.kind === 'pkce-helper' || (known?.kind === 'callback' && known.entry.library === '@modelcontextprotocol/sdk');
    // The MCP SDK's transports finish the flow with the verifier they saved: finishAuth(code).
    if (!found && node.callee.type === AST_NODE_TYPES.MemberExpression && memberName(node.callee) === 'finishAuth') found = true;
  });
  return found;
}
