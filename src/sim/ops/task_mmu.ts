import { SimMisuse, type Task } from '../kernel.ts';
import { type Folio, folio_maybe_dma_pinned } from '../objects/folio.ts';
import type { MmStruct } from '../objects/mm_struct.ts';
import { mk_pte } from '../objects/page_table.ts';
import { lockAt, unlockAt } from '../sites.ts';
import type { Op } from './op.ts';

/**
 * fs/proc/task_mmu.c: writing "4" to /proc/pid/clear_refs (CLEAR_REFS_SOFT_DIRTY), which the
 * kernel's selftests call clear_softdirty().
 */

/**
 * clear_refs_write(CLEAR_REFS_SOFT_DIRTY) - arm soft-dirty tracking: clear VM_SOFTDIRTY and
 * write-protect every present PTE so the next write faults and marks it soft-dirty again.
 * Kernel: fs/proc/task_mmu.c clear_soft_dirty() (read in a mainline-derived copy): present PTE:
 * "if (pte_is_pinned(vma, addr, ptent)) return;" (a writable PTE of a maybe-pinned page in a COW
 * mapping is left alone); ptep_modify_prot_start(); pte_wrprotect(); pte_clear_soft_dirty();
 * swap PTE: pte_swp_clear_soft_dirty(). clear_refs_write() clears VM_SOFTDIRTY and calls
 * vma_set_page_prot() first (not re-read: [unverified]).
 * Model: one VMA; the soft-dirty bits are the VMA-wide flag of pte_needs_soft_dirty_wp()
 * (ops/mprotect.ts); the PTL section is one step; no TLB.
 */
export function* clear_refs_soft_dirty(t: Task, mm: MmStruct): Op {
  const vma = mm.vma;
  if (vma.file !== null) throw new SimMisuse('clear_refs of a shared file mapping is not modelled');
  const pt = mm.pt;
  yield 'clear_refs_write(CLEAR_REFS_SOFT_DIRTY): vm_flags_clear(VM_SOFTDIRTY); vma_set_page_prot()';
  vma.soft_dirty_tracking = true;
  const ptl = 'task_mmu.c:clear_refs_pte_range:ptl';
  yield lockAt(t.k, ptl, pt.ptl, 'clear_refs_pte_range: pte_offset_map_lock()');
  for (let a = 0; a < pt.size; a++) {
    const p = pt.get(a);
    if (p.t !== 'present' || !p.write) continue;
    const f = t.k.lookup<Folio>(p.folio, 'folio');
    if (f.anon && folio_maybe_dma_pinned(f)) continue; // pte_is_pinned()
    pt.set(a, mk_pte(p.folio, p.page, false)); // pte_wrprotect(); pte_clear_soft_dirty()
  }
  yield unlockAt(t.k, ptl, pt.ptl, 'clear_refs_pte_range: pte_unmap_unlock()');
}
