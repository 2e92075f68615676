import { SimMisuse, type Task } from '../kernel.ts';
import type { MmStruct } from '../objects/mm_struct.ts';
import { PTE_NONE } from '../objects/page_table.ts';
import { lockAt, unlockAt } from '../sites.ts';
import type { Op } from './op.ts';

/**
 * mm/mremap.c: moving page-table entries to a new address (mremap(MREMAP_MAYMOVE|MREMAP_FIXED)).
 */

/**
 * move_ptes - move `n` PTEs of `mm` from `from..` to `to..` under the PTL: each entry is
 * cleared at the old address and set at the new one; the folios' mapcounts, references and
 * exclusivity do not change (the pages stay mapped once, in the same mm and anon_vma).
 * Kernel: mm/mremap.c move_page_tables() → move_ptes(): pte_offset_map_lock(old), the new PTL
 * with spin_lock_nested() when it differs; for each entry get_and_clear_full_ptes() (a batch of
 * one large folio's PTEs: mremap_folio_pte_batch) then set_ptes() at the new address; no rmap
 * call (read in mainline-derived copies via the search tool, v6.1x, not at one commit).
 * cow.c THP_RUN_PARTIAL_MREMAP moves half of a PTE-mapped THP this way.
 * Model: one VMA and page table per mm, so the destination range stands for the new VMA (it must
 * hold no PTEs: MREMAP_FIXED unmaps it first) and the old range is left without a mapping
 * (`expect` null: its VMA is gone in the kernel); both ranges share one PTL; no soft-dirty,
 * uffd-wp or TLB flush.
 */
export function* move_ptes(t: Task, mm: MmStruct, from: number, to: number, n: number): Op {
  const pt = mm.pt;
  if (to < from + n && from < to + n) throw new SimMisuse(`move_ptes: ${from}+${n} and ${to}+${n} overlap`);
  yield lockAt(t.k, 'mremap.c:move_ptes:ptl', pt.ptl, 'move_ptes: pte_offset_map_lock(old); new PTL');
  for (let i = 0; i < n; i++) {
    if (pt.get(to + i).t !== 'none')
      throw new SimMisuse(`move_ptes: destination pte[${to + i}] is not none (MREMAP_FIXED unmaps it first)`);
    const p = pt.get(from + i);
    pt.set(from + i, PTE_NONE); // get_and_clear_full_ptes
    pt.set(to + i, p); // set_ptes
    mm.setExpect(to + i, mm.expect(from + i));
    mm.setExpect(from + i, null);
  }
  yield unlockAt(t.k, 'mremap.c:move_ptes:ptl', pt.ptl, 'move_ptes: pte_unmap_unlock()');
}
