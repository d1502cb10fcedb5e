import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/typescript-estree';
import { mcpAuth, rfc } from '../../catalogue/spec.js';
import { enclosingFunction, type FunctionNode, isFunction, memberName, objectProperty, staticPropertyName, stringValue, unwrap, walk } from '../ast.js';
import { wordsOf } from '../name-words.js';
import { calleeName } from '../names.js';
import { type Origin, originsOf } from '../provenance.js';
import type { RuleMatch, ScanRule } from '../scan-rule.js';
import type { SourceFile } from '../source-file.js';
import { audienceOption, readsAudience } from './jwt-audience-unchecked-audience-reads.js';
import { DECODERS, VERIFIERS } from './jwt-audience-unchecked-jwt-calls.js';
import {
  bearerAuthWithoutResource,
  isVerifyAccessToken,
  verifierWithoutAudience,
  verifyAccessTokenImplementations,
} from './jwt-audience-unchecked-mcp-verifiers.js';

/** Claims that decide who the caller is and what it may do (RFC 9068 §2.2, §2.2.3). */
const AUTHORIZATION_CLAIMS = new Set(['sub', 'scope', 'scp', 'roles', 'permissions', 'groups', 'client_id', 'azp', 'entitlements']);

/**
 * JWTs that are not bearer tokens and carry no audience of ours: a DPoP proof (RFC 9449 §4.2 binds it
 * with `htm`/`htu`), a key or client attestation. Read from the token's name or a visible `typ`.
 */
const NOT_A_BEARER = /dpop|proof|attestation/i;

/** The `typ` of a JWT access token (RFC 9068 §2.1); any other visible `typ` is some other kind of JWT. */
const ACCESS_TOKEN_TYP = /^(application\/)?at\+jwt$/i;

/**
 * Whether a name is an ID token's or its verification's (`idToken`, `tokens.id_token`, `validateIdToken`,
 * `ID_TOKEN`, not `validToken`): its audience is the client, and OIDC libraries check it
 * (OpenID Connect Core §3.1.3.7).
 */
function namesIdToken(name: string): boolean {
  const words = wordsOf(name);
  return words.some((word, index) => word === 'idtoken' || (word === 'id' && words[index + 1] === 'token'));
}

/** Where a request handler keeps who the caller is: `req.user = …`, `res.locals.auth = …`, `ctx.state.user = …`. */
const IDENTITY_SLOTS = new Set(['user', 'auth', 'authInfo', 'identity', 'principal', 'claims', 'session', 'jwt']);

/** Any call whose name says it verifies (`verifySignature(token)`, `jwks.verify(…)`): decoding beside it is not relied on alone. */
const VERIFYING_CALL = /verif|validat|introspect/i;

/**
 * jwt-audience-unchecked: a bearer token accepted without checking that it was issued for this
 * server. Finds `jose.jwtVerify` and `jsonwebtoken.verify` called without an
 * `audience` (no options, or options fully visible without one); a `decodeJwt` / `jwt.decode` /
 * `jwtDecode` result whose claims decide access (`sub`, `scope`, `req.user = …`) for a bearer token
 * from the `Authorization` header or in an MCP `verifyAccessToken`, with nothing verified; and an
 * MCP SDK `verifyAccessToken` that returns AuthInfo without reading `aud` or reporting `resource`,
 * and a `requireBearerAuth({ verifier })` without `expectedResource` whose verifier (in view)
 * reports a `resource` but never compares it, so nothing does.
 * Deliberately silent on: a function that reads the token's `aud` itself (a manual compare, or
 * handing it to a caller or helper that does); ID-token verification (an `idToken` name, a `nonce`
 * option: the audience of an ID token is the client, checked by the OIDC library); options built
 * elsewhere (a parameter, a spread, a later `options.audience = …`). A test file is still scanned
 * and its findings reported one level lower by the engine.
 * @see RFC 8707 §2; RFC 9068 §4; MCP authorization, Token Audience Binding and Validation; CWE-345
 */
