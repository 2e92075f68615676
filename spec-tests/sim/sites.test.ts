import { describe, expect, it } from 'vitest';
import { explore } from '../../src/explorer/index.ts';
import { SimMisuse } from '../../src/sim/kernel.ts';
import { violated } from '../../src/sim/results.ts';
import { RULES, type RuleScenario } from '../../src/sim/rules.ts';
import { EXTRA_RULE_SCENARIOS } from '../../src/sim/rules-extra.ts';
import { scenario } from '../../src/sim/scenario.ts';
import { SITE_IDS, SITES, type SiteId } from '../../src/sim/sites.ts';
import type { Era, Mutation } from '../../src/sim/variants.ts';

/** A rule scenario's holds side with one site elided, harms only (as the necessity map runs it). */
function elided(r: RuleScenario, elide: SiteId, era?: Era) {
  return scenario(`${r.id} without ${elide}`, r.build, {
    ...r.opts,
    ...(era ? { era } : {}),
    guards: false,
    elide,
  });
}

function rule(id: string, mutation: Mutation): RuleScenario {
  const r = [...RULES, ...EXTRA_RULE_SCENARIOS].find((x) => x.id === id && x.mutation === mutation);
  if (r === undefined) throw new Error(`no ${id} scenario with ${mutation}`);
  return r;
}

/** Sites whose removal is what a rule's mutation does: eliding one breaks the rule on its harm. */
const NEEDED: ReadonlyArray<[SiteId, string, Mutation]> = [
  ['rmap.c:folio_lock_anon_vma_read:recheck_mapped', 'R2', 'no_recheck_mapped_after_pin'],
  ['memory.c:free_pgtables:unlink_before_free', 'R3', 'free_pgtables_before_unlink'],
  ['fork.c:mmget_not_zero', 'R3b', 'mmget_after_exit'],
  ['memory.c:zap_pte_range:rmap_under_ptl', 'R4', 'rmap_after_ptl_drop'],
  ['filemap.c:filemap_map_pages:folio_trylock', 'R6', 'map_without_folio_lock'],
  ['rmap.c:page_remove_rmap:lock_page_memcg', 'R7', 'memcg_lock_before_stats_only'],
  ['memcontrol-v1.c:mem_cgroup_move_charge_pte_range:folio_isolate_lru', 'R8', 'memcg_switch_on_lru'],
  ['vmscan.c:__remove_mapping:freeze_before_swapout', 'R12', 'swapout_before_freeze'],
  ['rmap.c:__put_anon_vma:rcu_grace_period', 'R13', 'free_without_grace_period'],
  ['memory.c:do_swap_page:recheck_swapcache', 'R17', 'no_swapcache_recheck'],
  ['memory.c:wp_page_copy:pte_switch_before_rmap_drop', 'R18', 'cow_drops_rmap_before_pte_switch'],
  ['memory.c:zap_pte_range:rmap_after_tlb_flush', 'R19', 'rmap_before_tlb_flush'],
  ['pgtable-generic.c:__pte_offset_map_lock:recheck_pmd_same', 'R20', 'no_pmd_same_recheck'],
  ['fork.c:dup_mmap:vma_start_write', 'R22', 'fork_without_vma_start_write'],
  ['memory.c:do_swap_page:swapcache_prepare', 'R17', 'sync_swapin_without_swapcache_prepare'],
];

/**
 * Sites named in the second pass whose removal a rule's scenario turns into a harm that is not
 * the rule's own (the map, src/sim/necessity.json, records them): eliding each breaks the holds
 * side of that scenario on that harm.
 */
const NEEDED_BY_HARM: ReadonlyArray<[SiteId, string, Mutation, string]> = [
  ['memory.c:wp_can_reuse_anon_folio:recheck_refcount', 'R14', 'free_swap_ignores_swapcount', 'I14'],
  ['memory.c:lock_mm_and_find_vma:mmap_read_lock', 'R22', 'fork_without_vma_start_write', 'I21'],
  ['memory.c:lock_vma_under_rcu:vma_start_read', 'R22', 'fork_without_vma_start_write', 'I21'],
  ['fork.c:dup_mmap:mmap_write_lock', 'R22', 'fork_without_vma_start_write', 'I21'],
  ['rmap.c:folio_lock_anon_vma_read:anon_vma_lock_read', 'R2', 'no_recheck_mapped_after_pin', 'I4'],
  ['rmap.c:page_mkclean_one:ptl', 'R19', 'rmap_before_tlb_flush', 'I22'],
  ['vmscan.c:shrink_folio_list:folio_trylock', 'R21', 'swapin_exclusive_under_writeback', 'I23'],
];

describe('synchronisation sites (issue 14)', () => {
  it('every site id names its kernel file and function, and has a description', () => {
    for (const id of SITE_IDS) {
      expect(id).toMatch(/^[a-z0-9_-]+\.c:[a-z0-9_]+(:[a-z0-9_]+)?$/);
      expect(SITES[id].what.length).toBeGreaterThan(20);
    }
  });

  it('eliding an unknown site is SimMisuse', () => {
    expect(() => scenario('x', () => {}, { elide: 'memory.c:no_such_site' as SiteId })).toThrow(SimMisuse);
  });

  it.each(NEEDED)('eliding %s breaks %s (as its mutation %s does) on its harm', (site, id, mutation) => {
    const r = rule(id, mutation);
    const res = explore(elided(r, site), { stopOnViolation: true });
    expect(res.verdict).toBe('breaks');
    expect(violated(res)).toContain(r.harm);
  });

  it.each(NEEDED_BY_HARM)('eliding %s breaks %s (%s) on %s', (site, id, mutation, harm) => {
    const r = rule(id, mutation);
    const base = explore(scenario(r.id, r.build, { ...r.opts, guards: false }), { stopOnViolation: true });
    expect(base.verdict).toBe('holds');
    const res = explore(elided(r, site), { stopOnViolation: true });
    expect(res.verdict).toBe('breaks');
    expect(violated(res)).toContain(harm);
  });

  it("lock_page_memcg() in rmap (era 2022): eliding it splits the stat update from the mapcount transition, and R7's scenario breaks on I8", () => {
    const r = rule('R7', 'memcg_lock_before_stats_only');
    const res = explore(elided(r, 'rmap.c:page_remove_rmap:lock_page_memcg', '2022'), {
      stopOnViolation: true,
    });
    expect(violated(res)).toEqual(['I8']);
  });

  it('eliding a site a scenario never reaches changes nothing', () => {
    const r = rule('R2', 'no_recheck_mapped_after_pin');
    const base = explore(scenario('R2', r.build, { ...r.opts, guards: false }));
    const other = explore(elided(r, 'memory.c:do_swap_page:swapcache_prepare'));
    expect(other.verdict).toBe('holds');
    expect(other.counts).toEqual(base.counts);
  });
});
