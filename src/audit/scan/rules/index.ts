import type { ScanRule } from '../scan-rule.js';
import { PKCE_PLAIN } from './pkce-plain.js';
import { PKCE_WEAK_RNG } from './pkce-weak-rng.js';

/** The scanner's rules (../shared/audit-checks.md §2), one file each. */
export const SCAN_RULES: readonly ScanRule[] = [PKCE_PLAIN, PKCE_WEAK_RNG];
