import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import type { TSESTree } from '@typescript-eslint/typescript-estree';
import { PORTCULLIS_VERSION } from '../../core/version.js';
import { SEVERITIES, type Severity } from '../check-definition.js';
import { lineHashes } from './line-hash.js';
import { SCAN_RULES } from './rules/index.js';
import type { FlowStep, ScanError, ScanFinding, ScanReport } from './scan-report.js';
import type { RuleDescription, ScanRule } from './scan-rule.js';
import { parseSourceFile, SUPPRESSION_MARK, UnparsableSourceError } from './source-file.js';
import { sourceFiles } from './source-tree.js';
import { SUPPRESSION_INVALID, SUPPRESSION_UNUSED } from './suppression-rules.js';
import { readSuppressions, suppressionFor } from './suppressions.js';

export interface ScanOptions {
  /** A folder (or one file) to scan. */
  readonly root: string;
  /** Rule IDs to run (empty: all). */
  readonly only?: readonly string[];
  readonly skip?: readonly string[];
  /** Called after each file, for progress. */
  readonly onFile?: (done: number, total: number, file: string) => void;
}

/** A rule ID that `--only` or `--skip` names and no rule has. */
export class UnknownRuleError extends Error {
  constructor(readonly rule: string) {
    super(`${rule} is not a rule: the rules are ${SCAN_RULES.map((each) => each.id).join(', ')}`);
    this.name = 'UnknownRuleError';
  }
}

/** Every rule a report can name: the source rules and the two about suppressions. */
export const RULE_DESCRIPTIONS: readonly RuleDescription[] = [...SCAN_RULES, SUPPRESSION_INVALID, SUPPRESSION_UNUSED];

/** The rules `only` and `skip` leave. */
export function selectRules(only: readonly string[] = [], skip: readonly string[] = []): ScanRule[] {
  for (const id of [...only, ...skip]) if (!SCAN_RULES.some((rule) => rule.id === id)) throw new UnknownRuleError(id);
  return SCAN_RULES.filter((rule) => (only.length === 0 || only.includes(rule.id)) && !skip.includes(rule.id));
}

/** A test file's findings are reported one severity lower: test code rarely ships, but it is copied. */
function lower(severity: Severity): Severity {
  return SEVERITIES[Math.min(SEVERITIES.indexOf(severity) + 1, SEVERITIES.length - 1)]!;
}

function finding(
  rule: RuleDescription,
  severity: Severity,
  path: string,
  node: TSESTree.Node | TSESTree.Comment,
  message: string,
  hashes: () => readonly string[],
) {
  return {
    ruleId: rule.id,
    severity,
    file: path,
    line: node.loc.start.line,
    column: node.loc.start.column + 1,
    endLine: node.loc.end.line,
    endColumn: node.loc.end.column + 1,
    message,
    cwe: rule.cwe,
    fingerprint: hashes()[node.loc.start.line - 1] ?? '',
  };
}

/** The longest code a flow step shows: enough to recognise the line, short enough for a terminal and a SARIF viewer. */
const FLOW_CODE_LENGTH = 80;

/** The steps of a value's way to the finding, when it went through more than the finding's own node. */
function flowSteps(text: string, flow: readonly TSESTree.Node[] | undefined): FlowStep[] | undefined {
  // A step inside the next one (`seed` of `seed.toString(36)`) says nothing the next does not.
  const steps = flow?.filter((node, index) => {
    const next = flow[index + 1];
    return next === undefined || node.range[0] < next.range[0] || node.range[1] > next.range[1];
  });
  if (steps === undefined || steps.length < 2) return undefined;
  return steps.map((node) => {
    const code = text.slice(node.range[0], node.range[1]).replace(/\s+/g, ' ');
    return {
      line: node.loc.start.line,
      column: node.loc.start.column + 1,
      endLine: node.loc.end.line,
      endColumn: node.loc.end.column + 1,
      code: code.length > FLOW_CODE_LENGTH ? `${code.slice(0, FLOW_CODE_LENGTH - 1)}…` : code,
    };
  });
}

