import type { Check } from '../../check.js';

/** The AZ-* checks (../../catalogue/authorization.ts), one file each. */
export const AZ_IMPLEMENTATIONS: readonly Check[] = [];
