import type { Area, Severity, SpecReference, Step } from '../check-definition.js';
import type { ReportedExchange } from '../exchange.js';
import type { Status } from '../verdict.js';

/**
 * The JSON report of `portcullis audit --json` and of `audit()`: a contract (docs/audit.md).
 * Every check of the catalogue appears in every report, with `na` and a reason when it did not
 * apply, was not selected or was not reached. Secrets are redacted throughout.
 */
export interface AuditReport {
  readonly tool: 'portcullis';
  readonly version: string;
  readonly command: 'audit';
  readonly target: string;
  readonly mode: 'unauthenticated' | 'logged-in';
  readonly startedAt: string;
  readonly durationMs: number;
  /** The audit could not do what it set out to (target unreachable, the baseline flow failed). */
  readonly incomplete: boolean;
  readonly incompleteReason?: string;
  readonly summary: Readonly<Record<Status, number>>;
  readonly checks: readonly CheckReport[];
}

export interface CheckReport {
  readonly id: string;
  readonly title: string;
  readonly area: Area;
  readonly step: Step;
  readonly status: Status;
  readonly severity: Severity;
  /** What was observed, or why the check did not run. */
  readonly summary: string;
  readonly spec: readonly SpecReference[];
  readonly evidence: { readonly requests: readonly ReportedExchange[] };
  readonly remediation: string;
  readonly durationMs: number;
}
