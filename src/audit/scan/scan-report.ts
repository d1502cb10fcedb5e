import type { Severity } from '../check-definition.js';

/** One finding of `portcullis scan` (the JSON contract: docs/scan.md). Lines and columns 1-based, columns in UTF-16 units. */
export interface ScanFinding {
  readonly ruleId: string;
  readonly severity: Severity;
  /** Relative to the scanned root, forward slashes. */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  readonly message: string;
  readonly cwe: readonly string[];
  /** GitHub's primaryLocationLineHash of the finding's first line: stable when other lines move. */
  readonly fingerprint: string;
  /** Source to sink, when the rule followed a value: each place it passed through, source first (SARIF `codeFlows`). */
  readonly flow?: readonly FlowStep[];
  /** The reason given in source, when a `portcullis-ignore` comment suppresses it (it then counts in no summary). */
  readonly suppressed?: { readonly reason: string };
}

/** One place a value passed through on its way to the finding, with the code there (one line, shortened). */
export interface FlowStep {
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  readonly code: string;
}

/** A file that could not be read or parsed: the scan goes on without it, and is incomplete. */
export interface ScanError {
  readonly file: string;
  readonly message: string;
}

export interface ScanReport {
  readonly tool: 'portcullis';
  readonly version: string;
  readonly command: 'scan';
  readonly root: string;
  readonly startedAt: string;
  readonly filesScanned: number;
  readonly linesScanned: number;
  readonly durationMs: number;
  /** Unsuppressed findings by severity (`note` counts the info ones). */
  readonly summary: { readonly critical: number; readonly high: number; readonly medium: number; readonly low: number; readonly note: number };
  readonly findings: readonly ScanFinding[];
  readonly errors: readonly ScanError[];
}
