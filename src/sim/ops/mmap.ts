import type { Task } from '../kernel.ts';
import type { MmStruct } from '../objects/mm_struct.ts';
import { free_pgtables, unmap_vmas } from './memory.ts';
import { tlb_finish_mmu, tlb_gather_mmu } from './mmu_gather.ts';
import type { Op } from './op.ts';

/**
 * exit_mmap - tear down an address space: zap every PTE, hide the VMAs from rmap and free the
 * page tables, then free the gathered pages.
 * Kernel: mm/mmap.c exit_mmap() @ v6.19+ [unverified: catalog's word, not re-read]: tlb_gather_mmu_fullmm → unmap_vmas → ... →
 * free_pgtables → tlb_finish_mmu. Seed 004. Rules R1, R3.
 * Model: the mmap_lock read/write phases are not modelled (nobody else uses this mm).
 */
export function* exit_mmap(t: Task, mm: MmStruct): Op {
  const tlb = tlb_gather_mmu(t);
  yield* unmap_vmas(t, tlb, mm.vma);
  yield* free_pgtables(t, tlb, mm.vma);
  yield* tlb_finish_mmu(t, tlb);
}
