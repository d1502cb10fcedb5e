import type { Check } from '../../check.js';

/** The REG-* checks (../../catalogue/registration.ts), one file each. */
export const REG_IMPLEMENTATIONS: readonly Check[] = [];
