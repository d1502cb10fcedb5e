import type { Check } from '../../check.js';

/** The REV-* checks (../../catalogue/revocation.ts), one file each. */
export const REV_IMPLEMENTATIONS: readonly Check[] = [];
