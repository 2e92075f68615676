import { bug } from '../../explorer/index.ts';
import { INV } from '../invariants/names.ts';
import { guard, type Task } from '../kernel.ts';
import { type Folio, folio_locked_by_me } from '../objects/folio.ts';
import { MemCgroup } from '../objects/mem_cgroup.ts';
import type { MmStruct } from '../objects/mm_struct.ts';
import type { SwapSlot } from '../objects/swap.ts';
import { site, stepAt } from '../sites.ts';
import type { Op } from './op.ts';
import { slotOf } from './swapfile.ts';

/**
 * get_mem_cgroup_from_mm - the memcg a process's new folios are charged to (mm->owner's, which
 * charge moving changes when it moves the task).
 * Kernel: mm/memcontrol.c get_mem_cgroup_from_mm() @ torvalds/linux 5458985533ba (v5.10 era):
 * rcu_read_lock(); do { memcg = mem_cgroup_from_task(rcu_dereference(mm->owner)), or
 * root_mem_cgroup if !mm or none } while (!css_tryget(&memcg->css)); rcu_read_unlock(). Its
 * caller __mem_cgroup_charge() was read in a v6.12/v6.13-era copy (see mem_cgroup_charge);
 * later trees use current->mm when mm is NULL (seen in patch context).
 * Model: mm->owner's memcg is a field of the mm; null stands for the root (not accounted
 * here); no css refcount (memcgs are never freed in the model).
 */
export function get_mem_cgroup_from_mm(t: Task, mm: MmStruct): MemCgroup | null {
  const name = mm.mem.read(mm.kMemcg) as string | null;
  return name === null ? null : t.k.lookup<MemCgroup>(name, 'mem_cgroup');
}

/**
 * mem_cgroup_charge - charge a folio that nobody else can see yet, and commit it.
 * Kernel: mm/memcontrol.c __mem_cgroup_charge() → charge_memcg() (try_charge; css_get;
 * commit_charge; memcg1_commit_charge) → commit_charge() ("VM_BUG_ON_FOLIO(
 * folio_memcg_charged(folio), folio)" and "Any of the following ensures page's memcg stability:
 * - the page lock - LRU isolation - exclusive reference"), in a mainline-derived mm/memcontrol.c of the v6.12/v6.13 era (memcg1_commit_charge, folio_unqueue_deferred_split), read via find_string: the index does not name its repository or commit; seed 002.
 * Model: try_charge always succeeds (no limits); memsw is charged with memory (v1 accounting).
 */
export function mem_cgroup_charge(t: Task, f: Folio, memcg: MemCgroup | null): void {
  if (memcg === null) return;
  try_charge(t, memcg, f.nr);
  commit_charge(t, f, memcg);
}

/**
 * try_charge_memcg - charge `nr` pages to memory (and, with do_memsw_account(), to memsw), and
 * raise memory.peak (page_counter_try_charge: "new > c->watermark" → watermark = new).
 * Kernel: mm/memcontrol.c try_charge_memcg() (the memsw counter first when do_memsw_account(),
 * then memory) and mm/page_counter.c page_counter_try_charge() (the watermark follows the new
 * usage) [both recalled, not re-read here; memory.peak's reader peak_show() returns
 * pc->watermark, read at linux-mm/linux-mm 030321517fd4]. Model: no limits, so the charge
 * always succeeds; one counter per memcg (no hierarchy walk); the peak is the memory counter's
 * watermark.
 */
export function try_charge(_t: Task, memcg: MemCgroup, nr: number): void {
  memcg.mem.add(memcg.kMemory, nr);
  if (do_memsw_account(memcg)) memcg.mem.add(memcg.kMemsw, nr);
  if (memcg.memory > memcg.memory_peak) memcg.mem.write(memcg.kMemoryPeak, memcg.memory);
}

/**
 * do_memsw_account - cgroup v1 accounts memory+swap in memsw; cgroup v2 has a separate swap
 * counter. Kernel: mm/memcontrol-v1.h do_memsw_account() ("!cgroup_subsys_on_dfl(
 * memory_cgrp_subsys)"), a property of the whole system. Model: the memcg's hierarchy (all
 * memcgs of a scenario share one, see ScenarioBuilder.memcg).
 */
export function do_memsw_account(memcg: MemCgroup): boolean {
  return !memcg.v2;
}

