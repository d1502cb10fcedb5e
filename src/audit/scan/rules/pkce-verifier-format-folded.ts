/**
 * The value pkce-verifier-format folds a verifier's expression into: random bytes not yet encoded,
 * or text with its length, the characters it may hold outside the verifier alphabet and how it was
 * made. Built by its fold and its encoders, judged by the rule.
 */

/** RFC 7636 §4.1: `code-verifier = 43*128unreserved`, `unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~"`. */
export const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

/**
 * What folding a verifier's expression tells us: random bytes not yet encoded, or text of a length
 * between `min` and `max`, possibly holding characters outside the verifier alphabet.
 * `bytes` is how many random octets the text carries, when every random part came from a byte count.
 */
export type Folded =
  | { readonly kind: 'bytes'; readonly count: number }
  | {
      readonly kind: 'text';
      readonly min: number;
      readonly max: number;
      readonly bad: ReadonlySet<string>;
      readonly random: boolean;
      readonly bytes: number | undefined;
      /** How many trailing `=` base64 added (removed exactly by a `=+$` replace). */
      readonly padding: number;
      /** How many `-` a UUID holds (removed exactly by `.replace(/-/g, '')`). */
      readonly hyphens: number;
      /** What made it, for the message: "16 random bytes as hex". */
      readonly made: string;
    };

/** Folded text, which is what a verifier must be. */
export type Text = Extract<Folded, { kind: 'text' }>;

/** Text of `length` characters that `made` produced, random unless `extra` says otherwise. */
export function text(length: number, made: string, extra: Partial<Text> = {}): Text {
  return { kind: 'text', min: length, max: length, bad: new Set(), random: true, bytes: undefined, padding: 0, hyphens: 0, made, ...extra };
}

/** A string literal: its length, and the characters in it outside the verifier alphabet. */
export function literal(value: string): Text {
  return text(value.length, 'a literal', { bad: new Set([...value].filter((char) => !UNRESERVED.test(char))), random: false, bytes: 0 });
}

/** `a + b`: lengths add, bad characters join, random bytes add when both sides count them. */
export function concat(left: Folded | undefined, right: Folded | undefined): Folded | undefined {
  if (left?.kind !== 'text' || right?.kind !== 'text') return undefined;
  const made = !left.random ? right.made : !right.random ? left.made : `${left.made} and ${right.made}`;
  return {
    kind: 'text',
    min: left.min + right.min,
    max: left.max + right.max,
    bad: new Set([...left.bad, ...right.bad]),
    random: left.random || right.random,
    bytes: left.bytes === undefined || right.bytes === undefined ? undefined : left.bytes + right.bytes,
    padding: right.padding,
    hyphens: left.hyphens + right.hyphens,
    made,
  };
}
