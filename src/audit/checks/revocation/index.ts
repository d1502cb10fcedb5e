import type { Check } from '../../check.js';
import { REV_01 } from './rev-01-other-client-cannot-revoke.js';
import { REV_02 } from './rev-02-unknown-token-revocation.js';
import { REV_03 } from './rev-03-introspection-needs-client.js';

/** The REV-* checks (../../catalogue/revocation.ts), one file each. */
export const REV_IMPLEMENTATIONS: readonly Check[] = [REV_01, REV_02, REV_03];
