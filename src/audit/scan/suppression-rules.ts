import type { RuleDescription } from './scan-rule.js';

/**
 * Findings about suppressions themselves: one that cannot be used (no rule, an unknown rule, no
 * reason), and one that suppresses nothing (the code it excused changed, so it now hides whatever
 * comes next). Both are notes: they fail a run only with `--fail-on info`.
 */
export const SUPPRESSION_INVALID: RuleDescription = {
  id: 'suppression-invalid',
  title: 'A portcullis-ignore comment that cannot be used',
  severity: 'info',
  cwe: [],
  spec: [],
  precision: 'very-high',
  why: 'A suppression must name the rule it excuses and say why, so a reviewer can judge it.',
  fix: 'Write // portcullis-ignore <rule>: <why this is safe>, with a rule ID from docs/scan.md.',
  tags: ['maintainability'],
};

export const SUPPRESSION_UNUSED: RuleDescription = {
  id: 'suppression-unused',
  title: 'A portcullis-ignore comment that suppresses nothing',
  severity: 'info',
  cwe: [],
  spec: [],
  precision: 'very-high',
  why: 'The finding it excused is gone; left in place it would hide the next one on that line.',
  fix: 'Remove the comment.',
  tags: ['maintainability'],
};
