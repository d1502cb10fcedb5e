import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import type { ScanRule } from '../../../src/audit/scan/scan-rule.js';
import { parseSourceFile } from '../../../src/audit/scan/source-file.js';

/**
 * A rule's fixtures, as its test reads them: a folder of source files beside the test. A file named
 * `positive-*` marks each line a finding must start on with a trailing `// expect` (the rule's own
 * severity) or `// expect: <severity>`; a file named `trap-*` is code the rule must stay silent on.
 * Each file must give exactly the findings it marks, no more and no fewer.
 */
export interface FixtureResult {
  readonly file: string;
  readonly expected: readonly string[];
  readonly found: readonly string[];
}

const EXPECT = /\/\/\s*expect(?::\s*(critical|high|medium|low|info))?\s*$/;

/** Every fixture of `rule` in `folder`, each file's marked and found findings as `line severity`. */
export function runFixtures(rule: ScanRule, folder: URL): FixtureResult[] {
  const names = readdirSync(folder)
    .filter((name) => /^(positive|trap)-/.test(name))
    .sort();
  assert.ok(
    names.some((name) => name.startsWith('positive-')),
    `${folder.pathname} has no positive-* fixture`,
  );
  assert.ok(
    names.some((name) => name.startsWith('trap-')),
    `${folder.pathname} has no trap-* fixture`,
  );
  return names.map((name) => {
    const text = readFileSync(new URL(name, folder), 'utf8');
    const expected = text.split('\n').flatMap((line, index) => {
      const mark = EXPECT.exec(line);
      return mark === null ? [] : [`${index + 1} ${mark[1] ?? rule.severity}`];
    });
    if (name.startsWith('positive-')) assert.ok(expected.length > 0, `${name} marks no expected finding`);
    else assert.deepEqual(expected, [], `${name} is a trap and must mark no finding`);
    const file = parseSourceFile(`src/${name}`, text);
    const found = [...rule.find(file)].map((match) => `${match.node.loc.start.line} ${match.severity ?? rule.severity}`).sort(byLine);
    return { file: name, expected: expected.sort(byLine), found };
  });
}

const byLine = (a: string, b: string) => Number.parseInt(a, 10) - Number.parseInt(b, 10) || a.localeCompare(b);

/** Asserts each fixture gives exactly what it marks. */
export function assertFixtures(rule: ScanRule, folder: URL): void {
  for (const result of runFixtures(rule, folder)) assert.deepEqual(result.found, result.expected, `${rule.id}: ${result.file} (line severity)`);
}
