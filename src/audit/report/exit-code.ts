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

/** What decides an exit code, for `audit` and `scan` alike. */
export interface RunOutcome {
  /** The tool itself failed (a check in error). */
  readonly internalError: boolean;
  /** A finding at or above `--fail-on` that no baseline excuses. */
  readonly blocking: boolean;
  /** `--strict-baseline` and an excused finding is gone: the baseline is out of date. */
  readonly staleBaseline: boolean;
  /** Some of the run could not be done (target unreachable, a file that cannot be parsed). */
  readonly incomplete: boolean;
}

/**
 * The exit code of both commands: 2 when the tool itself failed, else 1 for a blocking finding
 * (also when the run is incomplete) or a stale baseline, else 3 when incomplete, else 0.
 * @see ../shared/audit-checks.md §3 "Exit codes"
 */
export function exitCode(outcome: RunOutcome): 0 | 1 | 2 | 3 {
  if (outcome.internalError) return 2;
  if (outcome.blocking || outcome.staleBaseline) return 1;
  return outcome.incomplete ? 3 : 0;
}

/** The exit code of an audit: {@link exitCode} of its checks. */
export function auditExitCode(report: AuditReport, failOn: FailOn, excused: ReadonlySet<string>, strictBaseline = false): 0 | 1 | 2 | 3 {
  return exitCode({
    internalError: report.checks.some((check) => check.status === 'error'),
    blocking: blockingFailures(report, failOn, excused).length > 0,
    staleBaseline: strictBaseline && report.checks.some((check) => excused.has(check.id) && check.status === 'pass'),
    incomplete: report.incomplete,
  });
}
