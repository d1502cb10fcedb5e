import type { Check } from '../../check.js';
import { AZ_01 } from './az-01-unregistered-redirect-uri.js';
import { AZ_02 } from './az-02-redirect-uri-variants.js';
import { AZ_03 } from './az-03-unknown-client.js';
import { AZ_04 } from './az-04-code-challenge-required.js';
import { AZ_05 } from './az-05-plain-pkce-refused.js';
import { AZ_06 } from './az-06-malformed-challenge.js';
import { AZ_07 } from './az-07-error-redirect-state-iss.js';
import { AZ_08 } from './az-08-resource-indicator.js';
import { AZ_09 } from './az-09-token-response-type.js';
import { AZ_10 } from './az-10-duplicate-parameters.js';
import { AZ_11 } from './az-11-page-headers.js';
import { AZ_12 } from './az-12-consent-page-client-name.js';
import { AZ_13 } from './az-13-federation-local-consent.js';
import { AZ_14 } from './az-14-consent-csrf.js';
import { AZ_15 } from './az-15-consent-per-client.js';
import { AZ_16 } from './az-16-no-307-after-login.js';
import { AZ_17 } from './az-17-no-open-redirect.js';

/**
 * The AZ-* checks (../../catalogue/authorization.ts), one file each; the helpers beside them say
 * what a probe got (authorization-probe.ts, findings.ts), follow a request to its first page
 * (first-page.ts) and register clients of a check's own (probe-client.ts). AZ-14, AZ-15 and AZ-16 work from the logged-in baseline authorization.
 */
export const AZ_IMPLEMENTATIONS: readonly Check[] = [
  AZ_01,
  AZ_02,
  AZ_03,
  AZ_04,
  AZ_05,
  AZ_06,
  AZ_07,
  AZ_08,
  AZ_09,
  AZ_10,
  AZ_11,
  AZ_12,
  AZ_13,
  AZ_14,
  AZ_15,
  AZ_16,
  AZ_17,
];
