import assert from 'node:assert/strict';
import { type AuditOptions, type AuditReport, audit, type CheckReport } from '../../src/audit/index.js';
import { type AuditTarget, startAuditTarget } from './targets/audit-target.js';
import type { Flaw } from './targets/flaws.js';
import type { TargetOptions } from './targets/target-state.js';

/** Audits a fresh target with these flaws (and no others), then closes it. */
export async function auditTarget(
  flaws: readonly Flaw[] = [],
  options: Omit<AuditOptions, 'target'> = {},
  targetOptions: TargetOptions = {},
): Promise<{ report: AuditReport; target: AuditTarget }> {
  const target = await startAuditTarget(flaws, targetOptions);
  try {
    return { report: await audit({ ...options, target: target.url }), target };
  } finally {
    await target.close();
  }
}

/** The report of check `id`; fails the test when the report has none. */
export function checkOf(report: AuditReport, id: string): CheckReport {
  const check = report.checks.find((candidate) => candidate.id === id);
  assert.ok(check !== undefined, `no ${id} in the report`);
  return check;
}

/** Asserts check `id` has `status`, showing what it saw when it does not. */
export function assertStatus(report: AuditReport, id: string, status: CheckReport['status']): CheckReport {
  const check = checkOf(report, id);
  assert.equal(check.status, status, `${id}: ${check.summary}`);
  return check;
}
