/**
 * The authorization request (RFC 6749 §4.1.1): a zod/valibot/joi/yup schema that lets
 * code_challenge be left out, with nothing in the file refusing a request without one. Used by
 * the pkce-optional-server rule.
 */
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/typescript-estree';
import { memberName, staticPropertyName, stringValue, unwrap, walk } from '../ast.js';
import { qualifiedName } from '../names.js';
import { calleeLastName, isChallengeName, readName, refusesAlways } from '../pkce-checks.js';
import type { RuleMatch } from '../scan-rule.js';
import type { SourceFile } from '../source-file.js';
import { evaluate, presence } from './pkce-optional-server-conditions.js';

/** Keys only an authorization request has, or has together (RFC 6749 §4.1.1). */
const AUTHORIZE_ONLY = 'response_type';
const AUTHORIZE_PAIR = ['client_id', 'redirect_uri'];
/** Keys of a token request (RFC 6749 §4.1.3): such a schema is not the authorization request's. */
const TOKEN_KEYS = ['grant_type', 'code', 'code_verifier'];

/** Calls that build an object schema from a shape (zod, valibot, joi, yup, superstruct). */
const OBJECT_SCHEMA = new Set(['object', 'strictObject', 'looseObject', 'keys', 'shape', 'extend', 'append', 'type']);

/** Modules whose schemas are optional unless marked required. */
const OPTIONAL_BY_DEFAULT = /^(joi|@hapi\/joi|yup)$/;

/** Whether a schema expression lets its value be absent: `.optional()`, `.nullish()`, `v.optional(…)`, a joi or yup schema without `.required()`. */
function isOptionalSchema(file: SourceFile, schema: TSESTree.Node): boolean {
  const names: string[] = [];
  let root: TSESTree.Node = unwrap(schema);
  for (;;) {
    if (root.type === AST_NODE_TYPES.CallExpression) {
      const name = calleeLastName(root);
      if (name !== undefined) names.push(name);
      // v.optional(v.string()), z.optional(z.string())
      if ((name === 'optional' || name === 'nullish') && root.callee.type === AST_NODE_TYPES.MemberExpression && root.arguments.length > 0) return true;
      root = unwrap(root.callee);
    } else if (root.type === AST_NODE_TYPES.MemberExpression) root = unwrap(root.object);
    else break;
  }
  if (names.includes('required') || names.includes('exist') || names.includes('defined') || names.includes('nonNullable')) return false;
  if (names.includes('optional') || names.includes('nullish') || names.includes('notRequired')) return true;
  const module = qualifiedName(file, root);
  return module !== undefined && OPTIONAL_BY_DEFAULT.test(module.split('.')[0]!);
}

/** Whether the file refuses an authorization request that has no challenge somewhere: `if (!code_challenge) throw`, `if (client.isPublic && !challenge) return error(…)`. */
function refusesMissingChallenge(file: SourceFile): boolean {
  let found = false;
  walk(file.program, (node) => {
    if (found || node.type !== AST_NODE_TYPES.IfStatement) return;
    if (evaluate(node.test, { challenge: false, file }) === false || evaluate(node.test, { challenge: true, file }) === true) return;
    if (mentionsChallengeAbsence(node.test) && refusesAlways(node.consequent)) found = true;
  });
  return found;
}

/** Whether a test could be true because the challenge is missing (it names the challenge in a presence test). */
function mentionsChallengeAbsence(test: TSESTree.Node): boolean {
  let found = false;
  walk(test, (node) => {
    if (!found && presence(node)?.of === 'challenge') found = true;
  });
  return found;
}

/** A `.refine`/`.superRefine`/`.check` on the schema that mentions the challenge: a rule we cannot read, so no finding. */
function refinedForChallenge(schemaCall: TSESTree.CallExpression): boolean {
  for (let at: TSESTree.Node | undefined = schemaCall; at !== undefined; at = at.parent) {
    if (at.type === AST_NODE_TYPES.CallExpression && ['refine', 'superRefine', 'check', 'custom', 'when'].includes(calleeLastName(at) ?? '')) {
      let mentions = false;
      for (const argument of at.arguments)
        walk(argument, (node) => {
          const name = node.type === AST_NODE_TYPES.Literal ? stringValue(node) : readName(node);
          if (isChallengeName(name)) mentions = true;
        });
      if (mentions) return true;
    }
    if (at.type !== AST_NODE_TYPES.CallExpression && at.type !== AST_NODE_TYPES.MemberExpression) break;
  }
  return false;
}

