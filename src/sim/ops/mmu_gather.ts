import type { Task } from '../kernel.ts';
import type { Folio } from '../objects/folio.ts';
import type { Vma } from '../objects/vma.ts';
import { folio_remove_rmap_ptes } from './rmap.ts';
import { folio_put } from './swap.ts';
import { free_swap_cache } from './swap_state.ts';

/**
 * struct mmu_gather: the folios a zap unmapped, whose references are dropped after the TLB
 * flush, and the rmaps whose removal is delayed until then (5df397dec7c4: dirty file folios).
 * It is private to the zapping task, so it lives in the op's closure, not in shared memory.
 * Kernel: mm/mmu_gather.c @ v6.19+ [unverified: catalog's word, not re-read].
 */
export class MmuGather {
  /** Folios whose reference the gather holds (__tlb_remove_folio_pages). */
  readonly pages: Folio[] = [];
  /** Delayed rmap removals: folio, its VMA, the pages. */
  readonly delayed: Array<{ folio: Folio; vma: Vma; pages: number[] }> = [];
}

/** tlb_gather_mmu - Kernel: mm/mmu_gather.c tlb_gather_mmu() @ v6.19+ [unverified: catalog's word, not re-read]. */
export function tlb_gather_mmu(_t: Task): MmuGather {
  return new MmuGather();
}

/**
 * tlb_flush_rmaps - remove the delayed rmaps; zap_pte_range calls it before dropping the PTL.
 * Kernel: mm/mmu_gather.c tlb_flush_rmaps() @ v6.19+ [unverified: catalog's word, not re-read] ("if (!tlb->delayed_rmap) return").
 */
export function tlb_flush_rmaps(t: Task, tlb: MmuGather): void {
  for (const d of tlb.delayed.splice(0)) {
    folio_remove_rmap_ptes(t, d.folio, d.pages);
    d.folio.mem.write(d.folio.kDelayed, (d.folio.mem.read(d.folio.kDelayed) as number) - 1);
  }
}

/** Queue a delayed rmap removal (zap_present_folio_ptes: delay_rmap). */
export function tlb_delay_rmap(_t: Task, tlb: MmuGather, folio: Folio, vma: Vma, pages: number[]): void {
  tlb.delayed.push({ folio, vma, pages });
  folio.mem.write(folio.kDelayed, (folio.mem.read(folio.kDelayed) as number) + 1);
}

/**
 * tlb_flush_mmu / tlb_finish_mmu - flush the TLB, then free the gathered folios:
 * free_pages_and_swap_cache() → free_swap_cache() + folio_put for each.
 * Kernel: mm/mmu_gather.c tlb_finish_mmu() → tlb_flush_mmu() → tlb_batch_pages_flush() →
 * free_pages_and_swap_cache() (mm/swap_state.c) @ v6.19+ [unverified: catalog's word, not re-read].
 * Model: with the R1 mutation, the delayed anon rmaps are flushed only here (Linus's series).
 */
export function* tlb_finish_mmu(t: Task, tlb: MmuGather) {
  if (tlb.delayed.length > 0) {
    yield 'tlb_finish_mmu: tlb_flush_rmaps() (delayed rmaps)';
    tlb_flush_rmaps(t, tlb);
  }
  for (const f of tlb.pages.splice(0)) {
    yield* free_swap_cache(t, f);
    yield 'tlb_finish_mmu: free_pages_and_swap_cache(): folio_put()';
    folio_put(t, f);
  }
}
