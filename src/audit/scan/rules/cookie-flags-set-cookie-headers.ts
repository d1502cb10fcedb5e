/**
 * cookie-flags' reading of literal `Set-Cookie` headers: where a server sets one (`setHeader`,
 * `c.header`, a headers object) and the cookie name and attributes its text gives.
 */
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/typescript-estree';
import { memberName, stringValue, unwrap, walk } from '../ast.js';
import { namedValues } from '../named-values.js';
import { declaredVariable, qualifiedName } from '../names.js';
import { RESPONSE_NAMES, rootName } from '../response-receiver.js';
import type { SourceFile } from '../source-file.js';
import type { Attributes, CookieSet } from './cookie-flags-attributes.js';

/**
 * Literal `Set-Cookie` values: `res.setHeader('Set-Cookie', 'sid=…; Path=/')`, `headers.append`,
 * `c.header`, `{ 'Set-Cookie': `session=${id}; HttpOnly` }`. A template is read when its name and
 * every attribute name are text (substitutions only in values); otherwise it is not fully visible.
 */
export function* headerStrings(file: SourceFile): Generator<CookieSet> {
  const values: TSESTree.Node[] = [];
  for (const { name, value } of namedValues(file)) if (name.toLowerCase() === 'set-cookie') values.push(value);
  walk(file.program, (node) => {
    if (node.type !== AST_NODE_TYPES.CallExpression || node.callee.type !== AST_NODE_TYPES.MemberExpression) return;
    const method = memberName(node.callee);
    const onResponse = method === 'setHeader' || (method === 'header' && RESPONSE_NAMES.test(rootName(node.callee.object) ?? ''));
    if (onResponse && stringValue(node.arguments[0] ?? node)?.toLowerCase() === 'set-cookie' && node.arguments[1]) values.push(node.arguments[1]);
  });
  for (const value of values)
    for (const text of headerTexts(file, value)) {
      const cookie = parseSetCookie(text.text);
      if (cookie !== undefined) yield { node: text.node, names: [cookie.name], literalName: cookie.name, attributes: cookie.attributes };
    }
}

/** The string or template nodes a header value is: itself, the elements of an array, or a `const` holding one. */
function headerTexts(file: SourceFile, value: TSESTree.Node): { node: TSESTree.Node; text: string }[] {
  const at = unwrap(value);
  if (at.type === AST_NODE_TYPES.ArrayExpression)
    return at.elements.flatMap((element) => (element === null || element.type === AST_NODE_TYPES.SpreadElement ? [] : headerTexts(file, element)));
  if (at.type === AST_NODE_TYPES.Literal && typeof at.value === 'string') return [{ node: at, text: at.value }];
  // A substitution is a placeholder no cookie syntax contains.
  if (at.type === AST_NODE_TYPES.TemplateLiteral) return [{ node: at, text: at.quasis.map((quasi) => quasi.value.cooked ?? '').join('\u0000') }];
  if (at.type === AST_NODE_TYPES.Identifier && qualifiedName(file, at) === undefined) {
    const definition = declaredVariable(file, at)?.defs;
    const declarator = definition?.length === 1 ? definition[0]!.node : undefined;
    if (declarator?.type === AST_NODE_TYPES.VariableDeclarator && declarator.parent.kind === 'const' && declarator.init !== null)
      return headerTexts(file, declarator.init);
  }
  return [];
}

const PLACEHOLDER = '\u0000';

function parseSetCookie(text: string): { name: string; attributes: Attributes } | undefined {
  const [pair, ...rest] = text.split(';');
  const equals = pair!.indexOf('=');
  if (equals <= 0) return undefined;
  const name = pair!.slice(0, equals).trim();
  if (name.includes(PLACEHOLDER) || /[\s,]/.test(name)) return undefined;
  const attributes = new Map<string, string>();
  for (const part of rest) {
    const [key, ...value] = part.split('=');
    const attribute = key!.trim().toLowerCase();
    const text = value.join('=').trim();
    // `; ${secure ? 'Secure' : ''}` or `SameSite=Lax${more}`: a substitution that may hold attributes. Only a
    // lifetime's value is data (`Max-Age=${ttl}`).
    if (attribute.includes(PLACEHOLDER) || (text.includes(PLACEHOLDER) && attribute !== 'max-age' && attribute !== 'expires')) return undefined;
    if (attribute !== '') attributes.set(attribute, text);
  }
  const has = (key: string) => (attributes.has(key) ? 'set' : 'missing');
  const maxAge = attributes.get('max-age');
  const path = attributes.get('path');
  return {
    name,
    attributes: {
      flags: { HttpOnly: has('httponly'), Secure: has('secure'), SameSite: attributes.get('samesite') === undefined ? 'missing' : 'set' },
      clears: (maxAge !== undefined && !maxAge.includes(PLACEHOLDER) && Number(maxAge) <= 0) || /1970/.test(attributes.get('expires') ?? ''),
      hostPrefixFits: attributes.has('secure') && !attributes.has('domain') && (path === undefined || path === '/'),
    },
  };
}
