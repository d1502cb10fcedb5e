import type { AuditReport, CheckReport } from './audit-report.js';
import { auditExitCode, blockingFailures, type FailOn } from './exit-code.js';

const SHOWN = 300;

/**
 * Text safe in a GitHub comment, also in a table cell: what a server sent can neither format,
 * link, embed an image or HTML, mention someone nor end the cell. `&`, `<`, `>` and `@` become
 * entities (no HTML, no mentions), the inline Markdown characters (emphasis, code, links and
 * images, strikethrough, the cell separator, the escape itself) are backslash-escaped, whitespace
 * is folded to one line (so nothing starts a block), control characters (terminal escapes) are
 * replaced, and long text is cut.
 */
export function escapeMarkdown(text: string, max = SHOWN): string {
  const line = text
    .replace(/\s+/g, ' ')
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, '\uFFFD')
    .trim();
  const cut = line.length > max ? `${line.slice(0, max - 1)}…` : line;
  return cut.replace(/[&<>@\\`*_[\]|~]/g, (c) => ENTITIES[c] ?? `\\${c}`);
}

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '@': '&#64;' };

const row = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;

function details(summary: string, lines: readonly string[]): string[] {
  return lines.length === 0 ? [] : ['', `<details><summary>${summary}</summary>`, '', ...lines, '', '</details>'];
}

/**
 * The audit as a pull-request comment: one summary line, a table of the failures (ID, severity,
 * title, what was seen, the fix; those that fail the run at `failOn` and are not excused in bold),
 * then the warnings, inconclusive and errored checks, the passes and the checks not run, each
 * collapsed.
 */
export function formatAuditMarkdown(report: AuditReport, failOn: FailOn, excused: ReadonlySet<string> = new Set()): string {
  const { summary } = report;
  const blocking = new Set(blockingFailures(report, failOn, excused).map((check) => check.id));
  const verdict = {
    0: summary.fail > 0 ? `✔ ${summary.fail} failing, none that fails the run at --fail-on ${failOn}` : '✔ no failures',
    1: `✖ ${blocking.size} failing at --fail-on ${failOn}`,
    2: `✖ the auditor failed on ${summary.error} check${summary.error === 1 ? '' : 's'}`,
    3: '? incomplete',
  }[auditExitCode(report, failOn, excused)];
  const lines = [
    `### Portcullis audit of ${escapeMarkdown(report.target)}: ${verdict}`,
    '',
    `${summary.fail} fail · ${summary.warn} warn · ${summary.pass} pass · ${summary.inconclusive} inconclusive · ${summary.error} error · ${summary.na} not run` +
      ` (${report.mode}, ${(report.durationMs / 1000).toFixed(1)} s, Portcullis ${escapeMarkdown(report.version)})`,
  ];
  if (report.incomplete) lines.push('', `**Incomplete:** ${escapeMarkdown(report.incompleteReason ?? 'the audit did not finish')}`);

  const failures = report.checks.filter((check) => check.status === 'fail');
  if (failures.length > 0) {
    lines.push('', row(['ID', 'Severity', 'Check', 'What was seen', 'Fix']), row(['---', '---', '---', '---', '---']));
    for (const check of failures) {
      const id = blocking.has(check.id) ? `**${check.id}**` : excused.has(check.id) ? `${check.id} (baseline)` : check.id;
      lines.push(row([id, check.severity, escapeMarkdown(check.title), escapeMarkdown(check.summary), escapeMarkdown(check.remediation)]));
    }
  }

  const others = report.checks.filter((check) => check.status === 'warn' || check.status === 'inconclusive' || check.status === 'error');
  lines.push(
    ...details(`Warnings, inconclusive and errors (${others.length})`, [
      ...(others.length > 0 ? [row(['ID', 'Status', 'Check', 'What was seen']), row(['---', '---', '---', '---'])] : []),
      ...others.map((check) => row([check.id, check.status, escapeMarkdown(check.title), escapeMarkdown(check.summary)])),
    ]),
  );
  const passed = report.checks.filter((check) => check.status === 'pass');
  lines.push(
    ...details(
      `Passed (${passed.length})`,
      passed.map((check: CheckReport) => `- ${check.id} ${escapeMarkdown(check.title)}`),
    ),
  );
  const notRun = new Map<string, string[]>();
  for (const check of report.checks.filter((candidate) => candidate.status === 'na'))
    notRun.set(check.summary, [...(notRun.get(check.summary) ?? []), check.id]);
  const notRunLine = ([reason, ids]: [string, string[]]) => `- ${escapeMarkdown(reason)}: ${ids.length <= 12 ? ids.join(', ') : `${ids.length} checks`}`;
  lines.push(...details(`Not run (${summary.na})`, [...notRun].map(notRunLine)));
  return `${lines.join('\n')}\n`;
}
