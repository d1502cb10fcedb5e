import type { Severity, Step } from './check-definition.js';

/**
 * pass: the server does what the rule asks. fail: it does not (a finding, at the check's severity
 * or the lower one given). warn: worth knowing, never fails a run. na: did not apply, was not
 * selected, or was not reached, with the reason. inconclusive: the answer could not be
 * attributed to what was probed (never a guess). error: the auditor itself went wrong.
 */
export type Status = 'pass' | 'fail' | 'warn' | 'na' | 'inconclusive' | 'error';
export const STATUSES: readonly Status[] = ['pass', 'fail', 'warn', 'na', 'inconclusive', 'error'];

/** What a check concluded, and what it saw, in one sentence a user reads in the funnel. */
export interface Verdict {
  readonly status: Status;
  readonly summary: string;
  /** For a lesser form of the flaw than the check's own severity (ASM-03: `plain` listed is medium). */
  readonly severity?: Severity;
}

export const pass = (summary: string): Verdict => ({ status: 'pass', summary });
export const fail = (summary: string, severity?: Severity): Verdict => ({ status: 'fail', summary, ...(severity !== undefined ? { severity } : {}) });
export const warn = (summary: string): Verdict => ({ status: 'warn', summary });
export const notApplicable = (summary: string): Verdict => ({ status: 'na', summary });
export const inconclusive = (summary: string): Verdict => ({ status: 'inconclusive', summary });

/**
 * Thrown by a fact a check needs when the server broke an earlier step (no metadata, no way to
 * register): the check is `na`, saying where the flow broke, and the failure itself is reported
 * once, by the check of that step.
 */
export class NotReachedError extends Error {
  constructor(
    readonly step: Step,
    reason: string,
  ) {
    super(reason);
    this.name = 'NotReachedError';
  }
}

/** Thrown by a fact when the answer could not be understood well enough to test what depends on it. */
export class InconclusiveError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'InconclusiveError';
  }
}

/** Thrown by a helper when what a check tests does not exist at this server (no refresh tokens to rotate): the check is `na`, with the reason. */
export class NotApplicableError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'NotApplicableError';
  }
}
