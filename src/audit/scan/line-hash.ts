/**
 * GitHub's `primaryLocationLineHash`, computed as the upload-sarif action does
 * (github/codeql-action `src/fingerprints.ts`), so alerts keep their identity when lines move:
 * a rolling hash (base 37, modulo 2^64) over a window of 100 UTF-16 code units from the start of
 * each line, skipping spaces and tabs, with CR LF and CR read as LF, and an end-of-file mark
 * (0xFFFF) then zeros after the last line; the value is `hex:n` (hex unpadded), n counting earlier
 * lines with the same hash. Our own code: the action's algorithm, not its text; the action's own
 * test vectors are in test/audit/scan/line-hash.test.ts.
 */
const WINDOW = 100;
const BASE = 37n;
const MASK = (1n << 64n) - 1n;
const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
/** The action reads the file as a string and marks its end with this code unit. */
const END_OF_FILE = 0xffff;

/** BASE^WINDOW mod 2^64: what the byte leaving the window weighed. */
const LEAVING_WEIGHT = (() => {
  let weight = 1n;
  for (let i = 0; i < WINDOW; i += 1) weight = (weight * BASE) & MASK;
  return weight;
})();

/**
 * The hash of every line of `text` (index 0 is line 1); a line with nothing but spaces still has
 * one, and so does the empty line after a final newline.
 */
export function lineHashes(text: string): string[] {
  const hashes: string[] = [];
  const window = new Uint16Array(WINDOW);
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
  const push = (unit: number) => {
    const leaving = window[index]!;
    window[index] = unit;
    hash = (BASE * hash + BigInt(unit) - LEAVING_WEIGHT * BigInt(leaving)) & MASK;
    index = (index + 1) % WINDOW;
  };
  const read = (code: number) => {
    let unit = code;
    if (unit === SPACE || unit === TAB || (afterCr && unit === LF)) {
      afterCr = false;
      return;
    }
    afterCr = unit === CR;
    if (unit === CR) unit = LF;
    if (lineAt[index] !== -1) emit();
    if (lineStart) {
      lineStart = false;
      line += 1;
      lineAt[index] = line;
    }
    if (unit === LF) lineStart = true;
    push(unit);
  };
  for (let i = 0; i < text.length; i += 1) read(text.charCodeAt(i));
  read(END_OF_FILE);
  for (let i = 0; i < WINDOW; i += 1) {
    if (lineAt[index] !== -1) emit();
    push(0);
  }
  return hashes;
}
