import type { SelftestCase } from './case.ts';
import { COW } from './cow.ts';
import { MEMCONTROL_CASES } from './memcontrol.ts';
import { RMAP_CASES } from './rmap.ts';

export { caseTitle, type KsftResult, type SelftestCase, type SelftestOutcome } from './case.ts';

/**
 * Every ported case, one array per kernel test file. Each port adds its own module here
 * (e.g. `cow.ts` for tools/testing/selftests/mm/cow.c) and spreads it into CATALOGUE.
 */
export const CATALOGUE: readonly SelftestCase[] = [...COW, ...MEMCONTROL_CASES, ...RMAP_CASES];
