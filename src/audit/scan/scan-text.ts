import type { FailOn } from '../report/exit-code.js';
import { isAtOrAbove } from '../report/exit-code.js';
import type { ScanFinding, ScanReport } from './scan-report.js';
import type { RuleDescription } from './scan-rule.js';

function refs(rule: RuleDescription): string {
  return [...rule.cwe, ...rule.spec.map((spec) => spec.id)].join(', ');
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/**
 * The scan for a terminal: each finding as `file:line:column  severity  rule  message`, then
 * the way the value went (when the rule followed one), why it matters with its CWE and spec, and
 * the fix; a summary line last. Findings a baseline
 * excuses or a comment suppresses are counted, not shown.
 */
export function formatScanText(report: ScanReport, rules: readonly RuleDescription[], failOn: FailOn, excused: (finding: ScanFinding) => boolean): string {
  const byId = new Map(rules.map((rule) => [rule.id, rule]));
  const shown = report.findings.filter((finding) => finding.suppressed === undefined && !excused(finding));
  const lines: string[] = [];
  for (const finding of shown) {
    const rule = byId.get(finding.ruleId)!;
    lines.push(`${finding.file}:${finding.line}:${finding.column}  ${finding.severity}  ${finding.ruleId}  ${finding.message}`);
    if (finding.flow !== undefined) lines.push(`    via: ${finding.flow.map((step) => `${step.line}: ${step.code}`).join(' → ')}`);
    lines.push(`    why: ${rule.why}${refs(rule) === '' ? '' : ` (${refs(rule)})`}`);
    lines.push(`    fix: ${rule.fix}`);
  }
  for (const error of report.errors) lines.push(`${error.message} (not scanned)`);
  const counts = (['critical', 'high', 'medium', 'low', 'info'] as const)
    .map((severity) => [severity, shown.filter((finding) => finding.severity === severity).length] as const)
    .filter(([, count]) => count > 0)
    .map(([severity, count]) => `${count} ${severity}`);
  const blocking = shown.filter((finding) => isAtOrAbove(finding.severity, failOn)).length;
  const suppressed = report.findings.filter((finding) => finding.suppressed !== undefined).length;
  const baselined = report.findings.filter((finding) => finding.suppressed === undefined && excused(finding)).length;
  const extra = [suppressed > 0 ? `${suppressed} suppressed in source` : '', baselined > 0 ? `${baselined} excused by the baseline` : ''].filter(
    (part) => part !== '',
  );
  lines.push(
    `${plural(shown.length, 'finding')}${counts.length > 0 ? ` (${counts.join(', ')})` : ''} in ${plural(report.filesScanned, 'file')}, ${plural(report.linesScanned, 'line')}, ${report.durationMs} ms` +
      `${extra.length > 0 ? `; ${extra.join(', ')}` : ''}; ${blocking === 0 ? 'nothing' : plural(blocking, 'finding')} at or above --fail-on ${failOn}.`,
  );
  return `${lines.join('\n')}\n`;
}