/**
 * The memcg mode of the whole scenario: 'disabled' when it has no memcg (mem_cgroup_disabled():
 * every mem_cgroup_*swap* hook returns at once), else cgroup v1 or v2.
 */
export function memcg_mode(t: Task): 'disabled' | 'v1' | 'v2' {
  const all = t.k.all(MemCgroup);
  if (all.length === 0) return 'disabled';
  return all[0].v2 ? 'v2' : 'v1';
}

/** commit_charge(): a folio is charged exactly once (I7). */
export function commit_charge(_t: Task, f: Folio, memcg: MemCgroup): void {
  if (f.memcg !== null)
    bug(INV.I7, `commit_charge: ${f.name} is already charged to ${f.memcg} (double charge)`);
  f.memcg = memcg.name;
}

/**
 * mem_cgroup_uncharge - release the charge of a folio at its final put.
 * Kernel: mm/memcontrol.c __mem_cgroup_uncharge() (returns early if !folio_memcg_charged) →
 * uncharge_folio() (VM_BUG_ON_FOLIO(folio_test_lru(folio)); "we have fully exclusive access to
 * the folio"; folio->memcg_data = 0) → uncharge_batch() (page_counter_uncharge of memory, and of
 * memsw if do_memsw_account()), in a mainline-derived mm/memcontrol.c of the v6.12/v6.13 era (memcg1_commit_charge, folio_unqueue_deferred_split), read via find_string: the index does not name its repository or commit; seed 002.
 * Model: the folio_test_lru assertion is not checked here: the mainline caller (__folio_put) has
 * taken the folio off the LRU already, and R10's pre-3.17 mutation (uncharge at last unmap)
 * comes from an era without it. No uncharge_gather batching, no root-memcg exemption.
 */
export function mem_cgroup_uncharge(t: Task, f: Folio): void {
  const name = f.memcg;
  if (name === null) return;
  const memcg = t.k.lookup<MemCgroup>(name, 'mem_cgroup');
  page_counter_uncharge(memcg, f.nr, f.name);
  f.memcg = null;
}

/** page_counter_uncharge(): a counter never goes negative (I7). */
export function page_counter_uncharge(memcg: MemCgroup, nr: number, what: string): void {
  const m = memcg.memory - nr;
  if (m < 0) bug(INV.I7, `page_counter_uncharge: ${memcg.name}.memory underflows uncharging ${what}`);
  memcg.mem.write(memcg.kMemory, m);
  if (do_memsw_account(memcg)) memcg.mem.write(memcg.kMemsw, memcg.memsw - nr);
}

// --- swap accounting (mm/memcontrol.c, CONFIG_SWAP) ------------------------------------------

/**
 * mem_cgroup_swapin_charge_folio - charge a folio allocated for swapin, before it is added to
 * the swap cache: to the memcg recorded for the entry if it is still online, else to the
 * faulting mm's.
 * Kernel: mm/memcontrol.c mem_cgroup_swapin_charge_folio() @ linux-mm/linux-mm 030321517fd4
 * (an mm development tree, swap-table era: the memcg id comes from the swap table; "if (!memcg
 * || !css_tryget_online(&memcg->css)) memcg = get_mem_cgroup_from_mm(mm)"; charge_memcg()), and
 * its callers in mm/memory.c alloc_swap_folio()/__alloc_swap_folio() @ AMDESE/linux-mm
 * 0be9aa1490e5 (the entry form: mem_cgroup_swapin_charge_folio(folio, mm, gfp, entry), whose
 * id is lookup_swap_cgroup_id(entry) [that body not re-read]).
 * Model: memcgs never go offline, so a recorded memcg is always charged; no limits.
 */
export function mem_cgroup_swapin_charge_folio(t: Task, f: Folio, mm: MmStruct, entry: string): void {
  const id = slotOf(t, entry).memcg;
  const memcg = id !== null ? t.k.lookup<MemCgroup>(id, 'mem_cgroup') : get_mem_cgroup_from_mm(t, mm);
  mem_cgroup_charge(t, f, memcg);
}

