import type { Check } from '../../check.js';
import { ASM_01 } from './asm-01-metadata-found.js';
import { ASM_02 } from './asm-02-issuer-matches.js';
import { ASM_03 } from './asm-03-pkce-methods.js';
import { ASM_04 } from './asm-04-no-implicit-or-password.js';
import { ASM_05 } from './asm-05-iss-parameter.js';
import { ASM_06 } from './asm-06-host-independent.js';
import { ASM_07 } from './asm-07-endpoint-characters.js';
import { ASM_08 } from './asm-08-endpoints-and-jwks.js';
import { ASM_09 } from './asm-09-registration-offered.js';
import { ASM_10 } from './asm-10-revocation-endpoint.js';

/** The ASM-* checks (../../catalogue/as-metadata.ts), one file each. */
export const ASM_IMPLEMENTATIONS: readonly Check[] = [ASM_01, ASM_02, ASM_03, ASM_04, ASM_05, ASM_06, ASM_07, ASM_08, ASM_09, ASM_10];
