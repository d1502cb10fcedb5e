import type { Log, ReportingDescriptor, Result } from 'sarif';
import { CATALOGUE } from '../catalogue/index.js';
import type { CheckDefinition, Severity } from '../check-definition.js';
import type { AuditReport, CheckReport } from './audit-report.js';

/** Where a reader of the SARIF log learns what Portcullis is (`tool.driver.informationUri`). */
export const PORTCULLIS_INFORMATION_URI = 'https://www.npmjs.com/package/portcullis';

/**
 * GitHub code scanning ranks alerts by this score, a string from 0.1 to 10 (> 9 critical,
 * 7–8.9 high, 4–6.9 medium, < 4 low). Info findings never fail a run: 0.0.
 * @see ../shared/audit-checks.md §3
 */
export const SECURITY_SEVERITY: Readonly<Record<Severity, string>> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '0.0' };

export const LEVEL: Readonly<Record<Severity, 'error' | 'warning' | 'note'>> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'warning',
  info: 'note',
};

export interface SarifOptions {
  /**
   * The repository file every result is anchored to (line 1): findings of a live audit have no
   * source location, and code scanning refuses a result without one. Relative, forward slashes.
   */
  readonly anchor: string;
  /** Check IDs a baseline excuses: their results are marked suppressed (`kind: external`). */
  readonly excused?: ReadonlySet<string>;
}

/** An anchor a SARIF reader can resolve in a checkout: relative, `/`-separated, no `..`, each segment percent-encoded. */
export function sarifAnchorUri(path: string): string {
  const segments = path.replaceAll('\\', '/').split('/');
  const kept = segments.filter((segment) => segment !== '' && segment !== '.');
  if (kept.length === 0 || segments[0] === '' || /^[a-z][a-z0-9+.-]*:/i.test(path) || kept.includes('..'))
    throw new RangeError(`${path}: the SARIF anchor must be a file path relative to the repository root, e.g. README.md`);
  return kept.map(encodeURIComponent).join('/');
}

/** The words of a title as a rule name in PascalCase ("Code replay is refused" → CodeReplayIsRefused). */
export function ruleName(title: string): string {
  return title
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word !== '')
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join('');
}

export const sentence = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);

function rule(check: CheckDefinition): ReportingDescriptor {
  const specList = check.spec.map((spec) => `${spec.id} (${spec.url})`).join(', ');
  return {
    id: `portcullis/${check.id}`,
    name: ruleName(check.title),
    shortDescription: { text: check.title },
    fullDescription: { text: `${check.id}: ${sentence(check.title)} Checked by portcullis audit against the live server. Spec: ${specList}.` },
    help: {
      text: `${check.remediation}\n\nSpec: ${specList}.`,
      markdown: `**Fix:** ${check.remediation}\n\n**Spec:**\n\n${check.spec.map((spec) => `- [${spec.id}](${spec.url})`).join('\n')}`,
    },
    ...(check.spec[0] !== undefined ? { helpUri: check.spec[0].url } : {}),
    defaultConfiguration: { level: LEVEL[check.severity] },
    properties: {
      tags: ['security', 'oauth', 'mcp', `area/${check.area.toLowerCase()}`],
      precision: 'high',
      'security-severity': SECURITY_SEVERITY[check.severity],
    },
  };
}

function result(check: CheckReport, ruleIndex: number, report: AuditReport, options: SarifOptions, uri: string): Result {
  const what = check.status === 'fail' ? 'Failed' : 'Warning';
  return {
    ruleId: `portcullis/${check.id}`,
    ruleIndex,
    level: check.status === 'fail' ? LEVEL[check.severity] : 'note',
    message: {
      text: `${sentence(check.title)} ${what} at ${report.target}: ${sentence(check.summary)} Spec: ${check.spec.map((spec) => spec.id).join(', ')}.`,
    },
    locations: [{ physicalLocation: { artifactLocation: { uri }, region: { startLine: 1 } } }],
    // One alert per check and audited host, whatever the wording of the summary.
    partialFingerprints: { 'portcullisAudit/v1': `${new URL(report.target).host}/${check.id}` },
    ...(options.excused?.has(check.id) === true ? { suppressions: [{ kind: 'external', justification: 'excused by the audit baseline' }] } : {}),
    properties: {
      status: check.status,
      severity: check.severity,
      target: report.target,
      summary: check.summary,
      spec: check.spec.map((spec) => ({ id: spec.id, url: spec.url })),
      remediation: check.remediation,
      evidence: check.evidence,
    },
  };
}

/**
 * The audit as a SARIF 2.1.0 log for GitHub code scanning: one run, a rule per check of the
 * catalogue (help, tags, `security-severity`), a result per failed check (error or warning by
 * severity) and per warning (note), each anchored to `options.anchor`, line 1. The category,
 * `runAutomationDetails.id`, is `portcullis/audit/<host>/`, so audits of different servers in one
 * repository keep separate alerts. Evidence is the report's, already redacted.
 * @see ../shared/audit-checks.md §3 "SARIF 2.1.0 for GitHub code scanning"
 */
export function auditSarifLog(report: AuditReport, options: SarifOptions): Log {
  const uri = sarifAnchorUri(options.anchor);
  const ruleIndex = new Map(CATALOGUE.map((check, index) => [check.id, index]));
  return sarifLog({
    version: report.version,
    rules: CATALOGUE.map(rule),
    automationId: `portcullis/audit/${new URL(report.target).host}/`,
    invocation: {
      executionSuccessful: !report.incomplete && report.summary.error === 0,
      startTimeUtc: report.startedAt,
      endTimeUtc: new Date(Date.parse(report.startedAt) + report.durationMs).toISOString(),
    },
    results: report.checks
      .filter((check) => check.status === 'fail' || check.status === 'warn')
      .map((check) => result(check, ruleIndex.get(check.id)!, report, options, uri)),
  });
}

/** What a SARIF log of one Portcullis run holds; {@link sarifLog} adds the envelope and the tool. */
export interface SarifRun {
  readonly version: string;
  readonly rules: readonly ReportingDescriptor[];
  readonly results: readonly Result[];
  /** The category: runs with different ids keep separate alerts in one repository. Ends with `/`. */
  readonly automationId: string;
  readonly invocation: { readonly executionSuccessful: boolean; readonly startTimeUtc: string; readonly endTimeUtc: string };
}

/**
 * The one SARIF 2.1.0 writer of `audit` and `scan`: the schema, one run, the Portcullis driver
 * with its rules, the category and the invocation.
 * @see ../shared/audit-checks.md §3 "SARIF 2.1.0 for GitHub code scanning"
 */
export function sarifLog(run: SarifRun): Log {
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'Portcullis', semanticVersion: run.version, informationUri: PORTCULLIS_INFORMATION_URI, rules: [...run.rules] } },
        automationDetails: { id: run.automationId },
        invocations: [{ ...run.invocation }],
        results: [...run.results],
      },
    ],
  };
}

/** {@link auditSarifLog} as the text of a `.sarif` file. */
export function formatAuditSarif(report: AuditReport, options: SarifOptions): string {
  return `${JSON.stringify(auditSarifLog(report, options), null, 2)}\n`;
}
