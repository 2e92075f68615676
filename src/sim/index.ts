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
// The kernel selftest ports (src/selftests, a layer above this one), so blocks can run them.
// Last on purpose: src/selftests imports this module back, and every binding above resolves to
// its own module, evaluated before the ports are.
export {
  CATALOGUE,
  caseTitle,
  type KsftResult,
  type SelftestCase,
  type SelftestOutcome,
} from '../selftests/index.ts';
export { ALL_CHECKS, registerInvariants } from './invariants/index.ts';
export { GUARDS, INV, type InvariantId, invariantId } from './invariants/names.ts';
export { Kernel, SimMisuse, Task } from './kernel.ts';
export { AnonVma } from './objects/anon_vma.ts';
export {
  Folio,
  folio_mapcount,
  folio_mapped,
  folio_maybe_dma_pinned,
  folio_needs_cow_for_dma,
  GUP_PIN_COUNTING_BIAS,
} from './objects/folio.ts';
export { MemCgroup } from './objects/mem_cgroup.ts';
export { MmStruct } from './objects/mm_struct.ts';
export { AddressSpace } from './objects/page_cache.ts';
export { PageTable, type Pte } from './objects/page_table.ts';
export { SwapSlot } from './objects/swap.ts';
export { Vma } from './objects/vma.ts';
export { type GupFlags, type GupPage, gup_must_unshare } from './ops/gup.ts';
export type { Op } from './ops/op.ts';
export { folio_maybe_mapped_shared } from './ops/rmap_large.ts';
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
export { NECESSITY_SCENARIOS, type NecessityScenarioDef } from './scenarios-extra.ts';
export { SITE_IDS, SITES, type SiteId, type SiteInfo, type SiteKind, UNNEEDED } from './sites.ts';
export { ERAS, type Era, MUTATIONS, type Mutation, type MutationInfo, variantOf } from './variants.ts';
