import { STEPS, type Step } from '../check-definition.js';
import type { AuditReport, CheckReport } from './audit-report.js';
import { type FailOn, isAtOrAbove } from './exit-code.js';

const STEP_NAMES: Readonly<Record<Step, string>> = {
  challenge: '401 challenge',
  'resource-metadata': 'protected-resource metadata',
  'as-metadata': 'authorization server metadata',
  registration: 'registration',
  authorization: 'authorization',
  token: 'token',
  refresh: 'refresh',
  resource: 'resource',
  revocation: 'revocation and introspection',
};

const MARK = { pass: '✔', fail: '✖', warn: '!', na: '–', inconclusive: '?', error: '✖' } as const;

/**
 * The report for a terminal: the funnel, one line per step with what passed, then under it every
 * finding (fail, warn, inconclusive, error) with its severity, what was seen, the spec and the fix;
 * the first step with a failure is marked as where the flow broke.
 */
export function formatAuditText(report: AuditReport, failOn: FailOn, excused: ReadonlySet<string>): string {
  const lines = [`Portcullis audit of ${report.target} (${report.mode}), ${(report.durationMs / 1000).toFixed(1)} s`, ''];
  let brokeAt: Step | undefined;
  for (const step of STEPS) {
    const checks = report.checks.filter((check) => check.step === step);
    const count = (status: CheckReport['status']) => checks.filter((check) => check.status === status).length;
    const failed = count('fail') + count('error');
    if (failed > 0 && brokeAt === undefined) brokeAt = step;
    const parts = [
      count('pass') > 0 ? `${count('pass')} passed` : '',
      failed > 0 ? `${failed} failed` : '',
      count('warn') > 0 ? `${count('warn')} warnings` : '',
      count('inconclusive') > 0 ? `${count('inconclusive')} inconclusive` : '',
      count('na') > 0 ? `${count('na')} not run` : '',
    ].filter((part) => part !== '');
    const mark = failed > 0 ? '✖' : count('pass') > 0 ? '✔' : '–';
    lines.push(`${mark} ${STEP_NAMES[step].padEnd(31)} ${parts.join(', ')}${brokeAt === step ? '   ← where it broke' : ''}`);
    for (const check of checks) {
      if (check.status === 'pass' || check.status === 'na') continue;
      const excuse = excused.has(check.id) ? ' (baseline)' : '';
      const severity = check.status === 'fail' ? ` ${check.severity}${isAtOrAbove(check.severity, failOn) ? '' : ' (below --fail-on)'}` : '';
      lines.push(`    ${MARK[check.status]} ${check.id}${severity}${excuse}: ${check.title}`);
      lines.push(`      ${check.summary}`);
      if (check.status === 'fail' || check.status === 'warn') {
        lines.push(`      spec: ${check.spec.map((spec) => spec.id).join(', ')}`);
        lines.push(`      fix: ${check.remediation}`);
      }
    }
  }
  const notRun = report.checks.filter((check) => check.status === 'na');
  const reasons = new Map<string, number>();
  for (const check of notRun) reasons.set(check.summary, (reasons.get(check.summary) ?? 0) + 1);
  if (notRun.length > 0) {
    lines.push('', 'Not run:');
    for (const [reason, n] of [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 6)) lines.push(`  ${n} × ${reason}`);
  }
  const { summary } = report;
  lines.push(
    '',
    `${summary.pass} pass, ${summary.fail} fail, ${summary.warn} warn, ${summary.na} n/a, ${summary.inconclusive} inconclusive, ${summary.error} error`,
  );
  if (report.incomplete) lines.push(`Incomplete: ${report.incompleteReason ?? ''}`);
  return `${lines.join('\n')}\n`;
}
