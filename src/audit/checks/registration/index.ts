import type { Check } from '../../check.js';
import { REG_01 } from './reg-01-script-redirect-schemes.js';
import { REG_02 } from './reg-02-plain-http-redirect.js';
import { REG_03 } from './reg-03-redirect-uris-required.js';
import { REG_04 } from './reg-04-distinct-clients.js';
import { REG_05 } from './reg-05-removed-grants.js';
import { REG_06 } from './reg-06-registration-rate-limit.js';
import { REG_07 } from './reg-07-application-type-and-management.js';
import { REG_08 } from './reg-08-client-id-metadata-documents.js';

/** The REG-* checks (../../catalogue/registration.ts), one file each. */
export const REG_IMPLEMENTATIONS: readonly Check[] = [REG_01, REG_02, REG_03, REG_04, REG_05, REG_06, REG_07, REG_08];
