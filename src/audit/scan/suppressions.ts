import type { TSESTree } from '@typescript-eslint/typescript-estree';

/**
 * An in-source suppression: `// portcullis-ignore <rule>: <reason>` on the line of a finding or on
 * the line above it. The reason is required, since a suppression a reviewer cannot judge is a
 * hidden finding. Several rules may share one: `// portcullis-ignore token-logged, token-in-url: …`.
 */
export interface Suppression {
  readonly rules: readonly string[];
  readonly reason: string;
  /** The line of the comment; it covers this line and the next. */
  readonly line: number;
  readonly comment: TSESTree.Comment;
}

/** A `portcullis-ignore` comment that cannot be used: no rule, an unknown rule, or no reason. */
export interface BadSuppression {
  readonly comment: TSESTree.Comment;
  readonly problem: string;
}

const DIRECTIVE = /^\s*portcullis-ignore\b(.*)$/s;
const BODY = /^\s+([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)\s*:\s*(\S.*)$/s;

/** The suppressions of a file's comments, and the directives that are not usable ones. */
export function readSuppressions(
  comments: readonly TSESTree.Comment[],
  knownRules: ReadonlySet<string>,
): { suppressions: Suppression[]; bad: BadSuppression[] } {
  const suppressions: Suppression[] = [];
  const bad: BadSuppression[] = [];
  for (const comment of comments) {
    const directive = DIRECTIVE.exec(comment.value);
    if (directive === null) continue;
    const body = BODY.exec(directive[1]!);
    if (body === null) {
      bad.push({ comment, problem: 'portcullis-ignore needs a rule and a reason: // portcullis-ignore <rule>: <why this is safe>' });
      continue;
    }
    const rules = body[1]!.split(',').map((rule) => rule.trim());
    const unknown = rules.filter((rule) => !knownRules.has(rule));
    if (unknown.length > 0) {
      bad.push({ comment, problem: `portcullis-ignore names no rule called ${unknown.join(', ')}` });
      continue;
    }
    suppressions.push({ rules, reason: body[2]!.trim(), line: comment.loc.end.line, comment });
  }
  return { suppressions, bad };
}

/** The suppression covering a finding of `rule` that starts on `line`, if any. */
export function suppressionFor(suppressions: readonly Suppression[], rule: string, line: number): Suppression | undefined {
  return suppressions.find((suppression) => suppression.rules.includes(rule) && (suppression.line === line || suppression.line === line - 1));
}
