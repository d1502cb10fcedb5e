import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lineHashes } from '../../../src/audit/scan/line-hash.js';

/**
 * The test vectors of github/codeql-action's own fingerprint test (src/fingerprints.test.ts): the
 * values GitHub computes when it uploads a SARIF file without `primaryLocationLineHash`. Ours must
 * be the same, or an alert would change identity between a Portcullis upload and GitHub's own.
 */
const VECTORS: readonly { readonly text: string; readonly hashes: readonly string[] }[] = [
  { text: '', hashes: ['c129715d7a2bc9a3:1'] },
  { text: ' a\nb\n  \t\tc\n d', hashes: ['271789c17abda88f:1', '54703d4cd895b18:1', '180aee12dab6264:1', 'a23a3dc5e078b07b:1'] },
  {
    text: ' hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End',
    hashes: ['8b7cf3e952e7aeb2:1', 'b1ae1287ec4718d9:1', 'bff680108adb0fcc:1', 'c6805c5e1288b612:1', 'b86d3392aea1be30:1', 'e6ceba753e1a442:1'],
  },
];

/** One text with a final newline, in every spelling of a line end: the hashes must not depend on it. */
const LINE_END_SPELLINGS = [
  ' hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n',
  ' hello; \t\nworld!!!\r\r\r  \t\tGreetings\r End\r',
  ' hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n',
  ' hello; \t\nworld!!!\r\n\n\r  \t\tGreetings\r End\r\n',
];
const WITH_FINAL_NEWLINE = [
  'e9496ae3ebfced30:1',
  'fb7c023a8b9ccb3f:1',
  'ce8ba1a563dcdaca:1',
  'e20e36e16fcb0cc8:1',
  'b3edc88f2938467e:1',
  'c8e28b0b4002a3a0:1',
  'c129715d7a2bc9a3:1',
];

describe('primaryLocationLineHash', () => {
  it("equals GitHub's values for its own test texts", () => {
    for (const { text, hashes } of VECTORS) assert.deepEqual(lineHashes(text), hashes, JSON.stringify(text));
  });

  it('does not depend on how lines end (LF, CR, CR LF, mixed)', () => {
    for (const text of LINE_END_SPELLINGS) assert.deepEqual(lineHashes(text), WITH_FINAL_NEWLINE, JSON.stringify(text));
  });

  it('numbers repeated lines, and hashes the last lines with the end of the file in their window', () => {
    assert.deepEqual(lineHashes('Lorem ipsum dolor sit amet.\n'.repeat(10)), [
      ...[1, 2, 3, 4, 5, 6].map((n) => `a7f2ff13bc495cf2:${n}`),
      'a7f2ff1481e87703:1',
      'a9cf91f7bbf1862b:1',
      '55ec222b86bcae53:1',
      'cc97dc7b1d7d8f7b:1',
      'c129715d7a2bc9a3:1',
    ]);
  });

  it('is, for each line, the base-37 sum of the 100 UTF-16 code units from its start (non-ASCII and surrogate pairs included)', () => {
    const text = 'const café = "é";\n\t// 🔑 verifier\r\nplain();\n'.repeat(4);
    // The definition, computed directly: spaces and tabs dropped, line ends read as LF, the end of
    // the file as 0xFFFF, then zeros; line n's hash covers the 100 units from its first one.
    const units = [...text.replaceAll('\r\n', '\n').replaceAll('\r', '\n')].flatMap((char) =>
      char === ' ' || char === '\t' ? [] : [...Array(char.length).keys()].map((k) => char.charCodeAt(k)),
    );
    units.push(0xffff, ...Array(100).fill(0));
    const starts = [0, ...units.flatMap((unit, at) => (unit === 10 ? [at + 1] : []))];
    const seen = new Map<string, number>();
    const expected = starts.map((start) => {
      let hash = 0n;
      for (const unit of units.slice(start, start + 100)) hash = (hash * 37n + BigInt(unit)) & ((1n << 64n) - 1n);
      const hex = hash.toString(16);
      seen.set(hex, (seen.get(hex) ?? 0) + 1);
      return `${hex}:${seen.get(hex)}`;
    });
    assert.deepEqual(lineHashes(text), expected);
  });
});
