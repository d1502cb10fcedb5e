import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CATALOGUE } from '../../src/audit/catalogue/index.js';
import { IMPLEMENTATIONS } from '../../src/audit/checks/index.js';
import { flawsByCheck, flawTable } from './targets/flaw-table.js';

/** Checks that never fail (they report), so no flaw can make them: each with the reason. */
const REPORT_ONLY: Readonly<Record<string, string>> = {
  'REG-07': 'info: reports how registration without application_type and RFC 7592 management went',
  'RT-07': 'info: reports what two concurrent refreshes did',
  'RS-09': 'info: one real MCP call with the token, when asked for',
};

describe('every check has a target that fails it (issue 13), and docs/audit.md says which', () => {
  it('gives every built check at least one target flaw, unless it only reports', () => {
    const byCheck = flawsByCheck();
    const missing = CATALOGUE.filter((check) => IMPLEMENTATIONS.has(check.id) && !(check.id in REPORT_ONLY) && (byCheck.get(check.id) ?? []).length === 0);
    assert.deepEqual(
      missing.map((check) => check.id),
      [],
    );
  });

  it('documents the table in docs/audit.md exactly as the targets declare it', () => {
    const docs = readFileSync(new URL('../../docs/audit.md', import.meta.url), 'utf8');
    assert.ok(docs.includes(flawTable()), 'docs/audit.md holds the table `node --import tsx test/audit/targets/flaw-table.ts` prints; paste it again');
  });
});
