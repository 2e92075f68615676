import { bug } from '../../explorer/index.ts';
import { INV } from '../invariants/names.ts';
import { SimMisuse, type Task } from '../kernel.ts';
import { type Folio, folio_mapped } from '../objects/folio.ts';
import type { MemCgroup } from '../objects/mem_cgroup.ts';
import { swapInfo } from '../objects/swap_info.ts';
import { lockAt, site, tryLockAt, unlockAt } from '../sites.ts';
import { __mem_cgroup_try_charge_swap, mem_cgroup_uncharge } from './memcontrol.ts';
import { memcg1_swapout } from './memcontrol-v1.ts';
import type { Op } from './op.ts';
import { swap_writeout } from './page_io.ts';
import { try_to_unmap } from './rmap.ts';
import { folio_add_lru, folio_put } from './swap.ts';
import { page_swap_entry } from './swap_large.ts';
import { __delete_from_swap_cache, add_to_swap_cache } from './swap_state.ts';
import { folio_alloc_swap, put_swap_folio, slotOf } from './swapfile.ts';

/**
 * shrink_folio_list - reclaim one anon folio: isolate it from the LRU, trylock, add it to the
 * swap cache, unmap it, write it out, and free it if nothing else holds it.
 * Kernel: mm/vmscan.c shrink_folio_list() @ AMDESE/linux-mm 74b0442a1c76 (mainline after v6.18,
 * swap-table era): the caller isolated the folio (isolate_lru_folios: folio_try_get +
 * folio_test_clear_lru); folio_trylock; folio_alloc_swap (which adds it to the swap cache) and
 * folio_mark_dirty; try_to_unmap, "if (folio_mapped(folio)) goto activate_locked"; pageout() of
 * a dirty folio ("if (folio_ref_count(folio) != 1 + folio_nr_pages(folio) || !mapping) return
 * PAGE_KEEP"); __remove_mapping; folio_unlock; mem_cgroup_uncharge_folios + free_unref_folios.
 * Seed 002. Rules R12, R17.
 * Model: one anon folio, isolated by this op; the write is synchronous (PAGE_SUCCESS, then
 * clean); folio_check_references, demotion, writeback throttling and activation are not
 * modelled (activate/keep both put the folio back). A large folio is swapped out whole to nr
 * aligned entries (folio_alloc_swap); the kernel's split of a partially mapped folio and its
 * split fallback when no such entries are free (split_folio_to_list) are not modelled
 * (SimMisuse); memcg1_swapout records the first entry only.
 */
/** Reclaim's folio lock: both trylocks of shrink_folio_list(), released at free_it, keep or by swap_writeout(). */
const FOLIO_LOCK = 'vmscan.c:shrink_folio_list:folio_trylock';

