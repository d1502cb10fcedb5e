import type { Check } from '../../check.js';

/** The RT-* checks (../../catalogue/refresh.ts), one file each. */
export const RT_IMPLEMENTATIONS: readonly Check[] = [];
