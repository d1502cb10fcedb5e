/**
 * GitHub's `primaryLocationLineHash`, computed as the upload-sarif action does
 * (github/codeql-action `src/fingerprints.ts`), so alerts keep their identity when lines move:
 * a rolling hash (base 37, modulo 2^64) over a window of 100 characters from the start of each
 * line, skipping spaces and tabs, with CR LF and CR read as LF; the value is `hex:n`, n counting
 * earlier lines with the same hash. Our own code: the action's algorithm, not its text.
 */
const WINDOW = 100;
const BASE = 37n;
const MASK = (1n << 64n) - 1n;
const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;

/** BASE^WINDOW mod 2^64: what the byte leaving the window weighed. */
const LEAVING_WEIGHT = (() => {
  let weight = 1n;
  for (let i = 0; i < WINDOW; i += 1) weight = (weight * BASE) & MASK;
  return weight;
})();

/** The hash of every line of `text` (index 0 is line 1); a line with nothing but spaces still has one. */
export function lineHashes(text: string): string[] {
  const bytes = Buffer.from(text, 'utf8');
  const hashes: string[] = [];
  const window = new Uint8Array(WINDOW);
  const lineAt = new Int32Array(WINDOW).fill(-1);
  const counts = new Map<string, number>();
  let hash = 0n;
  let index = 0;
  let line = 0;
  let lineStart = true;
  let afterCr = false;
  const emit = () => {
    const value = hash.toString(16);
    const count = (counts.get(value) ?? 0) + 1;
    counts.set(value, count);
    hashes[lineAt[index]! - 1] = `${value}:${count}`;
    lineAt[index] = -1;
  };
  const push = (byte: number) => {
    const leaving = window[index]!;
    window[index] = byte;
    hash = (BASE * hash + BigInt(byte) - LEAVING_WEIGHT * BigInt(leaving)) & MASK;
    index = (index + 1) % WINDOW;
  };
  for (let byte of bytes) {
    if (byte === SPACE || byte === TAB || (afterCr && byte === LF)) {
      afterCr = false;
      continue;
    }
    afterCr = byte === CR;
    if (byte === CR) byte = LF;
    if (lineAt[index] !== -1) emit();
    if (lineStart) {
      lineStart = false;
      line += 1;
      lineAt[index] = line;
    }
    if (byte === LF) lineStart = true;
    push(byte);
  }
  for (let i = 0; i < WINDOW; i += 1) {
    if (lineAt[index] !== -1) emit();
    push(0);
  }
  return hashes;
}
