import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { AREAS, CATALOGUE } from '../../../src/audit/index.js';
import { escapeXml, formatAuditJunit } from '../../../src/audit/report/junit.js';
import { auditTarget } from '../audit-support.js';
import { HOSTILE_SUMMARY, sampleReport } from './sample-report.js';

interface Case {
  '@_classname': string;
  '@_name': string;
  '@_time': string;
  failure?: { '@_message': string; '@_type': string; '#text': string };
  error?: { '@_message': string };
  skipped?: { '@_message': string };
  'system-out': string;
}
interface Suite {
  '@_name': string;
  '@_tests': string;
  '@_failures': string;
  '@_errors': string;
  '@_skipped': string;
  '@_timestamp': string;
  testcase: Case[];
}
interface Junit {
  testsuites: { '@_tests': string; '@_failures': string; '@_errors': string; '@_skipped': string; testsuite: Suite[] };
}

/** Parses JUnit XML back with a real XML parser, after checking it is well-formed. */
function parseJunit(xml: string): Junit {
  const valid = XMLValidator.validate(xml);
  assert.equal(valid, true, JSON.stringify(valid));
  const parser = new XMLParser({
    ignoreAttributes: false,
    parseAttributeValue: false,
    parseTagValue: false,
    trimValues: false,
    processEntities: true,
    htmlEntities: true,
    isArray: (name) => name === 'testsuite' || name === 'testcase',
  });
  return parser.parse(xml) as Junit;
}

describe('the JUnit report', () => {
  it('has a test suite per area and a test case per check, with counts that add up', () => {
    const report = sampleReport();
    const junit = parseJunit(formatAuditJunit(report));
    const suites = junit.testsuites.testsuite;
    assert.deepEqual(
      suites.map((suite) => suite['@_name']),
      AREAS.map((area) => `portcullis audit ${area}`),
    );
    assert.deepEqual(
      suites.flatMap((suite) => suite.testcase.map((testcase) => testcase['@_name'].split(' ')[0])),
      CATALOGUE.map((check) => check.id),
    );
    assert.equal(Number(junit.testsuites['@_tests']), CATALOGUE.length);
    assert.equal(Number(junit.testsuites['@_failures']), report.summary.fail);
    assert.equal(Number(junit.testsuites['@_errors']), report.summary.error);
    assert.equal(Number(junit.testsuites['@_skipped']), report.summary.na + report.summary.inconclusive);
    for (const suite of suites) {
      const cases = suite.testcase;
      assert.equal(Number(suite['@_tests']), cases.length, suite['@_name']);
      assert.equal(Number(suite['@_failures']), cases.filter((testcase) => testcase.failure !== undefined).length, suite['@_name']);
      assert.equal(Number(suite['@_errors']), cases.filter((testcase) => testcase.error !== undefined).length, suite['@_name']);
      assert.equal(Number(suite['@_skipped']), cases.filter((testcase) => testcase.skipped !== undefined).length, suite['@_name']);
      assert.match(suite['@_timestamp'], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/, 'a timestamp without a zone, as the JUnit schema wants');
    }
  });

  it('maps each status to its JUnit outcome, with the summary as system-out', () => {
    const cases = new Map(
      parseJunit(formatAuditJunit(sampleReport()))
        .testsuites.testsuite.flatMap((suite) => suite.testcase)
        .map((testcase) => [testcase['@_name'].split(' ')[0], testcase]),
    );
    const asm03 = cases.get('ASM-03')!;
    assert.equal(asm03.failure?.['@_type'], 'medium');
    assert.equal(asm03.failure?.['@_message'], 'code_challenge_methods_supported lists plain');
    assert.match(asm03.failure?.['#text'] ?? '', /Fix: Publish code_challenge_methods_supported/);
    assert.equal(asm03['@_classname'], 'portcullis.audit.ASM');
    assert.equal(asm03['system-out'], 'fail: code_challenge_methods_supported lists plain');
    assert.equal(cases.get('TOK-13')?.error?.['@_message'], 'the check failed to run: unexpected end of JSON input');
    assert.match(cases.get('AZ-06')?.skipped?.['@_message'] ?? '', /^inconclusive: /);
    assert.equal(cases.get('RT-01')?.skipped?.['@_message'], 'not selected (--only / --skip)');
    for (const id of ['DISC-01', 'DISC-02']) {
      const testcase = cases.get(id)!;
      assert.equal(testcase.failure ?? testcase.error ?? testcase.skipped, undefined, `${id} passes`);
    }
    assert.match(cases.get('DISC-02')?.['system-out'] ?? '', /^warn: /);
    assert.equal(cases.get('DISC-01')?.['@_time'], '0.012');
  });

  it('escapes what a server sent, so the XML stays well-formed and says what was seen', () => {
    const xml = formatAuditJunit(sampleReport());
    assert.doesNotMatch(xml, /<script>/);
    assert.doesNotMatch(xml, /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/, 'no character XML 1.0 cannot hold');
    const az01 = parseJunit(xml)
      .testsuites.testsuite.flatMap((suite) => suite.testcase)
      .find((testcase) => testcase['@_name'].startsWith('AZ-01 '))!;
    assert.equal(az01.failure?.['@_message'], HOSTILE_SUMMARY.replace(/[\u0007\u001b]/g, '\uFFFD'));
    assert.equal(escapeXml('a\nb\t"c"'), 'a&#10;b&#9;&#34;c&#34;');
    assert.equal(escapeXml('\uD800x'), '\uFFFDx', 'a lone surrogate');
  });

  it('is well-formed for a real audit of the audit target', async () => {
    const { report } = await auditTarget([], { only: ['DISC'] });
    const junit = parseJunit(formatAuditJunit(report));
    assert.equal(Number(junit.testsuites['@_tests']), CATALOGUE.length);
    assert.equal(Number(junit.testsuites['@_failures']), report.summary.fail);
  });
});
