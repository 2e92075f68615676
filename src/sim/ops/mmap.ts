import type { Task } from '../kernel.ts';
import type { MmStruct } from '../objects/mm_struct.ts';
import { free_pgtables, unmap_vmas } from './memory.ts';
import { tlb_finish_mmu, tlb_gather_mmu } from './mmu_gather.ts';
import type { Op } from './op.ts';

/**
 * exit_mmap - tear down an address space: zap every PTE, hide the VMAs from rmap and free the
 * page tables, then free the gathered pages.
 * Kernel: mm/mmap.c exit_mmap(): mmap_read_lock; tlb_gather_mmu_fullmm; unmap_vmas(...,
 * ULONG_MAX); mmap_read_unlock; set MMF_OOM_SKIP; mmap_write_lock; free_pgtables();
 * tlb_finish_mmu(); then remove_vma() for each VMA — read in a mainline-derived mm/mmap.c of the
 * v6.8–v6.12 era (vma_iter, xa_is_zero) via find_string; the index does not name its
 * repository or commit. Seed 004. Rules R1, R3.
 * An mm whose VMAs are already gone returns at once ("vma = vma_next(&vmi); if (!vma) ...
 * return", read in the same copies and in list mail quoting v6.1–v6.12 exit_mmap()).
 * Model: the mmap_lock read/write phases and mmu_notifier_release are not modelled; remove_vma()
 * (fput, vm_area_free) and __mt_destroy() are one step that empties the mm (`has_vmas`), after
 * which a fault finds no VMA; one VMA.
 */
export function* exit_mmap(t: Task, mm: MmStruct): Op {
  if (!mm.has_vmas) return; // "Can happen if dup_mmap() received an OOM" (or a second teardown)
  const tlb = tlb_gather_mmu(t);
  yield* unmap_vmas(t, tlb, mm.vma);
  yield* free_pgtables(t, tlb, mm.vma);
  yield* tlb_finish_mmu(t, tlb);
  yield 'exit_mmap: remove_vma(); __mt_destroy(&mm->mm_mt)';
  mm.has_vmas = false;
}
