import { bug } from '../../explorer/index.ts';
import type { Task } from '../kernel.ts';
import type { Folio } from '../objects/folio.ts';
import type { MemCgroup } from '../objects/mem_cgroup.ts';
import { slotOf } from './swapfile.ts';

/**
 * memcg1_swapout - transfer a swapped-out folio's memory+swap charge to its swap entry
 * (swap_cgroup_record), uncharge memory, clear memcg_data.
 * Kernel: mm/memcontrol-v1.c memcg1_swapout() @ v6.19+ (VM_BUG_ON_FOLIO(folio_test_lru(folio)),
 * VM_BUG_ON_FOLIO(folio_ref_count(folio)): the refcount is frozen); seed 002 (mem_cgroup_swapout,
 * "before the final put_page() in page reclaim"). Rule R12.
 * Model: cgroup v1 accounting (memsw stays charged, now owned by the swap entry).
 */
export function memcg1_swapout(t: Task, f: Folio, entry: string, mutatedEarly: boolean): void {
  if (!mutatedEarly && f.refcount !== 0)
    bug('VM_BUG_ON_FOLIO', `memcg1_swapout: ${f.name} refcount ${f.refcount} is not frozen`);
  const name = f.memcg;
  if (name === null) return;
  const memcg = t.k.lookup<MemCgroup>(name, 'mem_cgroup');
  slotOf(t, entry).memcg = name; // swap_cgroup_record
  f.memcg = null;
  memcg.mem.write(memcg.kMemory, memcg.memory - f.nr); // page_counter_uncharge(&memcg->memory)
}
