import { bug } from '../../explorer/index.ts';
import { INV } from '../invariants/names.ts';
import { guard, SimMisuse, type Task } from '../kernel.ts';
import { type Folio, folio_locked_by_me, folio_mapped } from '../objects/folio.ts';
import { SwapSlot } from '../objects/swap.ts';
import { __mem_cgroup_uncharge_swap } from './memcontrol.ts';
import { folio_swap_entries, swp_offset } from './swap_large.ts';
import { delete_from_swap_cache } from './swap_state.ts';

/**
 * mm/swapfile.c: the swap_map (swap counts, SWAP_HAS_CACHE) and freeing the swap cache.
 * Read at torvalds/linux 0ec8bc9e880e (≈v6.12/v6.13: swap_slots cache and zswap still present, before the 2025
 * swap-table rework that renamed delete_from_swap_cache → swap_cache_del_folio); seed 003.
 */

export function slotOf(t: Task, entry: string): SwapSlot {
  return t.k.lookup<SwapSlot>(entry, 'swap entry');
}

/**
 * A slot with no users and no cache is free: forget its contents and release the swap charge
 * of the memcg recorded for it (memsw on cgroup v1, swap on v2).
 * Kernel: mm/swapfile.c swap_entries_free() / __swap_entries_free(): "mem_cgroup_uncharge_swap(
 * entry, nr_pages); swap_range_free()" (seen in the context of 2025 patches to that function;
 * the body at torvalds/linux 0ec8bc9e880e was not re-read), mem_cgroup_uncharge_swap() clearing
 * the swap_cgroup record and calling __mem_cgroup_uncharge_swap() (memcontrol.ts).
 * Variant: swap_free_keeps_swap_charge frees the slot without the uncharge.
 */
function maybeFree(t: Task, s: SwapSlot): void {
  if (s.count === 0 && !s.has_cache) {
    s.data = null;
    const id = s.memcg;
    s.memcg = null; // swap_cgroup_clear
    if (id !== null && !t.mutated('swap_free_keeps_swap_charge'))
      __mem_cgroup_uncharge_swap(t, id, 1, `freed ${s.name}`);
  }
}

/**
 * folio_swapped - do swap PTEs (or shmem) still reference the folio's entry?
 * Kernel: mm/swapfile.c folio_swapped() @ torvalds/linux 0ec8bc9e880e (small folios: swap_swapcount(si, entry) != 0,
 * under the cluster lock). Seed 003.
 * Model: small folios; the count is read in the caller's step.
 */
export function folio_swapped(t: Task, f: Folio): boolean {
  const e = f.swap;
  if (e !== null && f.nr > 1) return folio_swap_entries(t, f).some((s) => s.count > 0); // swap_page_trans_huge_swapped
  return e !== null && slotOf(t, e).count > 0;
}

/**
 * folio_free_swap - free the swap cache of a locked folio if no swap PTE needs it any more.
 * Kernel: mm/swapfile.c folio_free_swap() @ torvalds/linux 0ec8bc9e880e: folio_swapcache_freeable() (locked, in the
 * swap cache, !writeback), then "if (folio_swapped(folio)) return false;", then
 * delete_from_swap_cache() and folio_set_dirty(). Seed 003 (Linus: "(a) you have it locked ...
 * (b) there are no swapcount() users of this page"). Rule R14.
 * Model: mapcount and refcount play no part, as in the kernel; pm_suspended_storage() is false.
 */
export function folio_free_swap(t: Task, f: Folio): boolean {
  if (!folio_locked_by_me(f))
    guard(t.k, 'VM_BUG_ON_FOLIO', `folio_free_swap: ${f.name} is not locked by the caller`);
  if (!f.swapcache || f.writeback) return false;
  if (folio_swapped(t, f) && !t.mutated('free_swap_ignores_swapcount')) return false;
  delete_from_swap_cache(t, f);
  f.dirty = true;
  return true;
}

/**
 * swap_free_nr - drop swap-map references (a swap PTE went away).
 * Kernel: mm/swapfile.c swap_free_nr() → cluster_swap_free_nr() → __swap_entry_free_locked()
 * @ torvalds/linux 0ec8bc9e880e.
 * Model: one entry; the slot is freed when neither a count nor SWAP_HAS_CACHE is left.
 */
export function swap_free_nr(t: Task, entry: string): void {
  const s = slotOf(t, entry);
  const c = s.count - 1;
  if (c < 0) bug(INV.I11, `swap_free: ${entry} count underflow ("Bad swap offset entry")`);
  s.count = c;
  maybeFree(t, s);
}

