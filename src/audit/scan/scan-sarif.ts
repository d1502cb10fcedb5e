import type { ReportingDescriptor, Result } from 'sarif';
import { LEVEL, ruleName, SECURITY_SEVERITY, sarifLog, sentence } from '../report/sarif.js';
import type { ScanFinding, ScanReport } from './scan-report.js';
import type { RuleDescription } from './scan-rule.js';

function cweTag(cwe: string): string {
  return `external/cwe/${cwe.toLowerCase()}`;
}

function rule(description: RuleDescription): ReportingDescriptor {
  const refs = [...description.cwe, ...description.spec.map((spec) => spec.id)].join(', ');
  return {
    id: `portcullis/${description.id}`,
    name: ruleName(description.title),
    shortDescription: { text: description.title },
    fullDescription: { text: `${sentence(description.title)} ${description.why}` },
    help: {
      text: `${description.why}\n\nFix: ${description.fix}${refs === '' ? '' : `\n\nSee: ${refs}.`}`,
      markdown: [
        `**Why:** ${description.why}`,
        `**Fix:** ${description.fix}`,
        ...(description.cwe.length > 0
          ? [`**CWE:** ${description.cwe.map((cwe) => `[${cwe}](https://cwe.mitre.org/data/definitions/${cwe.slice(4)}.html)`).join(', ')}`]
          : []),
        ...(description.spec.length > 0 ? [`**Spec:**\n\n${description.spec.map((spec) => `- [${spec.id}](${spec.url})`).join('\n')}`] : []),
        `Examples and the traps the rule avoids: docs/scan/${description.id}.md.`,
      ].join('\n\n'),
    },
    defaultConfiguration: { level: LEVEL[description.severity] },
    properties: {
      tags: ['security', ...description.tags, ...description.cwe.map(cweTag)].slice(0, 20),
      precision: description.precision,
      'security-severity': SECURITY_SEVERITY[description.severity],
    },
  };
}

/** A file path as a SARIF artifact URI relative to the checkout: `/`-separated, each segment percent-encoded. */
function artifactUri(file: string): string {
  return file.split('/').map(encodeURIComponent).join('/');
}

/** The way the value went, as one thread flow (GitHub shows it as "Show paths"). */
function codeFlows(finding: ScanFinding): Pick<Result, 'codeFlows'> {
  if (finding.flow === undefined) return {};
  const locations = finding.flow.map((step, index) => ({
    location: {
      physicalLocation: {
        artifactLocation: { uri: artifactUri(finding.file) },
        region: { startLine: step.line, startColumn: step.column, endLine: step.endLine, endColumn: step.endColumn },
      },
      message: { text: index === 0 ? `source: ${step.code}` : index === finding.flow!.length - 1 ? `sink: ${step.code}` : step.code },
    },
  }));
  return { codeFlows: [{ threadFlows: [{ locations }] }] };
}

function result(finding: ScanFinding, ruleIndex: number): Result {
  return {
    ruleId: `portcullis/${finding.ruleId}`,
    ruleIndex,
    level: LEVEL[finding.severity],
    message: { text: finding.message },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: artifactUri(finding.file) },
          region: { startLine: finding.line, startColumn: finding.column, endLine: finding.endLine, endColumn: finding.endColumn },
        },
      },
    ],
    ...codeFlows(finding),
    ...(finding.fingerprint !== '' ? { partialFingerprints: { primaryLocationLineHash: finding.fingerprint } } : {}),
    ...(finding.suppressed !== undefined ? { suppressions: [{ kind: 'inSource', justification: finding.suppressed.reason }] } : {}),
    properties: { severity: finding.severity, cwe: [...finding.cwe] },
  };
}

/**
 * The scan as a SARIF 2.1.0 log for GitHub code scanning: a rule per scanner rule (help, CWE
 * tags, precision, `security-severity`), a result per finding with its region (1-based, UTF-16
 * columns, as the parser gives them) and GitHub's line hash; a suppressed finding carries its
 * in-source suppression. Category `portcullis/scan/`.
 */
export function scanSarifLog(report: ScanReport, rules: readonly RuleDescription[]) {
  const ruleIndex = new Map(rules.map((each, index) => [each.id, index]));
  return sarifLog({
    version: report.version,
    rules: rules.map(rule),
    automationId: 'portcullis/scan/',
    invocation: {
      executionSuccessful: report.errors.length === 0,
      startTimeUtc: report.startedAt,
      endTimeUtc: new Date(Date.parse(report.startedAt) + report.durationMs).toISOString(),
    },
    results: report.findings.map((finding) => result(finding, ruleIndex.get(finding.ruleId)!)),
  });
}