export function* shrink_folio_list(t: Task, f: Folio): Op<boolean> {
  yield 'shrink_folio_list: folio_isolate_lru()';
  if (f.freed || !f.lru || f.refcount === 0) return false;
  f.lru = false;
  f.refcount = f.refcount + 1; // the isolation reference
  yield 'shrink_folio_list: folio_trylock()';
  if (!tryLockAt(t.k, FOLIO_LOCK, f.lock)) return yield* putback(t, f, false);
  if (f.anon && !f.swapcache) {
    // "Split partially mapped folios right away": split_folio_to_list() is not modelled
    if (f.nr > 1 && folio_mapped(f) && f.large_mapcount < f.nr)
      throw new SimMisuse(
        `shrink_folio_list: ${f.name} is partially mapped; split_folio_to_list() is not modelled`,
      );
    yield 'shrink_folio_list: add_to_swap(): folio_alloc_swap(); add_to_swap_cache()';
    const s = folio_alloc_swap(t, f);
    if (s === null && f.nr > 1)
      throw new SimMisuse(
        `shrink_folio_list: no ${f.nr} free aligned swap entries for ${f.name}; the fallback (split_folio_to_list, swap normal pages) is not modelled`,
      );
    if (s === null) return yield* putback(t, f, true);
    add_to_swap_cache(t, f, s);
    __mem_cgroup_try_charge_swap(t, f, s); // cgroup v2: the slot's swap charge and record
    f.dirty = true;
  }
  if (folio_mapped(f)) yield* try_to_unmap(t, f);
  yield 'shrink_folio_list: folio_mapped() after try_to_unmap(); pageout() if dirty';
  if (folio_mapped(f)) return yield* putback(t, f, true);
  if (f.dirty) {
    // pageout(): "A freeable shmem or swapcache folio is referenced only by the caller that
    // isolated the folio and the page cache": otherwise PAGE_KEEP (keep_locked).
    if (f.refcount !== 1 + f.nr || f.swap === null) return yield* putback(t, f, true);
    if (swapInfo(t.k) !== null) {
      // A declared swap device (R21): folio_clear_dirty_for_io(); swap_writeout() unlocks the
      // folio for the write; then PAGE_SUCCESS: "if (folio_test_writeback(folio)) goto keep; if
      // (folio_test_dirty(folio)) goto keep; ... if (!folio_trylock(folio)) goto keep;"
      if (f.nr > 1)
        throw new SimMisuse('swap_writeout of a large folio to a declared swap device is not modelled');
      f.dirty = false;
      yield* swap_writeout(t, f);
      yield 'shrink_folio_list: pageout() PAGE_SUCCESS: folio_trylock()';
      if (f.writeback || f.dirty || !tryLockAt(t.k, FOLIO_LOCK, f.lock)) return yield* putback(t, f, false);
    } else {
      // folio_clear_dirty_for_io(); swap_writeout() (synchronous): page i to entry folio->swap + i
      for (let i = 0; i < f.nr; i++) slotOf(t, page_swap_entry(t, f, i)).data = f.pageContent(i);
      f.dirty = false;
    }
  }
  if (!(yield* __remove_mapping(t, f))) return yield* putback(t, f, true);
  yield unlockAt(t.k, FOLIO_LOCK, f.lock, 'shrink_folio_list: folio_unlock() (free_it)');
  yield 'shrink_folio_list: mem_cgroup_uncharge_folios(); free_unref_folios()';
  mem_cgroup_uncharge(t, f);
  f.mapping = null;
  f.freed = true;
  return true;
}

/**
 * folio_isolate_lru - take a folio off its LRU list with a reference.
 * Kernel: mm/vmscan.c folio_isolate_lru() @ AMDESE/linux-mm 74b0442a1c76 (read):
 * VM_BUG_ON_FOLIO(!folio_ref_count(folio)); if (folio_test_clear_lru(folio)) { folio_get();
 * lruvec = folio_lruvec_lock_irq(folio) — the lru_lock of folio_memcg(folio)'s lruvec —;
 * lruvec_del_folio(), the list_del from the list the folio is on; unlock_page_lruvec_irq() }.
 * Seed 002.
 * Model: the kernel's caller holds a reference (hence the VM_BUG_ON); the model's callers may
 * not, so a folio already freed is simply not isolated. The flag test and the folio_get() are
 * one step without memcgs; with a memcg, the lru_lock is taken for the list_del, which
 * is a harm (list corruption, I10) if the folio sits on another memcg's list whose lru_lock
 * another thread holds: two CPUs then change one list under two locks (R8).
 * Returns false if it is not on the LRU.
 */
export function* folio_isolate_lru(t: Task, f: Folio): Op<boolean> {
  yield 'folio_isolate_lru()';
  if (f.freed || !f.lru || f.refcount === 0) return false;
  f.lru = false;
  f.refcount = f.refcount + 1;
  const name = f.memcg;
  if (name === null || !t.k.has(name)) return true;
  const memcg = t.k.lookup<MemCgroup>(name, 'mem_cgroup');
  yield lockAt(
    t.k,
    'vmscan.c:folio_isolate_lru:lru_lock',
    memcg.lru_lock,
    'folio_isolate_lru: folio_lruvec_lock_irq(); lruvec_del_folio()',
  );
  lruvec_del_folio(t, f, memcg);
  yield unlockAt(
    t.k,
    'vmscan.c:folio_isolate_lru:lru_lock',
    memcg.lru_lock,
    'folio_isolate_lru: unlock_page_lruvec_irq()',
  );
  return true;
}

