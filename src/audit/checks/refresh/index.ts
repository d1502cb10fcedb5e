import type { Check } from '../../check.js';
import { RT_01 } from './rt-01-rotation.js';
import { RT_02 } from './rt-02-reuse-revokes-family.js';
import { RT_03 } from './rt-03-bound-to-client.js';
import { RT_04 } from './rt-04-scope-not-widened.js';
import { RT_05 } from './rt-05-resource-not-switched.js';
import { RT_06 } from './rt-06-dead-token-error.js';
import { RT_07 } from './rt-07-concurrent-refresh.js';

/** The RT-* checks (../../catalogue/refresh.ts), one file each. */
export const RT_IMPLEMENTATIONS: readonly Check[] = [RT_01, RT_02, RT_03, RT_04, RT_05, RT_06, RT_07];