/**
 * swap_duplicate - one more swap PTE for the entry (fork, try_to_unmap).
 * Kernel: mm/swapfile.c swap_duplicate() → __swap_duplicate(entry, 1) (declared as read at
 * torvalds/linux 0ec8bc9e880e; its body was not re-read). Model: a duplicate of a free entry is I11.
 */
export function swap_duplicate(t: Task, entry: string): void {
  const s = slotOf(t, entry);
  if (s.isFree()) bug(INV.I11, `swap_duplicate on free entry ${entry}`);
  s.count = s.count + 1;
}

/**
 * free_swap_and_cache_nr - zap of a swap PTE: drop the count, and if that was the last user and
 * a folio sits in the swap cache unmapped, trylock it and free the swap cache.
 * Kernel: mm/swapfile.c free_swap_and_cache_nr() → __swap_entries_free(), then for an entry
 * left with only SWAP_HAS_CACHE, __try_to_reclaim_swap(TTRS_UNMAPPED | TTRS_FULL) @ torvalds/linux 0ec8bc9e880e:
 * folio_trylock; need_reclaim if !folio_mapped(); folio_swapcache_freeable() (!writeback);
 * swap_is_has_cache(); delete_from_swap_cache(); folio_set_dirty().
 * Model: the lookup, trylock, checks, delete and unlock are one step.
 */
export function free_swap_and_cache_nr(t: Task, entry: string): void {
  const s = slotOf(t, entry);
  swap_free_nr(t, entry);
  if (s.count !== 0 || !s.has_cache) return;
  const name = s.cache;
  if (name === null) return;
  const f = t.k.lookup<Folio>(name, 'folio');
  if (f.lock.holder() !== -1 || folio_mapped(f) || f.writeback) return;
  // swap_is_has_cache(si, offset, nr): every entry of a large folio is left with only the cache
  if (f.nr > 1 && folio_swap_entries(t, f).some((e) => e.count !== 0)) return;
  delete_from_swap_cache(t, f);
  f.dirty = true; // folio_set_dirty(): the data now lives only in the folio
}

/**
 * folio_alloc_swap - allocate a swap slot for a folio and claim it (SWAP_HAS_CACHE).
 * Kernel: mm/swapfile.c folio_alloc_swap() (not re-read; declared at torvalds/linux 0ec8bc9e880e; in the tree of
 * AMDESE/linux-mm 74b0442a1c76 shrink_folio_list calls folio_alloc_swap(folio), which also adds
 * the folio to the swap cache).
 * Model: the lowest free slot, so entries are recycled deterministically (R17's ABA); the caller
 * adds it to the swap cache in the same step.
 */
export function folio_alloc_swap(t: Task, _f: Folio): SwapSlot | null {
  const slots = t.k.all(SwapSlot);
  if (_f.nr > 1) {
    // a large folio takes nr consecutive, naturally aligned entries (a cluster of its order)
    const byOffset = new Map(slots.map((s) => [swp_offset(s.name), s]));
    for (const s of slots) {
      const o = swp_offset(s.name);
      if (o % _f.nr !== 0) continue;
      const run = Array.from({ length: _f.nr }, (_, i) => byOffset.get(o + i));
      if (run.every((x) => x?.isFree())) {
        for (const x of run) (x as SwapSlot).has_cache = true;
        return s;
      }
    }
    return null;
  }
  for (const s of slots)
    if (s.isFree()) {
      s.has_cache = true;
      return s;
    }
  return null;
}

/**
 * swapcache_prepare - claim SWAP_HAS_CACHE for a swapin that bypasses or fills the swap cache.
 * Kernel: mm/swapfile.c swapcache_prepare() → __swap_duplicate(entry, SWAP_HAS_CACHE) (not
 * re-read; declared at torvalds/linux 0ec8bc9e880e, and its use in __read_swap_cache_async() as read at
 * torvalds/linux 014bb1de4fc1: "Swap entry may have been freed since our caller observed it";
 * -EEXIST loops). Returns true on -EEXIST.
 * Model: a free entry is misuse here (the caller checks it first, as get_swap_device does).
 */
export function swapcache_prepare(t: Task, entry: string): boolean {
  const s = slotOf(t, entry);
  if (s.count === 0 && !s.has_cache) throw new SimMisuse(`swapcache_prepare on free entry ${entry}`);
  const busy = s.has_cache;
  s.has_cache = true;
  return busy;
}

/**
 * put_swap_folio / swapcache_clear - drop SWAP_HAS_CACHE.
 * Kernel: mm/swapfile.c put_swap_folio() → __swap_entry_free_locked(si, offset, SWAP_HAS_CACHE)
 * @ torvalds/linux 0ec8bc9e880e. Model: one entry.
 */
export function put_swap_folio(t: Task, entry: string): void {
  const s = slotOf(t, entry);
  s.has_cache = false;
  maybeFree(t, s);
}
