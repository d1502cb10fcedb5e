import { AREAS } from '../check-definition.js';
import type { AuditReport, CheckReport } from './audit-report.js';

/**
 * Text as XML 1.0 character data or an attribute value: the five markup characters escaped,
 * line breaks and tabs kept as character references (an attribute would fold them to spaces), and
 * characters XML cannot hold at all (other controls, lone surrogates, U+FFFE/U+FFFF) replaced by
 * U+FFFD, since a summary may quote whatever a hostile server sent.
 */
export function escapeXml(text: string): string {
  return text.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD').replace(/[&<>"'\t\n\r]/g, (c) => `&#${c.charCodeAt(0)};`);
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

function attributes(values: Readonly<Record<string, string | number>>): string {
  return Object.entries(values)
    .map(([name, value]) => ` ${name}="${escapeXml(String(value))}"`)
    .join('');
}

/** The JUnit outcome element of a check; none for a pass or a warning. */
function outcome(check: CheckReport): string {
  switch (check.status) {
    case 'fail': {
      const details = `${check.summary}\nSeverity: ${check.severity}\nSpec: ${check.spec.map((spec) => `${spec.id} ${spec.url}`).join(', ')}\nFix: ${check.remediation}`;
      return `<failure${attributes({ message: check.summary, type: check.severity })}>${escapeXml(details)}</failure>`;
    }
    case 'error':
      return `<error${attributes({ message: check.summary, type: 'auditor-error' })}/>`;
    case 'na':
      return `<skipped${attributes({ message: check.summary })}/>`;
    case 'inconclusive':
      // Not a finding and not a pass: the answer could not be attributed, so the check did not decide.
      return `<skipped${attributes({ message: `inconclusive: ${check.summary}` })}/>`;
    case 'pass':
    case 'warn':
      return '';
  }
}

function testCase(check: CheckReport): string {
  const head = `<testcase${attributes({ classname: `portcullis.audit.${check.area}`, name: `${check.id} ${check.title}`, time: seconds(check.durationMs) })}>`;
  const out = `<system-out>${escapeXml(`${check.status}: ${check.summary}`)}</system-out>`;
  return `    ${head}${outcome(check)}${out}</testcase>`;
}

/**
 * The audit as JUnit XML for CI test reporters: a testsuite per area, a testcase per check
 * (failure for fail, error for an auditor error, skipped for na and inconclusive; warn and pass
 * pass), the summary as each case's system-out.
 */
export function formatAuditJunit(report: AuditReport): string {
  const counts = (checks: readonly CheckReport[]) => ({
    tests: checks.length,
    failures: checks.filter((check) => check.status === 'fail').length,
    errors: checks.filter((check) => check.status === 'error').length,
    skipped: checks.filter((check) => check.status === 'na' || check.status === 'inconclusive').length,
    time: seconds(checks.reduce((total, check) => total + check.durationMs, 0)),
  });
  const host = new URL(report.target).host;
  const suites = AREAS.map((area, id) => {
    const checks = report.checks.filter((check) => check.area === area);
    const suite = `  <testsuite${attributes({ name: `portcullis audit ${area}`, id, ...counts(checks), timestamp: report.startedAt.slice(0, 19), hostname: host })}>`;
    const properties = `    <properties><property${attributes({ name: 'target', value: report.target })}/><property${attributes({ name: 'mode', value: report.mode })}/></properties>`;
    return [suite, properties, ...checks.map(testCase), '  </testsuite>'].join('\n');
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attributes({ name: `portcullis audit ${report.target}`, ...counts(report.checks), time: seconds(report.durationMs) })}>`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