/**
 * lruvec_del_folio - list_del() of the folio from the LRU list it is on, under the lru_lock of
 * `locked` (the lruvec folio_memcg() named). If the folio is on another memcg's list (its
 * memcg_data changed while it sat on an LRU: R8) and that list's own lru_lock is held by another
 * thread right now, one list is being changed under two locks: it is corrupted (I10, a harm —
 * the check is the model's, reading the other lock as a ghost; the kernel just corrupts the list:
 * "list_del corruption" with CONFIG_DEBUG_LIST, a crash on a later walk without it).
 */
function lruvec_del_folio(t: Task, f: Folio, locked: MemCgroup): void {
  const on = f.lruvec;
  if (on === null || on === locked.name || !t.k.has(on)) return;
  const owner = t.k.lookup<MemCgroup>(on, 'mem_cgroup').lru_lock.holder();
  if (owner !== -1 && owner !== t.tid)
    bug(
      INV.I10,
      `lruvec_del_folio: ${f.name} sits on ${on}'s LRU list but folio_memcg() is ${locked.name}: list_del under ${locked.name}'s lru_lock while thread ${t.k.tasks[owner]?.name ?? owner} holds ${on}'s — the list is corrupted`,
    );
}

/**
 * folio_putback_lru - Kernel: mm/vmscan.c folio_putback_lru() @ AMDESE/linux-mm 74b0442a1c76
 * (folio_add_lru(); folio_put() "drop ref from isolate"). Model: one step.
 */
export function* folio_putback_lru(t: Task, f: Folio): Op {
  yield 'folio_putback_lru()';
  folio_add_lru(t, f);
  folio_put(t, f);
}

function* putback(t: Task, f: Folio, locked: boolean): Op<boolean> {
  if (locked) yield unlockAt(t.k, FOLIO_LOCK, f.lock, 'shrink_folio_list: folio_unlock() (keep)');
  yield 'shrink_folio_list: folio_putback_lru()';
  folio_add_lru(t, f);
  folio_put(t, f);
  return false;
}

/**
 * __remove_mapping - free a clean, unmapped swap-cache folio: freeze its refcount at exactly
 * the isolation reference plus the swap cache's, then take it out of the swap cache and move the
 * memcg charge to the swap entry (memcg1_swapout), all under the swap-cache lock.
 * Kernel: mm/vmscan.c __remove_mapping() @ AMDESE/linux-mm 74b0442a1c76 (mainline after v6.18):
 * swap_cluster_get_and_lock_irq(); "refcount = 1 + folio_nr_pages(folio); if
 * (!folio_ref_freeze(folio, refcount)) goto cannot_free;"; folio_test_dirty → unfreeze, cannot
 * free; __swap_cache_del_folio(); memcg1_swapout(); swap_cluster_unlock_irq(); put_swap_folio().
 * Seed 002. Rule R12.
 * Model: the cluster lock section is one step (the swap-cache lock is not a separate mutex).
 * Variant: swapout_before_freeze (R12) moves the charge before the freeze is known to succeed.
 */
export function* __remove_mapping(t: Task, f: Folio): Op<boolean> {
  const early =
    !site(t.k, 'vmscan.c:__remove_mapping:freeze_before_swapout') || t.mutated('swapout_before_freeze');
  if (early && f.swap !== null) {
    yield '__remove_mapping (mutated): memcg1_swapout() before folio_ref_freeze()';
    memcg1_swapout(t, f, f.swap, true);
  }
  yield '__remove_mapping: xa_lock_irq(); folio_ref_freeze(folio, 1 + nr)';
  if (f.refcount !== 1 + f.nr || f.dirty) return false;
  f.refcount = 0; // frozen
  const entries = Array.from({ length: f.nr }, (_, i) => page_swap_entry(t, f, i));
  const entry = __delete_from_swap_cache(t, f);
  if (!early) memcg1_swapout(t, f, entry, false);
  for (const e of entries) put_swap_folio(t, e); // put_swap_folio(folio, swap): nr entries
  return true;
}