/** The findings of `rules` in one file, suppressions applied, and the suppressions that are wrong or unused. */
export function scanText(path: string, text: string, rules: readonly ScanRule[], projectPath = path): ScanFinding[] {
  const needed = rules.filter((rule) => rule.mentions === undefined || rule.mentions.test(text));
  // Nothing any rule starts from, and no suppression to check: nothing to parse for.
  if (needed.length === 0 && !text.includes(SUPPRESSION_MARK)) return [];
  const file = parseSourceFile(path, text, projectPath);
  // Hashed only when there is a finding to fingerprint: most files have none, and hashing reads every character.
  let computed: string[] | undefined;
  const hashes = () => {
    computed ??= lineHashes(text);
    return computed;
  };
  const { suppressions, bad } = readSuppressions(file.program.comments ?? [], new Set(SCAN_RULES.map((rule) => rule.id)));
  const used = new Set<object>();
  const findings: ScanFinding[] = [];
  for (const rule of needed)
    for (const match of rule.find(file)) {
      const severity = file.isTest ? lower(match.severity ?? rule.severity) : (match.severity ?? rule.severity);
      const suppression = suppressionFor(suppressions, rule.id, match.node.loc.start.line);
      if (suppression !== undefined) used.add(suppression);
      const flow = flowSteps(text, match.flow);
      findings.push({
        ...finding(rule, severity, path, match.node, match.message, hashes),
        ...(flow !== undefined ? { flow } : {}),
        ...(suppression !== undefined ? { suppressed: { reason: suppression.reason } } : {}),
      });
    }
  for (const each of bad) findings.push(finding(SUPPRESSION_INVALID, 'info', path, each.comment, each.problem, hashes));
  const ran = new Set(rules.map((rule) => rule.id));
  for (const suppression of suppressions)
    if (!used.has(suppression) && suppression.rules.every((rule) => ran.has(rule)))
      findings.push(
        finding(SUPPRESSION_UNUSED, 'info', path, suppression.comment, `portcullis-ignore ${suppression.rules.join(', ')} suppresses nothing here`, hashes),
      );
  return findings.sort((a, b) => a.line - b.line || a.column - b.column || a.ruleId.localeCompare(b.ruleId));
}

/** The nearest folder at or above `folder` with a package.json or a .git: where test folders are named from. */
function projectRoot(folder: string): string {
  for (let at = folder; ; at = dirname(at)) {
    if (existsSync(join(at, 'package.json')) || existsSync(join(at, '.git'))) return at;
    if (dirname(at) === at) return folder;
  }
}

/**
 * `portcullis scan`: every source file under `options.root` read by every selected rule. A file
 * that cannot be read or parsed is an error of the report, not the end of the scan.
 * @see ../shared/audit-checks.md §2
 */
export function scan(options: ScanOptions): ScanReport {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const rules = selectRules(options.only, options.skip);
  const real = realpathSync(options.root);
  const single = statSync(real).isFile();
  const root = single ? dirname(real) : real;
  const files = single ? [basename(real)] : sourceFiles(real);
  const project = projectRoot(root);
  const findings: ScanFinding[] = [];
  const errors: ScanError[] = [];
  let lines = 0;
  for (const [index, path] of files.entries()) {
    try {
      const text = readFileSync(join(root, path), 'utf8');
      lines += text.split('\n').length;
      findings.push(...scanText(path, text, rules, relative(project, join(root, path)).split(sep).join('/')));
    } catch (error) {
      errors.push({ file: path, message: error instanceof UnparsableSourceError ? error.message : `${path}: cannot be read (${(error as Error).message})` });
    }
    options.onFile?.(index + 1, files.length, path);
  }
  const summary = { critical: 0, high: 0, medium: 0, low: 0, note: 0 };
  for (const each of findings) if (each.suppressed === undefined) summary[each.severity === 'info' ? 'note' : each.severity] += 1;
  return {
    tool: 'portcullis',
    version: PORTCULLIS_VERSION,
    command: 'scan',
    root,
    startedAt,
    filesScanned: files.length,
    linesScanned: lines,
    durationMs: Math.round(performance.now() - started),
    summary,
    findings,
    errors,
  };
}
