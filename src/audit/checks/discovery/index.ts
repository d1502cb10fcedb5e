import type { Check } from '../../check.js';
import { DISC_01 } from './disc-01-unauthenticated-challenge.js';
import { DISC_02 } from './disc-02-challenge-header.js';
import { DISC_03 } from './disc-03-resource-metadata-found.js';
import { DISC_04 } from './disc-04-resource-matches.js';
import { DISC_05 } from './disc-05-authorization-servers.js';
import { DISC_06 } from './disc-06-no-offline-access.js';
import { DISC_07 } from './disc-07-cors-exposes-challenge.js';
import { DISC_08 } from './disc-08-local-origin-host.js';
import { DISC_09 } from './disc-09-secure-transport.js';
import { DISC_10 } from './disc-10-metadata-addresses.js';

/** The DISC-* checks (../../catalogue/discovery.ts), one file each. */
export const DISC_IMPLEMENTATIONS: readonly Check[] = [DISC_01, DISC_02, DISC_03, DISC_04, DISC_05, DISC_06, DISC_07, DISC_08, DISC_09, DISC_10];
