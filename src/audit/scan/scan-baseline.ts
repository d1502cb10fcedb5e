import { BaselineError } from '../report/baseline.js';
import type { ScanFinding } from './scan-report.js';

/** How a baseline knows a finding: its rule, its file and GitHub's line hash (stable when other lines move). */
export function findingKey(finding: Pick<ScanFinding, 'ruleId' | 'file' | 'fingerprint'>): string {
  return `${finding.ruleId}\u0000${finding.file}\u0000${finding.fingerprint}`;
}

/**
 * The findings a scan baseline excuses: an earlier `portcullis scan --json` report (its
 * findings), or a JSON array of `{ ruleId, file, fingerprint }`; a bare rule ID excuses the rule
 * everywhere.
 */
export function excusedFindings(text: string, file: string): (finding: ScanFinding) => boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new BaselineError(`${file} is not JSON: give an earlier portcullis scan --json report, or an array of rule IDs or {ruleId, file, fingerprint}`);
  }
  const entries = Array.isArray(parsed) ? parsed : (parsed as { findings?: unknown } | null)?.findings;
  if (!Array.isArray(entries))
    throw new BaselineError(`${file}: give an earlier portcullis scan --json report, or an array of rule IDs or {ruleId, file, fingerprint}`);
  const rules = new Set<string>();
  const keys = new Set<string>();
  for (const entry of entries) {
    if (typeof entry === 'string') rules.add(entry);
    else if (
      typeof entry === 'object' &&
      entry !== null &&
      typeof entry.ruleId === 'string' &&
      typeof entry.file === 'string' &&
      typeof entry.fingerprint === 'string'
    )
      keys.add(findingKey(entry));
    else throw new BaselineError(`${file}: ${JSON.stringify(entry)} is neither a rule ID nor {ruleId, file, fingerprint}`);
  }
  return (finding) => rules.has(finding.ruleId) || keys.has(findingKey(finding));
}