/**
 * __mem_cgroup_try_charge_swap - cgroup v2: charge the swap slot a folio was just given to the
 * folio's memcg (memory.swap.current, its watermark memory.swap.peak) and record the memcg for
 * the slot. cgroup v1 does nothing here: memcg1_swapout() records the slot at swap-out.
 * Kernel: mm/memcontrol.c __mem_cgroup_try_charge_swap() @ linux-mm/linux-mm 030321517fd4 ("if
 * (do_memsw_account()) return 0"; objcg == NULL → return 0; page_counter_try_charge(
 * &memcg->swap); __swap_cgroup_set()), called from folio_alloc_swap() once the folio is in the
 * swap cache. Model: no swap.max (the charge always succeeds); no hierarchy; no memcg id refs.
 */
export function __mem_cgroup_try_charge_swap(t: Task, f: Folio, s: SwapSlot): void {
  if (memcg_mode(t) !== 'v2') return;
  const name = f.memcg;
  if (name === null) return;
  const memcg = t.k.lookup<MemCgroup>(name, 'mem_cgroup');
  s.memcg = name; // __swap_cgroup_set
  memcg.mem.add(memcg.kSwap, f.nr);
  if (memcg.swap > memcg.swap_peak) memcg.mem.write(memcg.kSwapPeak, memcg.swap);
}

/**
 * __mem_cgroup_uncharge_swap - release a swap charge of the memcg recorded for an entry: memsw
 * on cgroup v1, swap on cgroup v2.
 * Kernel: mm/memcontrol.c __mem_cgroup_uncharge_swap() @ linux-mm/linux-mm 030321517fd4 ("if
 * (do_memsw_account()) page_counter_uncharge(&memcg->memsw, nr_pages); else
 * page_counter_uncharge(&memcg->swap, nr_pages)"). Callers: memcg1_swapin() and the slot free in
 * mm/swapfile.c (maybeFree there). A counter going negative is I7.
 */
export function __mem_cgroup_uncharge_swap(t: Task, name: string, nr: number, what: string): void {
  const memcg = t.k.lookup<MemCgroup>(name, 'mem_cgroup');
  const key = do_memsw_account(memcg) ? memcg.kMemsw : memcg.kSwap;
  const v = (memcg.mem.read(key) as number) - nr;
  if (v < 0)
    bug(
      INV.I7,
      `__mem_cgroup_uncharge_swap: ${name}.${do_memsw_account(memcg) ? 'memsw' : 'swap'} underflows uncharging ${what}`,
    );
  memcg.mem.write(key, v);
}

/**
 * __folio_mod_stat / __lruvec_stat_mod_folio - NR_ANON_MAPPED / NR_FILE_MAPPED of the folio's
 * memcg, updated by rmap when the mapcount crosses zero.
 * Kernel: mm/rmap.c __folio_mod_stat() @ AMDESE/linux-mm 448bccf6cf9e (idx = folio_test_anon ?
 * NR_ANON_MAPPED : NR_FILE_MAPPED; lruvec_stat_mod_folio(folio, idx, nr); called by
 * __folio_add_rmap / __folio_remove_rmap / folio_add_new_anon_rmap with the pages newly mapped or
 * unmapped). Model: no NR_*_PMDMAPPED / NR_ANON_THPS; lruvec_stat_mod_folio not re-read; the stat
 * lands on folio_memcg(folio) as read in this step; with memcg moving (2022 era)
 * the caller holds folio_memcg_lock where the kernel did.
 */
export function __folio_mod_stat(t: Task, f: Folio, delta: number): void {
  if (delta === 0) return;
  // Era 2022: rmap.c:page_remove_rmap:lock_page_memcg around the transition and this update.
  if (t.variant.era === '2022') site(t.k, 'rmap.c:page_remove_rmap:lock_page_memcg');
  if (t.k.statsOwnStep) {
    // The update leaves the transition's step (the thread runs it next: statsAfterTransition):
    // v6.3–v6.12 with a charge mover, the 2022 lock elided, or Linus's 2022 proposal (seed 004).
    t.pendingStats.push({ folio: f, delta });
    return;
  }
  const name = f.memcg;
  if (name === null) return;
  const memcg = t.k.lookup<MemCgroup>(name, 'mem_cgroup');
  memcg.mem.add(f.anon ? memcg.kAnonMapped : memcg.kFileMapped, delta);
}

