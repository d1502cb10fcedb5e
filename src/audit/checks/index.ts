import type { Check } from '../check.js';
import { ASM_IMPLEMENTATIONS } from './as-metadata/index.js';
import { AZ_IMPLEMENTATIONS } from './authorization/index.js';
import { DISC_IMPLEMENTATIONS } from './discovery/index.js';
import { RT_IMPLEMENTATIONS } from './refresh/index.js';
import { REG_IMPLEMENTATIONS } from './registration/index.js';
import { RS_IMPLEMENTATIONS } from './resource/index.js';
import { REV_IMPLEMENTATIONS } from './revocation/index.js';
import { TOK_IMPLEMENTATIONS } from './token/index.js';

/** Every implemented check, by ID. */
export const IMPLEMENTATIONS: ReadonlyMap<string, Check> = new Map(
  [
    ...DISC_IMPLEMENTATIONS,
    ...ASM_IMPLEMENTATIONS,
    ...AZ_IMPLEMENTATIONS,
    ...TOK_IMPLEMENTATIONS,
    ...RT_IMPLEMENTATIONS,
    ...RS_IMPLEMENTATIONS,
    ...REG_IMPLEMENTATIONS,
    ...REV_IMPLEMENTATIONS,
  ].map((check) => [check.id, check]),
);
