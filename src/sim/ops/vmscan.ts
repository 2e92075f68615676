import type { Task } from '../kernel.ts';
import { type Folio, folio_mapped } from '../objects/folio.ts';
import { mem_cgroup_uncharge } from './memcontrol.ts';
import { memcg1_swapout } from './memcontrol-v1.ts';
import type { Op } from './op.ts';
import { try_to_unmap } from './rmap.ts';
import { folio_add_lru, folio_put } from './swap.ts';
import { __delete_from_swap_cache, add_to_swap_cache } from './swap_state.ts';
import { folio_alloc_swap, put_swap_folio, slotOf } from './swapfile.ts';

/**
 * shrink_folio_list - reclaim one anon folio: isolate it from the LRU, trylock, add it to the
 * swap cache, unmap it, write it out, and free it if nothing else holds it.
 * Kernel: mm/vmscan.c shrink_folio_list() @ v6.19+ (folio_isolate_lru with a reference,
 * folio_trylock, add_to_swap → folio_alloc_swap + add_to_swap_cache, try_to_unmap, pageout,
 * __remove_mapping, then folio_unlock and the free of the frozen folio). Seed 002. Rules R12, R17.
 * Model: the folio is always written out synchronously; folio_referenced is not consulted.
 */
export function* shrink_folio_list(t: Task, f: Folio): Op<boolean> {
  yield 'shrink_folio_list: folio_isolate_lru()';
  if (f.freed || !f.lru || f.refcount === 0) return false;
  f.lru = false;
  f.refcount = f.refcount + 1; // the isolation reference
  yield 'shrink_folio_list: folio_trylock()';
  if (!f.lock.tryLock()) return yield* putback(t, f, false);
  if (f.anon && !f.swapcache) {
    yield 'shrink_folio_list: add_to_swap(): folio_alloc_swap(); add_to_swap_cache()';
    const s = folio_alloc_swap(t, f);
    if (s === null) return yield* putback(t, f, true);
    add_to_swap_cache(t, f, s);
    s.memcg = f.memcg; // v2: mem_cgroup_try_charge_swap records the swap owner
    f.dirty = true;
  }
  if (folio_mapped(f)) yield* try_to_unmap(t, f);
  yield 'shrink_folio_list: pageout() (swap_writepage, completed)';
  if (folio_mapped(f)) return yield* putback(t, f, true);
  if (f.dirty && f.swap !== null) {
    slotOf(t, f.swap).data = f.content;
    f.dirty = false;
  }
  if (!(yield* __remove_mapping(t, f))) return yield* putback(t, f, true);
  yield f.lock.unlock('shrink_folio_list: folio_unlock() (free_it)');
  yield 'shrink_folio_list: mem_cgroup_uncharge_folios(); free_unref_folios()';
  mem_cgroup_uncharge(t, f);
  f.mapping = null;
  f.freed = true;
  return true;
}

/**
 * folio_isolate_lru - take a folio off its LRU list with a reference (isolate_lru_folios).
 * Kernel: mm/vmscan.c folio_isolate_lru() @ v6.19+. Returns false if it is not on the LRU.
 */
export function* folio_isolate_lru(_t: Task, f: Folio): Op<boolean> {
  yield 'folio_isolate_lru()';
  if (f.freed || !f.lru || f.refcount === 0) return false;
  f.lru = false;
  f.refcount = f.refcount + 1;
  return true;
}

/** folio_putback_lru - Kernel: mm/vmscan.c folio_putback_lru() @ v6.19+. */
export function* folio_putback_lru(t: Task, f: Folio): Op {
  yield 'folio_putback_lru()';
  folio_add_lru(t, f);
  folio_put(t, f);
}

function* putback(t: Task, f: Folio, locked: boolean): Op<boolean> {
  if (locked) yield f.lock.unlock('shrink_folio_list: folio_unlock() (keep)');
  yield 'shrink_folio_list: folio_putback_lru()';
  folio_add_lru(t, f);
  folio_put(t, f);
  return false;
}

/**
 * __remove_mapping - free a clean, unmapped swap-cache folio: freeze its refcount at exactly
 * the isolation reference plus the swap cache's, then take it out of the swap cache and move the
 * memcg charge to the swap entry (memcg1_swapout), all under the swap-cache lock.
 * Kernel: mm/vmscan.c __remove_mapping() @ v6.19+ ("refcount = 1 + folio_nr_pages(folio); if
 * (!folio_ref_freeze(folio, refcount)) goto cannot_free;", then __swap_cache_del_folio;
 * memcg1_swapout; put_swap_folio). Seed 002. Rule R12.
 * Variant: swapout_before_freeze (R12) moves the charge before the freeze is known to succeed.
 */
export function* __remove_mapping(t: Task, f: Folio): Op<boolean> {
  const early = t.mutated('swapout_before_freeze');
  if (early && f.swap !== null) {
    yield '__remove_mapping (mutated): memcg1_swapout() before folio_ref_freeze()';
    memcg1_swapout(t, f, f.swap, true);
  }
  yield '__remove_mapping: xa_lock_irq(); folio_ref_freeze(folio, 1 + nr)';
  if (f.refcount !== 1 + f.nr || f.dirty) return false;
  f.refcount = 0; // frozen
  const entry = __delete_from_swap_cache(t, f);
  if (!early) memcg1_swapout(t, f, entry, false);
  put_swap_folio(t, entry);
  return true;
}
