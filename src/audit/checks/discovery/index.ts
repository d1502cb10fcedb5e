import type { Check } from '../../check.js';
import { DISC_01 } from './disc-01-unauthenticated-challenge.js';
import { DISC_02 } from './disc-02-challenge-header.js';
import { DISC_03 } from './disc-03-resource-metadata-found.js';

/** The DISC-* checks (../../catalogue/discovery.ts), one file each. */
export const DISC_IMPLEMENTATIONS: readonly Check[] = [DISC_01, DISC_02, DISC_03];
