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
 * Kernel: mm/mmu_gather.c @ torvalds/linux 06d074298583 (v6.10-era tree; tlb->delayed_rmap,
 * tlb_flush_rmaps, tlb_batch_pages_flush → free_pages_and_swap_cache, tlb_finish_mmu).
 * Model: one unbounded batch (no MAX_GATHER_BATCH, no tlb_next_batch limit); no TLB.
 */
export class MmuGather {
  /** Folios whose reference the gather holds (__tlb_remove_folio_pages). */
  readonly pages: Folio[] = [];
  /** Delayed rmap removals: folio, its VMA, the pages. */
  readonly delayed: Array<{ folio: Folio; vma: Vma; pages: number[] }> = [];
}

/**
 * tlb_gather_mmu - Kernel: mm/mmu_gather.c tlb_gather_mmu() / tlb_gather_mmu_fullmm() →
 * __tlb_gather_mmu() @ torvalds/linux 06d074298583 (empty batch, delayed_rmap = 0).
 * Model: fullmm and inc_tlb_flush_pending are not modelled.
 */
export function tlb_gather_mmu(_t: Task): MmuGather {
  return new MmuGather();
}

/**
 * tlb_flush_rmaps - remove the delayed rmaps; zap_pte_range calls it before dropping the PTL.
 * Kernel: mm/mmu_gather.c tlb_flush_rmaps() → tlb_flush_rmap_batch() @ torvalds/linux
 * 06d074298583 ("if (!tlb->delayed_rmap) return"; folio_remove_rmap_pte for each page encoded
 * with the delay flag). Model: the delayed entries are a list, not flags on the gathered pages.
 */
export function tlb_flush_rmaps(t: Task, tlb: MmuGather): void {
  for (const d of tlb.delayed.splice(0)) {
    folio_remove_rmap_ptes(t, d.folio, d.pages, d.vma);
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
 * Kernel: mm/mmu_gather.c tlb_finish_mmu() → tlb_flush_mmu() → tlb_flush_mmu_free() →
 * tlb_batch_pages_flush() → free_pages_and_swap_cache() @ torvalds/linux 06d074298583;
 * mm/swap_state.c free_pages_and_swap_cache() (free_swap_cache for each folio of a batch, then
 * folios_put_refs) as read in a mainline-derived copy via find_string.
 * Model: tlb_finish_mmu in mainline does not call tlb_flush_rmaps (zap_pte_range flushes the
 * delayed file rmaps before dropping the PTL); here it flushes what is left, which only the R1
 * mutation leaves (Linus's 2022 series delayed anon rmaps too). Each page's free_swap_cache is
 * followed by its folio_put (the kernel does the batch's free_swap_cache calls first).
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
