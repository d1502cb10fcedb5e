import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { SCAN_RULES } from '../../../src/audit/scan/rules/index.js';
import { parseSourceFile } from '../../../src/audit/scan/source-file.js';

const FIXTURES = new URL('./rules/fixtures/', import.meta.url);

/** Every fixture of every rule: positives of one rule are code another rule reads too. */
const files = readdirSync(FIXTURES).flatMap((folder) =>
  readdirSync(new URL(`${folder}/`, FIXTURES)).map((name) => ({
    name: `${folder}/${name}`,
    text: readFileSync(new URL(`${folder}/${name}`, FIXTURES), 'utf8'),
  })),
);

describe('a rule skips a file only when it cannot find anything there', () => {
  it('every rule that finds something in any fixture names a word of that file in its mentions', () => {
    assert.ok(files.length > 50, 'the fixtures are there');
    const wrong: string[] = [];
    for (const { name, text } of files) {
      const file = parseSourceFile(`src/${name.split('/')[1]}`, text);
      for (const rule of SCAN_RULES)
        if (rule.mentions !== undefined && !rule.mentions.test(text) && [...rule.find(file)].length > 0) wrong.push(`${rule.id} finds something in ${name}`);
    }
    assert.deepEqual(wrong, []);
  });
});