export const JWT_AUDIENCE_UNCHECKED: ScanRule = {
  id: 'jwt-audience-unchecked',
  mentions: /verify|decode|bearerauth/i,
  title: 'A bearer token accepted without an audience check',
  severity: 'high',
  cwe: ['CWE-345'],
  spec: [rfc(8707, '2'), rfc(9068, '4'), mcpAuth('audience-binding'), mcpAuth('token-handling')],
  precision: 'high',
  why: 'A token issued for another server by the same authorization server (or by a server that passed its token on) is accepted here, so one stolen or forwarded token opens every resource.',
  fix: "Pass audience: '<this server's canonical URI>' to jwtVerify / jwt.verify (or compare payload.aud yourself), and never authorize on a decoded, unverified token.",
  tags: ['oauth', 'jwt', 'mcp', 'audience'],
  *find(file: SourceFile): Generator<RuleMatch> {
    const found: RuleMatch[] = [];
    walk(file.program, (node) => {
      if (node.type !== AST_NODE_TYPES.CallExpression) return;
      const name = calleeName(file, node);
      // `jwtVerify(...args)`: which argument is which is not in view.
      if (name === undefined || node.arguments.some((argument) => argument.type === AST_NODE_TYPES.SpreadElement)) return;
      let match: RuleMatch | undefined;
      if (VERIFIERS.has(name)) match = verificationWithoutAudience(file, node, name, VERIFIERS.get(name)!);
      else if (DECODERS.has(name)) match = decodedForAuthorization(file, node, DECODERS.get(name)!);
      else if (/(^|\.)requireBearerAuth$/.test(name)) match = bearerAuthWithoutResource(file, node);
      if (match !== undefined) found.push(match);
    });
    for (const fn of verifyAccessTokenImplementations(file.program)) {
      const match = verifierWithoutAudience(file, fn);
      if (match !== undefined) found.push(match);
    }
    yield* found;
  },
};

/** `jwtVerify(token, key, { issuer })`: the audience is neither an option nor read afterwards. */
function verificationWithoutAudience(file: SourceFile, call: TSESTree.CallExpression, name: string, optionsIndex: number): RuleMatch | undefined {
  const scope = enclosingFunction(call) ?? file.program;
  if (isIdTokenVerification(file, call, scope) || isOtherKindOfJwt(file, call, optionsIndex)) return undefined;
  const options = call.arguments[optionsIndex];
  const audience = audienceOption(file, options, call);
  if (audience !== 'missing' || readsAudience(scope, options)) return undefined;
  const shown = name === 'jsonwebtoken.verify' ? 'jwt.verify()' : `${name.slice('jose.'.length)}()`;
  const message =
    options === undefined || isFunction(unwrap(options))
      ? `${shown} is called without options, so a token issued for any audience is accepted.`
      : `${shown} has no audience option and aud is not checked in this function, so a token issued for another server is accepted.`;
  return { node: call, message };
}

/**
 * An ID token's verification: the token or the result is named for one, the function is, or
 * jsonwebtoken's `nonce` option (only ID tokens carry a nonce) is set.
 */
function isIdTokenVerification(file: SourceFile, call: TSESTree.CallExpression, scope: TSESTree.Node): boolean {
  const token = call.arguments[0];
  if (token !== undefined && (namesIdToken(nameOf(token) ?? '') || originsOf(file, token).some((origin) => namesIdToken(originName(origin))))) return true;
  if (namesIdToken(resultName(call) ?? '')) return true;
  if (isFunction(scope) && namesIdToken(functionName(scope) ?? '')) return true;
  const options = call.arguments[2];
  if (options !== undefined) {
    const object = unwrap(options);
    if (object.type === AST_NODE_TYPES.ObjectExpression && objectProperty(object, 'nonce') !== undefined) return true;
  }
  return false;
}

