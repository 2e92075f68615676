import { SimMisuse, type Task } from '../kernel.ts';
import type { Folio } from '../objects/folio.ts';
import type { MmStruct } from '../objects/mm_struct.ts';
import { make_migration_entry, mk_pte, type Pte } from '../objects/page_table.ts';
import type { Vma } from '../objects/vma.ts';
import { lockAt, unlockAt } from '../sites.ts';
import type { Op } from './op.ts';

/**
 * mm/mprotect.c: mprotect() of a whole VMA — mprotect_fixup() → change_protection() →
 * change_pte_range(), and the "mprotect() optimization" that maps PTEs writable at once instead
 * of leaving them to the write-fault handler (can_change_pte_writable()).
 * Read at ColinIanKing/linux-next 042acf45157e (mainline-derived, leafent era).
 */

/**
 * pte_needs_soft_dirty_wp - does this PTE need a write fault for soft-dirty tracking?
 * Kernel: mm/internal.h pte_needs_soft_dirty_wp() "return vma_soft_dirty_enabled(vma) &&
 * !pte_soft_dirty(pte)"; vma_soft_dirty_enabled(): "tracking is enabled when the vma flags not
 * set" (!VM_SOFTDIRTY, cleared by clear_refs) (read in a mainline-derived copy).
 * Model: no per-PTE soft-dirty bit: once clear_refs armed tracking, every PTE counts as
 * soft-clean (exact for cow.c's "mprotect(PROT_READ); clear_softdirty(); mprotect(RW)").
 */
export function pte_needs_soft_dirty_wp(vma: Vma): boolean {
  return vma.soft_dirty_tracking;
}

/**
 * maybe_change_pte_writable / can_change_private_pte_writable / can_change_pte_writable - may
 * mprotect map this PTE writable without a write fault?
 * Kernel: mm/mprotect.c @ ColinIanKing/linux-next 042acf45157e: maybe_change_pte_writable()
 * ("WARN_ON_ONCE(!(vma->vm_flags & VM_WRITE))", not PROT_NONE, "Do we need write faults for
 * softdirty tracking?", uffd-wp); for a private mapping: "We can only special-case on exclusive
 * anonymous pages, because we know that our write-fault handler similarly would map them
 * writable without any additional checks while holding the PT lock": "return page &&
 * PageAnon(page) && PageAnonExclusive(page)".
 * Model: private anonymous VMAs (a shared file VMA is refused by mprotect()); no uffd-wp.
 * Variant: mprotect_ignores_anon_exclusive — any anon page (a shared one too) is made writable.
 */
export function can_change_pte_writable(t: Task, vma: Vma, p: Pte): boolean {
  if (!vma.vm_write) return false; // WARN_ON_ONCE
  if (pte_needs_soft_dirty_wp(vma)) return false;
  if (p.t !== 'present') return false;
  const f = t.k.lookup<Folio>(p.folio, 'folio');
  return f.anon && (f.pageExclusive(p.page) || t.mutated('mprotect_ignores_anon_exclusive'));
}

/**
 * change_pte_range - apply the VMA's new protection to its PTEs under the PTL.
 * Kernel: mm/mprotect.c change_pte_range() @ ColinIanKing/linux-next 042acf45157e: for a present
 * PTE "ptent = pte_modify(oldpte, newprot)" — a private mapping's vm_page_prot is never writable
 * (COW), so every PTE comes out R/O — then "if ((cp_flags & MM_CP_TRY_CHANGE_WRITABLE) &&
 * !pte_write(ptent)) set_write_prot_commit_flush_ptes()", which for a private VMA sets the write
 * bit only where "maybe_change_pte_writable(vma, ptent) && (folio && folio_test_anon(folio))"
 * and PageAnonExclusive (commit_anon_folio_batch); a writable migration entry becomes readable
 * (readable-exclusive for anon: "A protection check is difficult so just be safe and disable
 * write"); swap PTEs are left alone.
 * Model: the whole PTL section is one step; no batching, no PROT_NONE / NUMA, no TLB (the
 * flush is tlb_finish_mmu's); a PTE that does not change is not rewritten.
 */
export function* change_pte_range(t: Task, vma: Vma, try_change_writable: boolean): Op<number> {
  const pt = vma.mm.pt;
  let pages = 0;
  yield lockAt(t.k, 'mprotect.c:change_pte_range:ptl', pt.ptl, 'change_pte_range: pte_offset_map_lock()');
  for (let a = 0; a < pt.size; a++) {
    const old = pt.get(a);
    if (old.t === 'present') {
      const write = try_change_writable && can_change_pte_writable(t, vma, old);
      if (write !== old.write) pt.set(a, mk_pte(old.folio, old.page, write));
      pages++;
    } else if (old.t === 'migration' && old.write) {
      const f = t.k.lookup<Folio>(old.folio, 'folio');
      pt.set(a, make_migration_entry(old.folio, false, f.anon));
      pages++;
    }
  }
  yield unlockAt(t.k, 'mprotect.c:change_pte_range:ptl', pt.ptl, 'change_pte_range: pte_unmap_unlock()');
  return pages;
}

/**
 * mprotect - mprotect(2) of the process's whole VMA to PROT_READ (`write` false) or
 * PROT_READ|PROT_WRITE.
 * Kernel: mm/mprotect.c do_mprotect_pkey() → mprotect_fixup() @ ColinIanKing/linux-next
 * 042acf45157e: under mmap_write_lock, vma_start_write(); vm_flags_reset_once(vma, newflags);
 * "if (vma_wants_manual_pte_write_upgrade(vma)) mm_cp_flags |= MM_CP_TRY_CHANGE_WRITABLE";
 * vma_set_page_prot(); change_protection(); tlb_finish_mmu().
 * vma_wants_manual_pte_write_upgrade() (include/linux/mm.h, not re-read: [unverified]) is VM_WRITE
 * for a private mapping.
 * Model: one VMA, the whole of it; mmap_lock and the per-VMA lock are not modelled, so the
 * process's own threads must not fault on the VMA while it is PROT_READ (user_access refuses:
 * SimMisuse); no VM_ACCOUNT, no pkeys; a shared file mapping is refused.
 */
export function* mprotect(t: Task, mm: MmStruct, write: boolean): Op {
  const vma = mm.vma;
  if (vma.file !== null) throw new SimMisuse('mprotect of a shared file mapping is not modelled');
  yield `mprotect_fixup: vm_flags_reset_once(${write ? 'VM_READ|VM_WRITE' : 'VM_READ'}); vma_set_page_prot()`;
  vma.vm_write = write;
  yield* change_pte_range(t, vma, write); // change_protection(tlb, vma, start, end, mm_cp_flags)
}