/**
 * mem_cgroup_migrate - migration succeeded: move the memcg association and charge from old to
 * new. Both folios are locked; the page counters do not change.
 * Kernel: mm/memcontrol.c mem_cgroup_migrate() in a mainline-derived mm/memcontrol.c of the v6.12/v6.13 era (memcg1_commit_charge, folio_unqueue_deferred_split), read via find_string: the index does not name its repository or commit (Nhat Pham's v6.7 "memcontrol:
 * only transfer the memcg data for migration": VM_BUG_ON_FOLIO(!folio_test_locked(old)) and of
 * new, VM_BUG_ON_FOLIO(folio_test_lru(old)); commit_charge(new, memcg); old->memcg_data = 0;
 * "Note that the memory counters will remain unchanged throughout the process").
 * Model: the anon/nr_pages/lru assertions are not checked (the only caller, migrate_pages,
 * isolates src from the LRU first). Seed 002 ("introduce mem_cgroup_migrate(), which is called
 * after the migration is successful ... Because the old page is no longer uncharged after
 * migration, prevent double charges"). Rule R11.
 * Era 2014 (0a31bc97c8, and until v6.6) uncharged old and charged new instead of transferring:
 * at the level modelled here (one step, no limits) the counters end the same.
 * Variant: migrate_keeps_old_memcg (R11) leaves old->memcg_data set, so old's final put
 * uncharges a second time (I6).
 */
export function mem_cgroup_migrate(t: Task, old: Folio, nf: Folio): void {
  if (!folio_locked_by_me(old)) guard(t.k, 'VM_BUG_ON_FOLIO', `mem_cgroup_migrate: ${old.name} not locked`);
  if (!folio_locked_by_me(nf)) guard(t.k, 'VM_BUG_ON_FOLIO', `mem_cgroup_migrate: ${nf.name} not locked`);
  const name = old.memcg;
  if (name === null) return;
  commit_charge(t, nf, t.k.lookup<MemCgroup>(name, 'mem_cgroup'));
  if (!t.mutated('migrate_keeps_old_memcg')) old.memcg = null;
}

/**
 * Era 2008: mem_cgroup_charge() of a swap-cache page at its first map in do_swap_page — the
 * lockless page_cgroup of KAMEZAWA's patch: "pc = page_get_page_cgroup(page); if (pc &&
 * !PcgObsolete(pc)) return 0" under rcu_read_lock, then mem_cgroup_charge_common():
 * res_counter_charge, kmem_cache_alloc(page_cgroup) (may sleep), and the "Double counting race
 * condition ?" VM_BUG_ON(page_get_page_cgroup(page)) before page_assign_page_cgroup.
 * Kernel: mm/memcontrol.c mem_cgroup_charge() @ v2.6.27-rc3 + seed 001 (mmtom, 2008-08-20).
 * Model: two steps (the lookup, then charge + commit); PCG flags and the LRU list of the
 * page_cgroup are not modelled; the swap-cache page is uncharged until first mapped, as in the
 * catalog's R9 interleaving.
 */
export function* mem_cgroup_charge_2008(t: Task, f: Folio, memcg: MemCgroup | null): Op {
  if (memcg === null) return;
  yield stepAt(
    t.k,
    'memcontrol.c:mem_cgroup_charge:rcu',
    'mem_cgroup_charge: rcu_read_lock(); page_get_page_cgroup(); PcgObsolete()',
  );
  if (f.memcg !== null) return; // already charged
  yield 'mem_cgroup_charge_common: res_counter_charge(); kmem_cache_alloc(page_cgroup); page_assign_page_cgroup()';
  // (the kernel charges the res_counter first; the VM_BUG_ON is checked first here so that the
  // counterexample reports the assertion, not the counter it leaves behind)
  // the RFC's VM_BUG_ON (CONFIG_DEBUG_VM only, never merged): a guard; without it the second
  // charge overwrites the first, whose page_counter charge is never returned (I6 at rest)
  if (f.memcg !== null)
    guard(
      t.k,
      INV.I7,
      `mem_cgroup_charge_common: VM_BUG_ON(page_get_page_cgroup(page)) for ${f.name}, charged to ${f.memcg}: "Double counting race condition ?"`,
    );
  try_charge(t, memcg, f.nr);
  f.memcg = memcg.name;
  if (f.lru) f.lruvec = memcg.name; // __mem_cgroup_add_list(mz, pc): the page_cgroup joins memcg's LRU
}

export { MemCgroup };
