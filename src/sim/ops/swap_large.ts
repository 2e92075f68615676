import { SimMisuse, type Task } from '../kernel.ts';
import type { Folio } from '../objects/folio.ts';
import type { SwapSlot } from '../objects/swap.ts';
import { slotOf } from './swapfile.ts';

/**
 * Swap entries of a large folio: a large anon folio in the swap cache owns nr consecutive,
 * naturally aligned entries starting at folio->swap, page i's entry being folio->swap + i.
 * Kernel: include/linux/swapops.h / mm.h page_swap_entry() ("entry.val += folio_page_idx(folio,
 * page)"), mm/swap_state.c swap_cache_add_folio() (nr entries), mm/swapfile.c folio_alloc_swap()
 * (a cluster of 1 << order entries, naturally aligned), as read in mainline-derived copies via
 * the search tool (not re-read at one commit).
 * Model: the swap device's offsets are the slots' numbers (`swp#<n>`, made by k.swapSlot()).
 */

/** The offset of a swap entry (`swp#3` → 3). */
export function swp_offset(entry: string): number {
  const m = /^swp#(\d+)$/.exec(entry);
  if (m === null) throw new SimMisuse(`'${entry}' is not a swap entry name`);
  return Number(m[1]);
}

/** page_swap_entry(folio_page(f, i)): the swap entry of page i of a swap-cache folio. */
export function page_swap_entry(t: Task, f: Folio, i: number): string {
  const first = f.swap;
  if (first === null) throw new SimMisuse(`page_swap_entry: ${f.name} has no swap entry`);
  if (i === 0) return first;
  const name = `swp#${swp_offset(first) + i}`;
  slotOf(t, name);
  return name;
}

/** The folio's entries, page 0 first (folio->swap .. folio->swap + nr - 1). */
export function folio_swap_entries(t: Task, f: Folio): SwapSlot[] {
  return Array.from({ length: f.nr }, (_, i) => slotOf(t, page_swap_entry(t, f, i)));
}
