/**
 * pkce-verifier-format's encoders: the text random bytes become in hex, base64 and base64url
 * (`.toString(encoding)`, encoding libraries), and the `.replace` chain that maps base64 into the
 * verifier alphabet. Used by its fold.
 */
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/typescript-estree';
import { isFunction, stringValue, unwrap } from '../ast.js';
import { type Folded, type Text, text, UNRESERVED } from './pkce-verifier-format-folded.js';

/** Encoders of byte arrays from libraries, by the encoding they produce (`base64url-padded` keeps `=`). */
export const ENCODERS: ReadonlyMap<string, string> = new Map([
  ['@oslojs/encoding.encodeBase64urlNoPadding', 'base64url'],
  ['@oslojs/encoding.encodeBase64url', 'base64url-padded'],
  ['@oslojs/encoding.encodeBase64', 'base64'],
  ['@oslojs/encoding.encodeBase64NoPadding', 'base64-unpadded'],
  ['@oslojs/encoding.encodeHexLowerCase', 'hex'],
  ['@oslojs/encoding.encodeHexUpperCase', 'hex'],
  ['jose.base64url.encode', 'base64url'],
  ['base64url', 'base64url'],
  ['base64url.encode', 'base64url'],
]);

/** `.toString(encoding)` of random bytes. */
export function encode(value: Folded | undefined, encodingNode: TSESTree.Node | undefined): Folded | undefined {
  if (value?.kind !== 'bytes' || encodingNode === undefined) return undefined;
  const encoding = stringValue(encodingNode);
  return encoding === undefined ? undefined : encodeBytes(value.count, encoding, `${value.count} random bytes as ${encoding}`);
}

/** `n` octets in `encoding` (RFC 4648 §4, §5, §8): hex doubles, base64 gives four characters per three octets. */
export function encodeBytes(n: number, encoding: string, made: string): Text | undefined {
  const padding = (3 - (n % 3)) % 3;
  if (encoding === 'hex') return text(2 * n, made, { bytes: n });
  if (encoding === 'base64url') return text(Math.ceil((4 * n) / 3), made, { bytes: n });
  if (encoding === 'base64url-padded') return text(4 * Math.ceil(n / 3), made, { bytes: n, padding, bad: new Set(padding > 0 ? ['='] : []) });
  if (encoding === 'base64') return base64Text(n, made);
  if (encoding === 'base64-unpadded') return text(Math.ceil((4 * n) / 3), made, { bytes: n, bad: new Set(['+', '/']) });
  return undefined;
}

/** Base64 of `n` octets: `+` and `/` may appear, and `=` pads to a multiple of four (RFC 4648 §4). */
export function base64Text(n: number, made: string): Text {
  const padding = (3 - (n % 3)) % 3;
  return text(4 * Math.ceil(n / 3), made, { bytes: n, padding, bad: new Set(['+', '/', ...(padding > 0 ? ['='] : [])]) });
}

/**
 * `.replace(pattern, replacement)`: the base64 characters the pattern matches everywhere are mapped
 * away when the replacement is in the alphabet (`/\+/g → '-'`, `/\//g → '_'`, `/=+$/ → ''`).
 */
export function replaced(
  value: Folded | undefined,
  all: boolean,
  patternNode: TSESTree.Node | undefined,
  replacementNode: TSESTree.Node | undefined,
): Folded | undefined {
  if (value?.kind !== 'text' || patternNode === undefined || replacementNode === undefined) return value;
  const pattern = unwrap(patternNode);
  const replacement = unwrap(replacementNode);
  const replacementText = stringValue(replacement);
  const mapsAway = isFunction(replacement) || (replacementText !== undefined && [...replacementText].every((char) => UNRESERVED.test(char)));
  let matches: (char: string) => boolean;
  let everywhere: (char: string) => boolean;
  if (pattern.type === AST_NODE_TYPES.Literal && 'regex' in pattern && pattern.regex !== undefined) {
    const regex = new RegExp(pattern.regex.pattern, pattern.regex.flags.replace('g', ''));
    matches = (char) => regex.test(char);
    // A padding run anchored at the end is removed whole, with or without `g`.
    everywhere = (char) => pattern.regex.flags.includes('g') || (char === '=' && pattern.regex.pattern.endsWith('$'));
  } else {
    const search = stringValue(pattern);
    if (search === undefined) return { ...value, bad: new Set(), min: 0 };
    matches = (char) => search === char || (char === '=' && /^=+$/.test(search));
    everywhere = () => all;
  }
  if (!mapsAway) return value;
  const bad = new Set(value.bad);
  let { min, max, padding, hyphens, made } = value;
  if (replacementText === '' && hyphens > 0 && matches('-') && everywhere('-')) {
    min -= hyphens;
    max -= hyphens;
    hyphens = 0;
    made = `${made} without hyphens`;
  }
  for (const char of value.bad)
    if (matches(char) && everywhere(char)) {
      bad.delete(char);
      if (replacementText === '' && char === '=') {
        min -= padding;
        max -= padding;
        padding = 0;
      } else if (replacementText === '') min = 0;
    }
  return { ...value, bad, min, max, padding, hyphens, made };
}
