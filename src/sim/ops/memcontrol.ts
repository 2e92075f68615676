import { bug } from '../../explorer/index.ts';
import { INV } from '../invariants/names.ts';
import type { Task } from '../kernel.ts';
import type { Folio } from '../objects/folio.ts';
import { MemCgroup } from '../objects/mem_cgroup.ts';

/**
 * mem_cgroup_charge - charge a folio that nobody else can see yet, and commit it.
 * Kernel: mm/memcontrol.c mem_cgroup_charge() → charge_memcg() → commit_charge() @ v6.19+
 * ("VM_BUG_ON_FOLIO(folio_memcg_charged(folio), folio)" and "Any of the following ensures
 * page's memcg stability: - the page lock - LRU isolation - exclusive reference"); seed 002.
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
 * Kernel: mm/memcontrol.c __mem_cgroup_uncharge() → uncharge_folio() @ v6.19+ (returns early if
 * !folio_memcg_charged; "we have fully exclusive access"); seed 002.
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
 * Kernel: mm/rmap.c __folio_mod_stat() @ v6.19+.
 * Model: the stat lands on folio_memcg(folio) as read in this step; with memcg moving (2022 era)
 * the caller holds folio_memcg_lock where the kernel did.
 */
export function __folio_mod_stat(t: Task, f: Folio, delta: number): void {
  const name = f.memcg;
  if (name === null || delta === 0) return;
  const memcg = t.k.lookup<MemCgroup>(name, 'mem_cgroup');
  memcg.mem.add(f.anon ? memcg.kAnonMapped : memcg.kFileMapped, delta);
}

export { MemCgroup };