/** A DPoP proof or an attestation (by name), or a visible `typ` option that is not an access token's. */
function isOtherKindOfJwt(file: SourceFile, call: TSESTree.CallExpression, optionsIndex: number): boolean {
  const token = call.arguments[0];
  if (token !== undefined && NOT_A_BEARER.test(nameOf(token) ?? '')) return true;
  const options = call.arguments[optionsIndex];
  if (options === undefined) return false;
  return originsOf(file, options).some((origin) => {
    if (origin.kind !== 'literal' || origin.node.type !== AST_NODE_TYPES.ObjectExpression) return false;
    const typ = objectProperty(origin.node, 'typ');
    const value = typ === undefined ? undefined : stringValue(typ.value);
    return value !== undefined && !ACCESS_TOKEN_TYP.test(value);
  });
}

/** The name an expression is read under (`idToken`, `tokens.id_token`). */
function nameOf(node: TSESTree.Node): string | undefined {
  const at = unwrap(node);
  if (at.type === AST_NODE_TYPES.Identifier) return at.name;
  if (at.type === AST_NODE_TYPES.MemberExpression) return memberName(at);
  return undefined;
}

function originName(origin: Origin): string {
  if (origin.kind === 'read') return origin.path;
  if (origin.kind === 'parameter') return origin.name;
  return origin.trail.map((node) => nameOf(node) ?? '').join('.');
}

/** The variable a call's (awaited) result is stored in: `const { payload: idTokenClaims } = await jwtVerify(…)` gives `idTokenClaims`. */
function resultName(call: TSESTree.CallExpression): string | undefined {
  let at: TSESTree.Node = call;
  if (at.parent?.type === AST_NODE_TYPES.AwaitExpression) at = at.parent;
  const parent = at.parent;
  if (parent?.type !== AST_NODE_TYPES.VariableDeclarator) return undefined;
  if (parent.id.type === AST_NODE_TYPES.Identifier) return parent.id.name;
  const names: string[] = [];
  walk(parent.id, (node) => {
    if (node.type === AST_NODE_TYPES.Identifier) names.push(node.name);
  });
  return names.join(' ');
}

/** The name of a function: its own, the variable it is stored in, or the property or method it is. */
function functionName(fn: FunctionNode): string | undefined {
  if (fn.id) return fn.id.name;
  const parent = fn.parent;
  if (parent?.type === AST_NODE_TYPES.VariableDeclarator && parent.id.type === AST_NODE_TYPES.Identifier) return parent.id.name;
  if (parent?.type === AST_NODE_TYPES.Property || parent?.type === AST_NODE_TYPES.MethodDefinition) return staticPropertyName(parent.key, parent.computed);
  return undefined;
}

/**
 * `decodeJwt(bearer)` whose claims decide access: the token is the request's bearer (from the
 * `Authorization` header, or the argument of an MCP `verifyAccessToken`), its claims are read or
 * stored as the caller's identity, and nothing in the function verifies it.
 */
function decodedForAuthorization(file: SourceFile, call: TSESTree.CallExpression, shown: string): RuleMatch | undefined {
  const scope = enclosingFunction(call);
  if (scope === undefined || callsVerifier(file, scope, call)) return undefined;
  const token = call.arguments[0];
  if (token === undefined) return undefined;
  const inVerifier = isVerifyAccessToken(scope);
  if (!inVerifier && !originsOf(file, token).some(isInboundAuthorization)) return undefined;
  if (!(inVerifier && returnsDecoded(file, scope, call)) && !claimsDecide(file, scope, call)) return undefined;
  return {
    node: call,
    message: `${shown} only decodes the bearer token: its signature, issuer and audience are never checked, yet its claims decide access.`,
  };
}

