import type { Check } from '../../check.js';

/** The RS-* checks (../../catalogue/resource.ts), one file each. */
export const RS_IMPLEMENTATIONS: readonly Check[] = [];
