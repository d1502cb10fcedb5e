import type { CheckDefinition } from '../check-definition.js';
import { ASM_CHECKS } from './as-metadata.js';
import { AZ_CHECKS } from './authorization.js';
import { DISC_CHECKS } from './discovery.js';
import { RT_CHECKS } from './refresh.js';
import { REG_CHECKS } from './registration.js';
import { RS_CHECKS } from './resource.js';
import { REV_CHECKS } from './revocation.js';
import { TOK_CHECKS } from './token.js';

/** Every check of `portcullis audit`, in the order of the catalogue (../shared/audit-checks.md §1). DPoP checks come later. */
export const CATALOGUE: readonly CheckDefinition[] = [
  ...DISC_CHECKS,
  ...ASM_CHECKS,
  ...AZ_CHECKS,
  ...TOK_CHECKS,
  ...RT_CHECKS,
  ...RS_CHECKS,
  ...REG_CHECKS,
  ...REV_CHECKS,
];

const byId = new Map(CATALOGUE.map((check) => [check.id, check]));

/** The definition of check `id`; throws for an ID not in the catalogue (a programming error). */
export function checkDefinition(id: string): CheckDefinition {
  const check = byId.get(id);
  if (check === undefined) throw new Error(`no check ${id} in the catalogue`);
  return check;
}
