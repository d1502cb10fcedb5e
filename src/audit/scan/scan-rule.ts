import type { TSESTree } from '@typescript-eslint/typescript-estree';
import type { Severity, SpecReference } from '../check-definition.js';
import type { SourceFile } from './source-file.js';

/** How often a rule's findings are real, as GitHub code scanning reads `precision`. */
export type Precision = 'very-high' | 'high' | 'medium' | 'low';

/** One thing a rule found: where, what, how bad (when not the rule's default), and the way the value went. */
export interface RuleMatch {
  /** The node the finding points at (its start and end are the finding's region). */
  readonly node: TSESTree.Node;
  /** One sentence, specific to this place: "codeVerifier comes from Math.random(), which is predictable". */
  readonly message: string;
  /** A lesser form of the flaw (e.g. no `state` but PKCE sent): lower than the rule's severity. */
  readonly severity?: Severity;
  /** Source to sink, for SARIF `codeFlows`: the nodes a value passed through, source first. */
  readonly flow?: readonly TSESTree.Node[];
}

/**
 * A scanner rule: its stable ID (a contract, like a check ID), what it finds, how bad it is, the
 * CWE and specification it enforces, and the one-line why and fix a developer reads.
 * The rules are ../shared/audit-checks.md §2; each has a page in docs/scan/.
 */
export interface RuleDescription {
  readonly id: string;
  /** A heading: "PKCE verifier from a predictable source". */
  readonly title: string;
  readonly severity: Severity;
  /** `CWE-338` style. */
  readonly cwe: readonly string[];
  readonly spec: readonly SpecReference[];
  readonly precision: Precision;
  /** One line: why it matters. */
  readonly why: string;
  /** One line: what to do instead. */
  readonly fix: string;
  /** Topic tags for SARIF beyond `security` and the CWEs (`pkce`, `oauth`). */
  readonly tags: readonly string[];
}

/** A rule that reads source: its description and what it finds in one file. */
export interface ScanRule extends RuleDescription {
  /**
   * Words without which the rule cannot find anything in a file (the names, keys or modules it
   * starts from): a file whose text does not match is not given to the rule, and a file no rule
   * needs is not parsed. A necessary condition only, never evidence of a finding; a rule without
   * one reads every file. Each rule's positive fixtures must match it (rule-fixtures.ts checks).
   */
  readonly mentions?: RegExp;
  find(file: SourceFile): Iterable<RuleMatch>;
}
