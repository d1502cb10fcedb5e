import { CATALOGUE } from '../catalogue/index.js';

/** A baseline file that cannot be used. */
export class BaselineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BaselineError';
  }
}

/**
 * The check IDs a baseline file excuses: a JSON array of IDs, `{ "excused": [IDs] }`, or an
 * earlier JSON report (its failed checks), so `--json > baseline.json` makes one.
 */
export function excusedChecks(text: string, file: string): Set<string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new BaselineError(`${file} is not JSON: give an array of check IDs, {"excused": [...]}, or an earlier --json report`);
  }
  let ids: unknown[];
  if (Array.isArray(parsed)) ids = parsed;
  else if (typeof parsed === 'object' && parsed !== null && Array.isArray((parsed as { excused?: unknown }).excused))
    ids = (parsed as { excused: unknown[] }).excused;
  else if (typeof parsed === 'object' && parsed !== null && Array.isArray((parsed as { checks?: unknown }).checks)) {
    ids = (parsed as { checks: { id?: unknown; status?: unknown }[] }).checks.filter((check) => check.status === 'fail').map((check) => check.id);
  } else throw new BaselineError(`${file}: give an array of check IDs, {"excused": [...]}, or an earlier --json report`);
  const known = new Set(CATALOGUE.map((check) => check.id));
  const excused = new Set<string>();
  for (const id of ids) {
    if (typeof id !== 'string' || !known.has(id.toUpperCase())) throw new BaselineError(`${file}: ${JSON.stringify(id)} is not a check ID`);
    excused.add(id.toUpperCase());
  }
  return excused;
}
