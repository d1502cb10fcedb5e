import type { Check } from '../../check.js';
import { TOK_01 } from './tok-01-baseline-flow.js';
import { TOK_02 } from './tok-02-token-response.js';
import { TOK_03 } from './tok-03-code-replay.js';
import { TOK_04 } from './tok-04-wrong-verifier.js';
import { TOK_05 } from './tok-05-failed-verifier-burns-code.js';
import { TOK_06 } from './tok-06-verifier-required.js';
import { TOK_07 } from './tok-07-verifier-without-challenge.js';
import { TOK_08 } from './tok-08-verifier-format.js';
import { TOK_09 } from './tok-09-code-lifetime.js';
import { TOK_10 } from './tok-10-code-bound-to-client.js';
import { TOK_11 } from './tok-11-redirect-uri-bound.js';
import { TOK_12 } from './tok-12-resource-bound.js';
import { TOK_13 } from './tok-13-client-authenticated-first.js';
import { TOK_14 } from './tok-14-error-responses.js';
import { TOK_15 } from './tok-15-access-token-lifetime.js';

/** The TOK-* checks (../../catalogue/token.ts), one file each. */
export const TOK_IMPLEMENTATIONS: readonly Check[] = [
  TOK_01,
  TOK_02,
  TOK_03,
  TOK_04,
  TOK_05,
  TOK_06,
  TOK_07,
  TOK_08,
  TOK_09,
  TOK_10,
  TOK_11,
  TOK_12,
  TOK_13,
  TOK_14,
  TOK_15,
];
