import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { SCAN_RULES } from '../../../src/audit/scan/rules/index.js';

/** docs/scan.md's table of rules, and a page per rule: what the SARIF help points people to. */
describe('the rules are documented', () => {
  it('lists every rule in docs/scan.md, in the catalogue order, each with its severity and a page of its own that names it', () => {
    const index = readFileSync('docs/scan.md', 'utf8');
    const listed = [...index.matchAll(/^\| \[`([a-z-]+)`\]\(scan\/([a-z-]+)\.md\) \|[^|]+\| ([a-z]+)/gm)].map(([, id, page, severity]) => {
      assert.equal(page, id);
      return `${id} ${severity}`;
    });
    assert.deepEqual(
      listed,
      SCAN_RULES.map((rule) => `${rule.id} ${rule.severity}`),
    );
    for (const rule of SCAN_RULES) {
      const page = `docs/scan/${rule.id}.md`;
      assert.ok(existsSync(page), page);
      const text = readFileSync(page, 'utf8');
      assert.ok(text.startsWith(`# ${rule.id}: `), `${page} starts with its heading`);
      assert.match(text, new RegExp(`portcullis-ignore ${rule.id}`), `${page} says how to suppress it`);
    }
  });
});
