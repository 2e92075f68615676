import { bug } from '../../explorer/index.ts';
import { INV } from '../invariants/names.ts';
import type { Task } from '../kernel.ts';
import { type Folio, folio_mapped } from '../objects/folio.ts';
import type { SwapSlot } from '../objects/swap.ts';
import { releaseAt, tryLockAt } from '../sites.ts';
import type { Op } from './op.ts';
import { folio_put } from './swap.ts';
import { folio_swap_entries } from './swap_large.ts';
import { folio_free_swap, put_swap_folio, slotOf } from './swapfile.ts';

/**
 * mm/swap_state.c: the swap cache (entry → folio).
 * Read at torvalds/linux 014bb1de4fc1 — an older, page-based tree (≈v5.1x: add_to_swap_cache(page),
 * lookup_swap_cache, try_to_free_swap). The folio names used here are today's: lookup_swap_cache
 * → swap_cache_get_folio, try_to_free_swap → folio_free_swap, and after the 2025 swap-table
 * rework add_to_swap_cache / delete_from_swap_cache → swap_cache_add_folio / swap_cache_del_folio
 * (the latter as called in mm/vmscan.c @ AMDESE/linux-mm 74b0442a1c76). Seed 003.
 */

/**
 * swap_cache_get_folio - look up the swap cache and take a reference (folio_try_get).
 * Kernel: mm/swap_state.c swap_cache_get_folio(); historic lookup_swap_cache() @ torvalds/linux 014bb1de4fc1
 * (get_swap_device; find_get_page: a speculative reference).
 * Model: readahead statistics are not modelled; a freed folio is not found.
 */
export function swap_cache_get_folio(t: Task, entry: string): Folio | null {
  const name = slotOf(t, entry).cache;
  if (name === null) return null;
  const f = t.k.lookup<Folio>(name, 'folio');
  if (f.freed || f.refcount === 0) return null;
  f.refcount = f.refcount + 1;
  return f;
}

/**
 * add_to_swap_cache / swap_cache_add_folio - insert a locked folio; the cache holds nr references.
 * Kernel: mm/swap_state.c add_to_swap_cache() @ torvalds/linux 014bb1de4fc1 (VM_BUG_ON_PAGE(!PageLocked(page));
 * page_ref_add(page, nr); SetPageSwapCache; xas_store), today swap_cache_add_folio().
 * Model: one step; the caller holds the lock (not asserted here).
 */
export function add_to_swap_cache(t: Task, f: Folio, s: SwapSlot): void {
  if (s.cache !== null) bug(INV.I11, `add_to_swap_cache: ${s.name} already caches ${s.cache}`);
  s.cache = f.name;
  f.swapcache = true;
  f.swap = s.name;
  f.refcount = f.refcount + f.nr;
  // a large folio fills the swap-cache slots of all its entries
  if (f.nr > 1) for (const e of folio_swap_entries(t, f)) e.cache = f.name;
}

/**
 * __delete_from_swap_cache / __swap_cache_del_folio - unhook the folio from its entry
 * (SWAP_HAS_CACHE stays until put_swap_folio; the cache's reference is the caller's to drop).
 * Kernel: mm/swap_state.c __delete_from_swap_cache() @ torvalds/linux 014bb1de4fc1 (VM_BUG_ON_PAGE(!PageLocked),
 * !PageSwapCache, PageWriteback; xas_store(shadow); ClearPageSwapCache), today
 * __swap_cache_del_folio(ci, folio, entry, shadow).
 * Model: the lock is not asserted here (folio_free_swap and __remove_mapping assert or hold it).
 */
export function __delete_from_swap_cache(t: Task, f: Folio): string {
  const entry = f.swap;
  if (entry === null || !f.swapcache)
    bug('VM_BUG_ON_FOLIO', `__delete_from_swap_cache: ${f.name} not in the swap cache`);
  slotOf(t, entry as string).cache = null;
  if (f.nr > 1) for (const e of folio_swap_entries(t, f)) e.cache = null;
  f.swapcache = false;
  f.swap = null;
  return entry as string;
}

/**
 * delete_from_swap_cache / swap_cache_del_folio - remove from the swap cache, clear
 * SWAP_HAS_CACHE and drop the cache's reference.
 * Kernel: mm/swap_state.c delete_from_swap_cache() @ torvalds/linux 014bb1de4fc1 (xa_lock_irq; __delete_from_swap_cache;
 * put_swap_page; page_ref_sub(nr)), today swap_cache_del_folio(). Model: one step.
 */
export function delete_from_swap_cache(t: Task, f: Folio): void {
  const entries = f.nr > 1 ? folio_swap_entries(t, f).map((e) => e.name) : [];
  const entry = __delete_from_swap_cache(t, f);
  if (f.nr === 1) {
    put_swap_folio(t, entry);
    folio_put(t, f);
    return;
  }
  // a large folio: put_swap_folio() of all its entries, page_ref_sub(folio, nr)
  for (const e of entries) put_swap_folio(t, e);
  for (let i = 0; i < f.nr; i++) folio_put(t, f);
}

/**
 * free_swap_cache - after unmapping, free the swap cache of a folio nobody maps any more.
 * Kernel: mm/swap_state.c free_swap_cache() @ torvalds/linux 014bb1de4fc1 ("if (PageSwapCache(page) &&
 * !page_mapped(page) && trylock_page(page)) { try_to_free_swap(page); unlock_page(page); }"),
 * the same test in folio form today (folio_test_swapcache, folio_mapped, folio_trylock,
 * folio_free_swap). Called from free_pages_and_swap_cache() (same file) for the mmu_gather.
 * Model: the trylock, folio_free_swap and unlock are one step (nobody can observe in between).
 */
export function* free_swap_cache(t: Task, f: Folio): Op {
  yield 'free_swap_cache: folio_test_swapcache() && !folio_mapped() && folio_trylock()';
  if (!f.swapcache || folio_mapped(f)) return;
  if (!tryLockAt(t.k, 'swap_state.c:free_swap_cache:folio_trylock', f.lock)) return;
  folio_free_swap(t, f);
  releaseAt(t.k, 'swap_state.c:free_swap_cache:folio_trylock', f.lock); // folio_unlock
}
