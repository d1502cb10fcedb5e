import type { Check } from '../../check.js';
import { RS_01 } from './rs-01-invalid-token.js';
import { RS_02 } from './rs-02-forged-jwt.js';
import { RS_03 } from './rs-03-audience-binding.js';
import { RS_04 } from './rs-04-query-token.js';
import { RS_05 } from './rs-05-foreign-token.js';
import { RS_06 } from './rs-06-revoked-and-expired.js';
import { RS_07 } from './rs-07-session-needs-token.js';
import { RS_08 } from './rs-08-insufficient-scope.js';
import { RS_09 } from './rs-09-real-call.js';

/** The RS-* checks (../../catalogue/resource.ts), one file each. */
export const RS_IMPLEMENTATIONS: readonly Check[] = [RS_01, RS_02, RS_03, RS_04, RS_05, RS_06, RS_07, RS_08, RS_09];
