import { bug } from '../../explorer/index.ts';
import { INV } from '../invariants/names.ts';
import { guard, type Task } from '../kernel.ts';
import { type Folio, folio_locked_by_me } from '../objects/folio.ts';
import { MemCgroup } from '../objects/mem_cgroup.ts';
import type { MmStruct } from '../objects/mm_struct.ts';
import type { Op } from './op.ts';

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

export function try_charge(_t: Task, memcg: MemCgroup, nr: number): void {
  memcg.mem.add(memcg.kMemory, nr);
  memcg.mem.add(memcg.kMemsw, nr);
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
  memcg.mem.write(memcg.kMemsw, memcg.memsw - nr);
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
  if (t.mutated('memcg_lock_before_stats_only')) {
    // Linus's 2022 proposal (seed 004): lock_page_memcg() moved from before the mapcount
    // transition to just before the stats update; the task does the update in its next step.
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
  if (!folio_locked_by_me(old)) bug('VM_BUG_ON_FOLIO', `mem_cgroup_migrate: ${old.name} not locked`);
  if (!folio_locked_by_me(nf)) bug('VM_BUG_ON_FOLIO', `mem_cgroup_migrate: ${nf.name} not locked`);
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
  yield 'mem_cgroup_charge: rcu_read_lock(); page_get_page_cgroup(); PcgObsolete()';
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