/**
 * Whether the schema is used in this file (parsed, or handed to a validator or a route), so the
 * code that accepts the request is here to be read. A schema declared in a types module and
 * used elsewhere is not judged: the refusal may be where it is used.
 */
function usedHere(file: SourceFile, schemaCall: TSESTree.CallExpression): boolean {
  // Up the method chain (`z.object({…}).passthrough().refine(…)`) to the expression that holds the schema.
  let top: TSESTree.Node = schemaCall;
  for (;;) {
    const parent: TSESTree.Node | undefined = top.parent;
    if (parent?.type === AST_NODE_TYPES.MemberExpression && parent.object === top) top = parent;
    else if (parent?.type === AST_NODE_TYPES.CallExpression && parent.callee === top) top = parent;
    else if (parent !== undefined && (parent.type === AST_NODE_TYPES.TSAsExpression || parent.type === AST_NODE_TYPES.TSSatisfiesExpression)) top = parent;
    else break;
  }
  const holder = top.parent;
  if (holder?.type !== AST_NODE_TYPES.VariableDeclarator || holder.id.type !== AST_NODE_TYPES.Identifier) return true;
  const variable = file.scopes.getDeclaredVariables(holder)[0];
  if (variable === undefined) return false;
  return variable.references.some((reference) => !reference.init && acceptsRequests(reference.identifier));
}

/** Methods that run a schema on input (zod, valibot, joi, yup, superstruct). */
const PARSE_METHODS = new Set([
  'parse',
  'safeParse',
  'parseAsync',
  'safeParseAsync',
  'validate',
  'validateAsync',
  'validateSync',
  'assert',
  'is',
  'create',
  'cast',
]);

/** A reference that runs the schema on a request: `Schema.safeParse(q)`, `v.parse(Schema, q)`, `zValidator('query', Schema)`; not `Schema.extend(…)` or an export. */
function acceptsRequests(identifier: TSESTree.Node): boolean {
  const parent = identifier.parent;
  if (parent?.type === AST_NODE_TYPES.CallExpression) return parent.arguments.includes(identifier as TSESTree.Expression);
  if (parent?.type === AST_NODE_TYPES.MemberExpression && parent.object === identifier) return PARSE_METHODS.has(memberName(parent) ?? '');
  return parent?.type === AST_NODE_TYPES.Property && parent.value === identifier;
}

/** The authorization request schemas in `file` that let code_challenge be left out, unless the file refuses a request without one. */
export function* optionalChallengeSchemas(file: SourceFile): Generator<RuleMatch> {
  const found: RuleMatch[] = [];
  walk(file.program, (node) => {
    if (node.type !== AST_NODE_TYPES.ObjectExpression || node.parent?.type !== AST_NODE_TYPES.CallExpression) return;
    const call = node.parent;
    if (!OBJECT_SCHEMA.has(calleeLastName(call) ?? '')) return;
    const keys = new Map<string, TSESTree.Property>();
    for (const property of node.properties) {
      if (property.type !== AST_NODE_TYPES.Property) continue;
      const key = staticPropertyName(property.key, property.computed);
      if (key !== undefined) keys.set(key, property);
    }
    const challenge = keys.get('code_challenge') ?? keys.get('codeChallenge');
    if (challenge === undefined || TOKEN_KEYS.some((key) => keys.has(key))) return;
    if (!keys.has(AUTHORIZE_ONLY) && !AUTHORIZE_PAIR.every((key) => keys.has(key))) return;
    if (!isOptionalSchema(file, challenge.value) || refinedForChallenge(call) || !usedHere(file, call)) return;
    found.push({
      node: challenge.key,
      severity: 'high',
      message: 'The authorization request schema makes code_challenge optional and nothing here refuses a request without one: PKCE can be left out.',
    });
  });
  if (found.length > 0 && !refusesMissingChallenge(file)) yield* found;
}
