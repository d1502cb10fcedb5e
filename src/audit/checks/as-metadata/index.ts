import type { Check } from '../../check.js';

/** The ASM-* checks (../../catalogue/as-metadata.ts), one file each. */
export const ASM_IMPLEMENTATIONS: readonly Check[] = [];
