import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeMarkdown, formatAuditMarkdown } from '../../../src/audit/report/markdown.js';
import { sampleReport } from './sample-report.js';

/** The cells of a Markdown table row, split at the pipes that are not escaped. */
const cellsOf = (line: string) =>
  line
    .slice(1, -1)
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());

describe('the Markdown report', () => {
  it('opens with the verdict and the counts, then a table of the failures with severity, what was seen and the fix', () => {
    const markdown = formatAuditMarkdown(sampleReport(), 'high');
    const lines = markdown.split('\n');
    assert.equal(lines[0], '### Portcullis audit of http://127.0.0.1:4000/mcp: ✖ the auditor failed on 1 check');
    assert.match(lines[2]!, /^3 fail · 1 warn · 2 pass · 1 inconclusive · 1 error · 71 not run \(unauthenticated, 1\.2 s, Portcullis 0\.1\.0\)$/);
    const header = lines.findIndex((line) => line.startsWith('| ID | Severity |'));
    assert.deepEqual(cellsOf(lines[header]!), ['ID', 'Severity', 'Check', 'What was seen', 'Fix']);
    const rows = lines.slice(header + 2, header + 5).map(cellsOf);
    assert.deepEqual(
      rows.map((cells) => [cells[0], cells[1]]),
      [
        ['ASM-03', 'medium'],
        ['**AZ-01**', 'critical'],
        ['AZ-10', 'low'],
      ],
      'the failure that fails the run at --fail-on high is in bold',
    );
    for (const cells of rows) assert.equal(cells.length, 5, 'no summary ends a cell early');
    assert.equal(
      rows[0]![4],
      'Publish code\\_challenge\\_methods\\_supported: \\["S256"\\]; MCP clients refuse a server without it, and plain must not be listed.',
    );
  });

  it('collapses the warnings, inconclusive and errored checks, the passes and the checks not run', () => {
    const markdown = formatAuditMarkdown(sampleReport(), 'high');
    assert.match(markdown, /<details><summary>Warnings, inconclusive and errors \(3\)<\/summary>/);
    assert.match(markdown, /\| DISC-02 \| warn \|/);
    assert.match(markdown, /\| AZ-06 \| inconclusive \|/);
    assert.match(markdown, /\| TOK-13 \| error \|/);
    assert.match(markdown, /<details><summary>Passed \(2\)<\/summary>\n\n- DISC-01 A request without a token is answered 401\n/);
    assert.match(markdown, /<details><summary>Not run \(71\)<\/summary>\n\n- not selected \(--only \/ --skip\): 71 checks\n/);
    assert.equal(markdown.match(/<details>/g)?.length, markdown.match(/<\/details>/g)?.length);
  });

  it('says which verdict the exit code gives: clean, below --fail-on, or excused', () => {
    const report = sampleReport();
    const withoutError = { ...report, checks: report.checks.map((check) => (check.status === 'error' ? { ...check, status: 'pass' as const } : check)) };
    assert.match(formatAuditMarkdown(withoutError, 'high'), /: ✖ 1 failing at --fail-on high\n/);
    assert.match(formatAuditMarkdown(withoutError, 'critical', new Set(['AZ-01'])), /: ✔ 3 failing, none that fails the run at --fail-on critical\n/);
    assert.match(formatAuditMarkdown(withoutError, 'critical', new Set(['AZ-01'])), /\| AZ-01 \(baseline\) \| critical \|/);
  });

  it('lets nothing a server sent format, link, embed HTML or mention anyone', () => {
    const markdown = formatAuditMarkdown(sampleReport(), 'high');
    const az01 = markdown.split('\n').find((line) => line.includes('AZ-01'))!;
    const seen = cellsOf(az01)[3]!;
    assert.equal(
      seen,
      'server said &lt;script&gt;alert(1)&lt;/script&gt; &amp; "quoted" \\| piped \\*\\*bold\\*\\* \\[link\\](https://evil.example) &#64;org/team \uFFFDbell\uFFFD\\[31m',
    );
    assert.doesNotMatch(markdown, /<script>|(?<!\\)\[link|@org/);
    assert.equal(escapeMarkdown('a\n\n# heading\n- item'), 'a # heading - item', 'one line: nothing starts a block');
    assert.equal(escapeMarkdown('x'.repeat(400)).length, 300);
    assert.equal(escapeMarkdown('`code` ~strike~ _em_ \\'), '\\`code\\` \\~strike\\~ \\_em\\_ \\\\');
  });
});
