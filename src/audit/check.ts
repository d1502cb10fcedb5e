import type { Probe } from './probe.js';
import type { Verdict } from './verdict.js';

/** A check's implementation: the definition (ID, title, spec, severity) is in the catalogue. */
export interface Check {
  readonly id: string;
  run(probe: Probe): Promise<Verdict>;
}