/** Whether `scope` verifies a token somewhere other than `decode` (a verifier of the catalogue or a call named for verifying). */
function callsVerifier(file: SourceFile, scope: TSESTree.Node, decode: TSESTree.CallExpression): boolean {
  let verifies = false;
  walk(scope, (node) => {
    if (verifies || node.type !== AST_NODE_TYPES.CallExpression || node === decode) return;
    const name = calleeName(file, node);
    const callee = unwrap(node.callee);
    const written = callee.type === AST_NODE_TYPES.Identifier ? callee.name : callee.type === AST_NODE_TYPES.MemberExpression ? memberName(callee) : undefined;
    if ((name !== undefined && VERIFIERS.has(name)) || VERIFYING_CALL.test(written ?? '')) verifies = true;
  });
  return verifies;
}

/** `req.headers.authorization`, `c.req.header('Authorization')`, `request.headers.get('authorization')`. */
function isInboundAuthorization(origin: Origin): boolean {
  if (origin.kind === 'read') return /(^|\.)headers\.authorization(\.|$)/i.test(origin.path);
  if (origin.kind !== 'call' || origin.node.type !== AST_NODE_TYPES.CallExpression) return false;
  const callee = unwrap(origin.node.callee);
  const method = callee.type === AST_NODE_TYPES.MemberExpression ? memberName(callee) : undefined;
  const key = origin.node.arguments[0] === undefined ? undefined : stringValue(origin.node.arguments[0]);
  return (method === 'get' || method === 'header') && key?.toLowerCase() === 'authorization';
}

/** Whether the decoded value reaches what `scope` returns (a verifyAccessToken's AuthInfo). */
function returnsDecoded(file: SourceFile, scope: FunctionNode, decode: TSESTree.CallExpression): boolean {
  const results: TSESTree.Node[] = [];
  if (scope.body.type !== AST_NODE_TYPES.BlockStatement) results.push(scope.body);
  else
    walk(scope.body, (node) => {
      if (node.type === AST_NODE_TYPES.ReturnStatement && node.argument !== null && enclosingFunction(node) === scope) results.push(node.argument);
    });
  return results.some((result) => fromDecoded(file, result, decode) || objectValues(result).some((value) => fromDecoded(file, value, decode)));
}

function objectValues(node: TSESTree.Node): TSESTree.Node[] {
  const at = unwrap(node);
  if (at.type !== AST_NODE_TYPES.ObjectExpression) return [];
  return at.properties.map((property) => (property.type === AST_NODE_TYPES.Property ? property.value : property.argument));
}

function fromDecoded(file: SourceFile, node: TSESTree.Node, decode: TSESTree.CallExpression): boolean {
  return originsOf(file, node).some((origin) => origin.node === decode || origin.trail.includes(decode));
}

/** A claim that decides access read from the decoded value, or the decoded value stored as the caller's identity. */
function claimsDecide(file: SourceFile, scope: TSESTree.Node, decode: TSESTree.CallExpression): boolean {
  let decides = false;
  walk(scope, (node) => {
    if (decides) return;
    if (node.type === AST_NODE_TYPES.MemberExpression && AUTHORIZATION_CLAIMS.has(memberName(node) ?? '')) decides = fromDecoded(file, node.object, decode);
    else if (node.type === AST_NODE_TYPES.VariableDeclarator && node.id.type === AST_NODE_TYPES.ObjectPattern && node.init !== null) {
      const keys = node.id.properties.map((property) =>
        property.type === AST_NODE_TYPES.Property ? staticPropertyName(property.key, property.computed) : undefined,
      );
      decides = keys.some((key) => AUTHORIZATION_CLAIMS.has(key ?? '')) && fromDecoded(file, node.init, decode);
    } else if (node.type === AST_NODE_TYPES.AssignmentExpression && node.left.type === AST_NODE_TYPES.MemberExpression)
      decides = IDENTITY_SLOTS.has(memberName(node.left) ?? '') && fromDecoded(file, node.right, decode);
  });
  return decides;
}
