import { bug } from '../../explorer/index.ts';
import { INV } from '../invariants/names.ts';
import type { Task } from '../kernel.ts';
import type { MmStruct } from '../objects/mm_struct.ts';
import { synchronize_rcu } from '../objects/rcu.ts';
import type { Vma } from '../objects/vma.ts';
import { lockAt, site, unlockAt } from '../sites.ts';
import { zap_pte_range } from './memory.ts';
import { tlb_finish_mmu, tlb_gather_mmu } from './mmu_gather.ts';
import type { Op } from './op.ts';

/**
 * mm/pt_reclaim.c (v6.14+, CONFIG_PT_RECLAIM): MADV_DONTNEED frees a PTE table it has emptied,
 * while the VMA stays live; walkers that found the table before may still hold it under RCU.
 * Rule R20.
 */

/**
 * madvise_dontneed_single_vma - MADV_DONTNEED of pages of one VMA, reclaiming the PTE table if
 * the range covered it and left it empty.
 * Kernel: mm/madvise.c madvise_dontneed_single_vma() → zap_page_range_single() with
 * zap_details.reclaim_pt = true (6375e95f381e "mm: pgtable: reclaim empty PTE page in
 * madvise(MADV_DONTNEED)", v6.14, read in its posting); zap_pte_range(): "if (can_reclaim_pt)
 * { if (direct_reclaim) free_pte(...); else try_to_free_pte(...); }" after pte_unmap_unlock().
 * Model: always the slow path try_to_free_pte() (the fast path try_get_and_clear_pmd() clears
 * the PMD while zap_pte_range still holds the PTL; the model's zap section is shared with other
 * rules and stays as it is); the zap works on the mm's first table (a scenario runs one
 * MADV_DONTNEED, before any table is reclaimed).
 */
export function* madvise_dontneed_single_vma(t: Task, vma: Vma, addrs: readonly number[]): Op {
  const mm = vma.mm;
  const tlb = tlb_gather_mmu(t);
  yield* zap_pte_range(t, tlb, vma, addrs);
  if (mm.hasPmd && addrs.length === mm.pt.size) yield* try_to_free_pte(t, mm);
  yield* tlb_finish_mmu(t, tlb);
}

/**
 * try_to_free_pte - detach an empty PTE table from its PMD and free it after a grace period.
 * Kernel: mm/pt_reclaim.c try_to_free_pte(): "pml = pmd_lock(mm, pmd); start_pte =
 * pte_offset_map_rw_nolock(mm, pmd, addr, &pmdval, &ptl); if (!start_pte) goto out_ptl; if (ptl
 * != pml) spin_lock_nested(ptl, SINGLE_DEPTH_NESTING); /* Check if it is empty PTE page *\/ for
 * (...) if (!pte_none(ptep_get(pte))) goto out_ptl; pte_unmap(start_pte); pmd_clear(pmd); ...
 * spin_unlock(pml); free_pte(mm, addr, tlb, pmdval);" and free_pte(): pte_free_tlb() (the table
 * goes through the mmu_gather's RCU table free: MMU_GATHER_RCU_TABLE_FREE), read in the v6.14
 * pt_reclaim.c via find_string. Rule R20 (d): the emptiness check runs under both locks.
 * Model: the PMD lock and the PTL are one mutex (the table's PTL); the table is freed by this
 * thread once every RCU reader that might have seen it has left (synchronize_rcu). Freeing a table
 * that still maps a folio leaks the folio (its mapcount and reference are never dropped; at exit
 * "BUG: Bad rss-counter state"): the harm of R20, reported as I17.
 */
export function* try_to_free_pte(t: Task, mm: MmStruct): Op {
  const pt = mm.pt;
  const ptl = 'pt_reclaim.c:try_to_free_pte:ptl';
  yield lockAt(
    t.k,
    ptl,
    pt.ptl,
    'try_to_free_pte: pmd_lock(); pte_offset_map_rw_nolock(); spin_lock_nested(ptl)',
  );
  if (site(t.k, 'pt_reclaim.c:try_to_free_pte:recheck_pmd') && mm.pmd !== pt.name) {
    yield unlockAt(t.k, ptl, pt.ptl, 'try_to_free_pte: out_ptl: spin_unlock()');
    return;
  }
  for (let a = 0; a < pt.size; a++)
    if (pt.get(a).t !== 'none') {
      yield unlockAt(t.k, ptl, pt.ptl, 'try_to_free_pte: not empty: out_ptl: spin_unlock()');
      return;
    }
  mm.pmd = null; // pmd_clear(pmd)
  const gp = synchronize_rcu(t.k, 'free_pte: pte_free_tlb(): the RCU grace period before the table is freed');
  gp.start();
  yield unlockAt(t.k, ptl, pt.ptl, 'try_to_free_pte: pmd_clear(); spin_unlock(ptl); spin_unlock(pml)');
  if (site(t.k, 'pt_reclaim.c:free_pte:rcu_grace_period')) yield gp.wait;
  for (let a = 0; a < pt.size; a++) {
    const p = pt.get(a);
    if (p.t === 'present')
      bug(
        INV.I17,
        `free_pte: ${pt.name} is freed after PT reclaim detached it, but pte[${a}] maps ${p.folio}: a PTE installed into the detached table, the folio is leaked ("BUG: Bad rss-counter state")`,
      );
  }
  pt.freed = true;
}
