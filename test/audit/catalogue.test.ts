import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AREAS, CATALOGUE, type CheckDefinition, type Need, type Severity } from '../../src/audit/index.js';

/** The catalogue the project keeps beside the repository (../shared in a checkout, as in CI). */
const CATALOGUE_MARKDOWN = fileURLToPath(new URL('../../../shared/audit-checks.md', import.meta.url));

interface MarkdownRow {
  readonly id: string;
  readonly login: string;
  readonly severity: string;
}

/** The rows of section 1 (`portcullis audit`) of the markdown catalogue: ID, login column, severity column. */
function markdownRows(): MarkdownRow[] {
  const text = readFileSync(CATALOGUE_MARKDOWN, 'utf8');
  const start = text.indexOf('## 1.');
  const end = text.indexOf('## 2.', start);
  assert.ok(start >= 0 && end > start, 'the markdown catalogue has its sections 1 and 2');
  const rows: MarkdownRow[] = [];
  for (const line of text.slice(start, end).split('\n')) {
    const cells = line.split(/(?<!\\)\|/).map((cell) => cell.trim()); // a cell may hold an escaped \|
    // | ID | check | spec | login | sev | seen in |
    const id = cells[1] ?? '';
    if (/^[A-Z]+-\d{2}$/.test(id)) rows.push({ id, login: cells[4] ?? '', severity: cells[5] ?? '' });
  }
  return rows;
}

/** The severity a row names first ("Critical/Med", "Medium (High if …)"); "—" (a prerequisite, never a finding) is info. */
function firstSeverity(cell: string): Severity {
  if (cell === '—') return 'info';
  const word = /^[A-Za-z]+/.exec(cell)?.[0]?.toLowerCase() ?? '';
  const severity = ({ critical: 'critical', high: 'high', medium: 'medium', med: 'medium', low: 'low', info: 'info' } as const)[word];
  assert.ok(severity !== undefined, `a severity in ${JSON.stringify(cell)}`);
  return severity;
}

/**
 * The needs a login column implies (see the markdown's legend): S = a user login, S2 = also a
 * second client, ",T" = a timed wait (in parentheses, "S(T)", it is optional), P = reachable by the
 * authorization server, H = reads login and consent HTML. "U(S)" and "U/S" run without a login.
 */
function needsOf(login: string): Need[] {
  const needs: Need[] = [];
  if (login.startsWith('S')) needs.push('login');
  if (login.includes('S2')) needs.push('second-client');
  if (/,T\b/.test(login)) needs.push('slow');
  if (login === 'P') needs.push('public-url');
  if (/\bH\b/.test(login)) needs.push('html');
  return needs.sort();
}

const MCP_PAGES = [
  'https://modelcontextprotocol.io/specification/2026-07-28/basic/authorization#',
  'https://modelcontextprotocol.io/specification/2026-07-28/basic/authorization/authorization-server-discovery#',
  'https://modelcontextprotocol.io/specification/2026-07-28/basic/authorization/client-registration#',
  'https://modelcontextprotocol.io/specification/2026-07-28/basic/authorization/security-considerations#',
  'https://modelcontextprotocol.io/specification/2026-07-28/basic/transports/streamable-http#',
  'https://modelcontextprotocol.io/docs/2026-07-28/tutorials/security/security_best_practices#',
];

describe('the catalogue of portcullis audit', () => {
  it('has every non-DPoP check of the markdown catalogue exactly once, in its order, with its severity and needs', (t) => {
    if (!existsSync(CATALOGUE_MARKDOWN)) return t.skip(`${CATALOGUE_MARKDOWN} is not beside the repository`);
    const rows = markdownRows().filter((row) => !row.id.startsWith('DPOP-'));
    assert.equal(rows.length, 79);
    assert.deepEqual(
      CATALOGUE.map((check) => check.id),
      rows.map((row) => row.id),
    );
    for (const row of rows) {
      const check = CATALOGUE.find((candidate) => candidate.id === row.id)!;
      assert.equal(check.severity, firstSeverity(row.severity), `${row.id}: severity "${row.severity}"`);
      assert.deepEqual([...check.needs].sort(), needsOf(row.login), `${row.id}: login "${row.login}"`);
    }
  });

  it('gives each check an ID unique in the catalogue, in its own area', () => {
    assert.equal(new Set(CATALOGUE.map((check) => check.id)).size, CATALOGUE.length);
    for (const check of CATALOGUE) {
      assert.ok(AREAS.includes(check.area), check.id);
      assert.ok(check.id.startsWith(`${check.area}-`), `${check.id} is in area ${check.area}`);
    }
  });

  it('has a short heading and a one-line fix for every check, and no TODO left', () => {
    const words = (check: CheckDefinition) => `${check.id}: ${JSON.stringify(check.title)} / ${JSON.stringify(check.remediation)}`;
    for (const check of CATALOGUE) {
      assert.doesNotMatch(`${check.title} ${check.remediation}`, /TODO/i, words(check));
      assert.ok(check.title.length >= 10 && check.title.length <= 70, `${words(check)}: a title of 10 to 70 characters`);
      assert.match(check.title, /^[A-Za-z]/, `${words(check)}: a heading starts with a word`);
      assert.doesNotMatch(check.title, /[.;:⇒]$|[⇒;]/, `${words(check)}: a heading, not the catalogue's shorthand`);
      assert.ok(check.remediation.length >= 30 && check.remediation.length <= 160, `${words(check)}: a fix of 30 to 160 characters`);
      assert.doesNotMatch(check.remediation, /\n/, words(check));
      assert.match(check.remediation, /^[A-Z].*\.$/, `${words(check)}: a fix is a sentence`);
    }
  });

  it('cites at least one section for every check, each an https URL, the MCP ones on the 2026-07-28 pages', () => {
    for (const check of CATALOGUE) {
      assert.ok(check.spec.length > 0, check.id);
      assert.equal(new Set(check.spec.map((spec) => spec.id)).size, check.spec.length, `${check.id} cites each section once`);
      for (const spec of check.spec) {
        const url = new URL(spec.url);
        assert.equal(url.protocol, 'https:', `${check.id}: ${spec.url}`);
        assert.match(spec.id, /^[A-Z][A-Z0-9]*(-[A-Za-z0-9.&-]+)?$/, `${check.id}: ${spec.id}`);
        if (spec.id.startsWith('MCP-')) {
          assert.ok(
            MCP_PAGES.some((page) => spec.url.startsWith(page) && spec.url.length > page.length),
            `${check.id}: ${spec.url} is a section of an MCP 2026-07-28 page`,
          );
        }
        if (spec.id.startsWith('RFC')) assert.match(spec.url, /^https:\/\/www\.rfc-editor\.org\/rfc\/rfc\d+(#section-[\d.]+)?$/, spec.url);
      }
    }
  });
});
