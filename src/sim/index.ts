/**
 * mmspec — the mm simulator: kernel objects, operations named after the kernel functions they
 * model, invariants I1–I23, the threads' buggy variants, and the scenario builder. Runs on the
 * explorer (`mmspec/explorer`); see README "The simulator".
 */
export {
  choose,
  type ExploreOptions,
  type ExploreResult,
  explore,
  type Model,
  until,
} from '../explorer/index.ts';
export { ALL_CHECKS, registerInvariants } from './invariants/index.ts';
export { GUARDS, INV, type InvariantId, invariantId } from './invariants/names.ts';
export { Kernel, SimMisuse, Task } from './kernel.ts';
export { AnonVma } from './objects/anon_vma.ts';
export { Folio, folio_mapcount, folio_mapped } from './objects/folio.ts';
export { MemCgroup } from './objects/mem_cgroup.ts';
export { MmStruct } from './objects/mm_struct.ts';
export { AddressSpace } from './objects/page_cache.ts';
export { PageTable, type Pte } from './objects/page_table.ts';
export { SwapSlot } from './objects/swap.ts';
export { Vma } from './objects/vma.ts';
export type { Op } from './ops/op.ts';
export { counterexampleOf, unreached, violated } from './results.ts';
export { RULES, type RuleScenario, ruleModel } from './rules.ts';
export {
  type Process,
  type ProcessOptions,
  ScenarioBuilder,
  type ScenarioOptions,
  scenario,
  ThreadBuilder,
} from './scenario.ts';
export { ERAS, type Era, MUTATIONS, type Mutation, type MutationInfo, variantOf } from './variants.ts';
