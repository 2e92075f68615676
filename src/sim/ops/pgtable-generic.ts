import type { Task } from '../kernel.ts';
import type { MmStruct } from '../objects/mm_struct.ts';
import type { PageTable } from '../objects/page_table.ts';
import { lockAt, site, unlockAt } from '../sites.ts';
import type { Op } from './op.ts';

/**
 * mm/pgtable-generic.c: mapping a PTE table found through its PMD. Rule R20.
 */

/**
 * pte_offset_map_lock - find the PTE table under RCU, take its PTL, and re-check that the PMD
 * still points to that table; if it changed, unlock and look again; if the PMD is none, fail.
 * Kernel: mm/pgtable-generic.c __pte_offset_map_lock() ("again: pte = __pte_offset_map(pmd,
 * addr, &pmdval); if (unlikely(!pte)) return pte; ptl = pte_lockptr(mm, &pmdval);
 * spin_lock(ptl); if (likely(pmd_same(pmdval, pmdp_get_lockless(pmd)))) { *ptlp = ptl; return
 * pte; } pte_unmap_unlock(pte, ptl); goto again;"), __pte_offset_map() (rcu_read_lock(); pmd_none
 * → rcu_read_unlock(), NULL), read in its v6.5 posting (0d940a9b270b "mm/pgtable: allow
 * pte_offset_map[_lock]() to fail", Hugh Dickins) and later copies via find_string. The RCU read
 * section lasts until pte_unmap_unlock() (pte_unmap → rcu_read_unlock): see pte_unmap_unlock().
 * Model: one PMD per mm (k.pmd); no huge or migration PMDs.
 * Variant: no_pmd_same_recheck (R20) takes the PTL and trusts the table it read before.
 */
export function* pte_offset_map_lock(t: Task, mm: MmStruct, who: string): Op<PageTable | null> {
  const ptl = 'pgtable-generic.c:__pte_offset_map_lock:ptl'; // released by pte_unmap_unlock()
  const rcu = site(t.k, 'pgtable-generic.c:__pte_offset_map:rcu') ? t.rcu : null; // until pte_unmap_unlock()
  for (;;) {
    yield `${who}: pte_offset_map_lock(): rcu_read_lock(); pmdval = pmdp_get_lockless()`;
    rcu?.rcu_read_lock();
    const name = mm.pmd;
    if (name === null) {
      rcu?.rcu_read_unlock(); // pmd_none: "goto nomap"
      return null;
    }
    const pt = t.k.lookup<PageTable>(name, 'page table');
    yield lockAt(t.k, ptl, pt.ptl, `${who}: pte_offset_map_lock(): spin_lock(ptl)`);
    const recheck = site(t.k, 'pgtable-generic.c:__pte_offset_map_lock:recheck_pmd_same');
    if (!recheck || t.mutated('no_pmd_same_recheck') || mm.pmd === name) return pt; // pmd_same()
    yield unlockAt(
      t.k,
      ptl,
      pt.ptl,
      `${who}: pte_offset_map_lock(): !pmd_same: pte_unmap_unlock(); goto again`,
    );
    rcu?.rcu_read_unlock();
  }
}

/** pte_unmap_unlock - drop the PTL, then leave the RCU read section pte_offset_map_lock() began. */
export function* pte_unmap_unlock(t: Task, pt: PageTable, label: string): Op {
  yield unlockAt(t.k, 'pgtable-generic.c:__pte_offset_map_lock:ptl', pt.ptl, label);
  if (site(t.k, 'pgtable-generic.c:__pte_offset_map:rcu')) t.rcu.rcu_read_unlock();
}
