import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import type { AuditOptions, AuditReport, Severity, Status } from '../../../src/audit/index.js';
import { auditTarget, checkOf } from '../audit-support.js';
import type { Flaw } from '../targets/flaws.js';
import type { TargetOptions } from '../targets/target-state.js';

/**
 * A fixed DNS table for the audit (AuditOptions.lookup): names not in it do not resolve, so no
 * test asks the machine's resolver about the `.test` names the flawed targets use.
 */
export function fakeDns(table: Readonly<Record<string, string>> = {}): NonNullable<AuditOptions['lookup']> {
  return (hostname, _options, callback) => {
    const address = table[hostname];
    if (address === undefined) {
      callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
      return;
    }
    const found: LookupAddress = { address, family: address.includes(':') ? 6 : 4 };
    callback(null, [found]);
  };
}

/** A correct target in one of its legitimate forms, and the audit options it is audited with. */
export interface Form {
  readonly target?: TargetOptions;
  readonly audit?: Omit<AuditOptions, 'target' | 'only'>;
}

/** One flaw, the check that must catch it, and what that check must say. */
export interface FlawCase {
  readonly flaw: Flaw;
  readonly check: string;
  readonly status: Status;
  readonly severity?: Severity;
  readonly summary?: RegExp;
  /** The form of the target the flaw is added to (default: the plain correct target). */
  readonly form?: string;
  /** Other checks of the area whose verdict this flaw changes too, and to what (a step the flow cannot pass). */
  readonly alsoChanges?: Readonly<Record<string, Status>>;
}

/**
 * Audits of one area against the correct target and against each flaw, checking "one flaw each":
 * the flaw's own check gets the verdict asked for, and every other check of the area keeps the
 * verdict it had on the correct target of the same form.
 */
export class AreaCases {
  readonly #baselines = new Map<string, Promise<AuditReport>>();

  constructor(
    private readonly area: string,
    private readonly forms: Readonly<Record<string, Form>>,
  ) {}

  audit(flaws: readonly Flaw[], formName = 'plain'): Promise<AuditReport> {
    const form = this.forms[formName];
    assert.ok(form !== undefined, `no form ${formName}`);
    return auditTarget(flaws, { ...form.audit, only: [this.area] }, form.target ?? {}).then(({ report }) => report);
  }

  /** The report of the correct target of `formName`, audited once. */
  baseline(formName = 'plain'): Promise<AuditReport> {
    let report = this.#baselines.get(formName);
    if (report === undefined) {
      report = this.audit([], formName);
      this.#baselines.set(formName, report);
    }
    return report;
  }

  /** The statuses of the area's checks, by ID. */
  statuses(report: AuditReport): Record<string, Status> {
    return Object.fromEntries(report.checks.filter((check) => check.area === this.area).map((check) => [check.id, check.status]));
  }

  async assertCase(testCase: FlawCase): Promise<void> {
    const report = await this.audit([testCase.flaw], testCase.form);
    const check = checkOf(report, testCase.check);
    assert.equal(check.status, testCase.status, `${testCase.check} with ${testCase.flaw}: ${check.summary}`);
    if (testCase.severity !== undefined) assert.equal(check.severity, testCase.severity, `${testCase.check} severity: ${check.summary}`);
    if (testCase.summary !== undefined) assert.match(check.summary, testCase.summary);
    const expected = { ...this.statuses(await this.baseline(testCase.form)), ...testCase.alsoChanges };
    delete expected[testCase.check];
    const seen = this.statuses(report);
    delete seen[testCase.check];
    assert.deepEqual(seen, expected, `${testCase.flaw} changed only ${testCase.check}${testCase.alsoChanges === undefined ? '' : ' (and what it blocks)'}`);
  }
}
