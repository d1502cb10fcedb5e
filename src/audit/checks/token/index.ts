import type { Check } from '../../check.js';

/** The TOK-* checks (../../catalogue/token.ts), one file each. */
export const TOK_IMPLEMENTATIONS: readonly Check[] = [];
