import { SEVERITIES, type Severity } from '../check-definition.js';
import type { AuditReport, CheckReport } from './audit-report.js';

/** `--fail-on`: the lowest severity of a failure that fails the run; `none`: no failure does. */
export type FailOn = Severity | 'none';
export const FAIL_ON_VALUES: readonly FailOn[] = ['critical', 'high', 'medium', 'low', 'info', 'none'];

/** Whether a failure of `severity` is at or above `failOn`. */
export function isAtOrAbove(severity: Severity, failOn: FailOn): boolean {
  return failOn !== 'none' && SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(failOn);
}

/** The failures that fail the run: at or above `failOn`, not excused by the baseline. */
export function blockingFailures(report: AuditReport, failOn: FailOn, excused: ReadonlySet<string>): CheckReport[] {
  return report.checks.filter((check) => check.status === 'fail' && isAtOrAbove(check.severity, failOn) && !excused.has(check.id));
}

/**
 * The exit code: 2 when the auditor itself failed (a check in `error`), else 1 for a failure at or
 * above `--fail-on` (also when the run is incomplete), else 3 when incomplete, else 0. With
 * `strictBaseline`, a baselined check that now passes is 1 too: the baseline is out of date.
 * @see ../shared/audit-checks.md §3 "Exit codes"
 */
export function auditExitCode(report: AuditReport, failOn: FailOn, excused: ReadonlySet<string>, strictBaseline = false): 0 | 1 | 2 | 3 {
  if (report.checks.some((check) => check.status === 'error')) return 2;
  if (blockingFailures(report, failOn, excused).length > 0) return 1;
  if (strictBaseline && report.checks.some((check) => excused.has(check.id) && check.status === 'pass')) return 1;
  return report.incomplete ? 3 : 0;
}
