import { bug } from '../../explorer/index.ts';
import { INV } from '../invariants/names.ts';
import { SimMisuse, type Task } from '../kernel.ts';
import { assertLive, type Folio, folio_mapcount } from '../objects/folio.ts';
import type { Vma } from '../objects/vma.ts';
import { __folio_mod_stat } from './memcontrol.ts';

/**
 * Large (PTE-mapped) anon folios in rmap: include/linux/rmap.h's large mapcount helpers with the
 * MM-owner slots, and the large-folio branches of mm/rmap.c's __folio_add_rmap(),
 * __folio_remove_rmap(), folio_add_new_anon_rmap() and rmap.h's __folio_try_dup_anon_rmap(), in
 * both mapcount configs (Kernel.pageMapcount).
 *
 * Read: rmap.h folio_set_large_mapcount / folio_add_large_mapcount / folio_sub_large_mapcount in
 * David Hildenbrand's "[PATCH v3 12/20] mm/rmap: basic MM owner tracking for large folios
 * (!hugetlb)" (2025-03-03; CONFIG_MM_ID, selected by TRANSPARENT_HUGEPAGE); their _return_
 * variants and every CONFIG_NO_PAGE_MAPCOUNT branch in "[PATCH v2 20/20] mm: stop maintaining
 * the per-page mapcount of large folios (CONFIG_NO_PAGE_MAPCOUNT)" (2025-02-24); the
 * CONFIG_PAGE_MAPCOUNT branch of __folio_add_rmap as in v6.18 (gregkh/linux v6.18.38, quoted in
 * a stored article). The series' release is v6.15 (inferred from the posting dates and the April
 * 2025 fixes citing 1da190f4d0a6; not checked against a tag). _large_mapcount itself: v6.10
 * (kernel-rules.md R5, inferred).
 * Eras in the model: CONFIG_MM_ID is on in era 'today' only (Kernel.mmId); ScenarioOptions.mapcount
 * picks CONFIG_PAGE_MAPCOUNT ('per-page', default) or CONFIG_NO_PAGE_MAPCOUNT.
 * Model: logical counts (the kernel's -1 biases are left out), an MM id is the mm's name; the
 * mapcount bit spinlock (folio_lock_large_mapcount) is not a separate lock: every update is one
 * step of its caller, under the PTL; no PMD/entire mappings (ENTIRELY_MAPPED never set); no
 * 32-bit overflow handling; deferred_split_folio() (partially_mapped) is not modelled.
 */

function slotOf(f: Folio, mm: string): 0 | 1 | -1 {
  if (f.mmId(0) === mm) return 0;
  if (f.mmId(1) === mm) return 1;
  return -1;
}

function setSlot(f: Folio, idx: 0 | 1, mm: string | null, mapcount: number): void {
  f.mem.write(f.kMmId[idx], mm);
  f.mem.write(f.kMmIdMapcount[idx], mapcount);
}

function setShared(f: Folio, v: boolean): void {
  f.mem.write(f.kMmShared, v);
}

/**
 * folio_set_large_mapcount - a fresh large folio gets its first `mapcount` mappings, all from
 * `vma`'s mm: _large_mapcount and owner slot 0.
 * Kernel: include/linux/rmap.h folio_set_large_mapcount() (VM_WARN_ON_ONCE both slots
 * MM_ID_DUMMY; "Note: mapcounts start at -1."; atomic_set(&folio->_large_mapcount, mapcount - 1);
 * _mm_id_mapcount[0] = mapcount - 1; folio_set_mm_id(folio, 0, mm_id)).
 */
export function folio_set_large_mapcount(t: Task, f: Folio, mapcount: number, vma: Vma): void {
  f.mem.write(f.kLargeMap, mapcount);
  if (!t.k.mmId) return;
  if (f.mmId(0) !== null || f.mmId(1) !== null)
    bug('VM_WARN_ON_ONCE', `folio_set_large_mapcount: ${f.name} already has an MM owner`);
  setSlot(f, 0, vma.mm.name, mapcount);
}

/**
 * folio_add_return_large_mapcount - `diff` more mappings from `vma`'s mm: the owner slot of that
 * mm counts them, a free slot is taken, and "maybe mapped shared" is set once a second mm (or an
 * untracked third) maps the folio. Returns the new folio mapcount.
 * Kernel: include/linux/rmap.h folio_add_return_large_mapcount() (CONFIG_MM_ID): new_mapcount_val
 * = _large_mapcount + diff; slot 0 or 1 of this mm: += diff; else a free slot 0: take it, and
 * "We might have other mappings already" → FOLIO_MM_IDS_SHARED_BIT; else a free slot 1: take it,
 * "Slot 0 certainly has mappings as well" → shared; no free slot: only the shared bit stays.
 * Without CONFIG_MM_ID: atomic_add_return.
 */
export function folio_add_return_large_mapcount(t: Task, f: Folio, diff: number, vma: Vma): number {
  const before = f.large_mapcount;
  const now = before + diff;
  f.mem.write(f.kLargeMap, now);
  if (!t.k.mmId) return now;
  const mm = vma.mm.name;
  const idx = slotOf(f, mm);
  if (idx !== -1) setSlot(f, idx, mm, f.mmIdMapcount(idx) + diff);
  else if (f.mmId(0) === null) {
    setSlot(f, 0, mm, diff);
    if (before !== 0) setShared(f, true);
  } else if (f.mmId(1) === null) {
    setSlot(f, 1, mm, diff);
    setShared(f, true);
  } // a third mm is untracked: the bit is already set (slot 1 was taken by another mm)
  return now;
}

/**
 * folio_sub_return_large_mapcount - `diff` mappings of `vma`'s mm go away; a slot whose count
 * would go negative is freed ("valid corner cases where we might underflow a per-MM mapcount"),
 * and "If one MM slot owns all mappings, the folio is mapped exclusively" clears the shared bit.
 * Returns the new folio mapcount.
 * Kernel: include/linux/rmap.h folio_sub_return_large_mapcount() (CONFIG_MM_ID; "goto out" when
 * the slot's count stays >= 0 — the shared bit is then left as it is).
 */
export function folio_sub_return_large_mapcount(t: Task, f: Folio, diff: number, vma: Vma): number {
  const now = f.large_mapcount - diff;
  f.mem.write(f.kLargeMap, now);
  if (!t.k.mmId) return now;
  const idx = slotOf(f, vma.mm.name);
  if (idx !== -1) {
    const left = f.mmIdMapcount(idx) - diff;
    // the kernel's slot count is biased by -1: "still has mappings" is logical count >= 1
    if (left >= 1) {
      setSlot(f, idx, vma.mm.name, left);
      return now;
    }
    setSlot(f, idx, null, 0);
  }
  if (f.mmIdMapcount(0) === now || f.mmIdMapcount(1) === now) setShared(f, false);
  return now;
}

/**
 * folio_maybe_mapped_shared - might more than one mm map this folio?
 * Kernel: include/linux/mm.h folio_maybe_mapped_shared() (v6.15 series, read in its posting):
 * small folios: mapcount > 1; large: !CONFIG_MM_ID → true; "A single mapping implies mapped
 * exclusively" (mapcount <= 1 → false); else the FOLIO_MM_IDS_SHARED_BIT. Before it,
 * folio_likely_mapped_shared() (v6.10-era, read in its 2024-04 posting): mapcount <= 1 → false;
 * mapcount > nr → true; "Let's guess based on the first subpage": page 0 mapped more than once.
 */
export function folio_maybe_mapped_shared(t: Task, f: Folio): boolean {
  const mapcount = folio_mapcount(f);
  if (f.nr === 1) return mapcount > 1;
  if (mapcount <= 1) return false;
  if (t.k.mmId) return f.mm_ids_shared;
  if (mapcount > f.nr) return true;
  return f.pageMapcount(0) > 1; // folio_likely_mapped_shared, before CONFIG_MM_ID
}

/**
 * __folio_add_rmap (PGTABLE_LEVEL_PTE, large folio) - map `pages` of `f` into `vma`: returns nr,
 * the pages newly counted as mapped (the stat delta).
 * Kernel: mm/rmap.c __folio_add_rmap(): CONFIG_NO_PAGE_MAPCOUNT: nr =
 * folio_add_return_large_mapcount(); "Was completely unmapped" → all pages, else 0;
 * CONFIG_PAGE_MAPCOUNT: first += atomic_inc_and_test(&page->_mapcount) per page;
 * atomic_add_return_relaxed(first, &folio->_nr_pages_mapped); folio_add_large_mapcount().
 */
export function __folio_add_rmap_large(t: Task, f: Folio, pages: readonly number[], vma: Vma): number {
  assertLive(f, '__folio_add_rmap');
  if (!t.k.pageMapcount) {
    const nr = folio_add_return_large_mapcount(t, f, pages.length, vma);
    return nr === pages.length ? f.nr : 0;
  }
  let first = 0;
  for (const i of pages) {
    const m = f.pageMapcount(i) + 1;
    f.mem.write(f.kMap[i], m);
    if (m === 1) first++;
  }
  f.mem.write(f.kNrMapped, f.nr_pages_mapped + first);
  folio_add_return_large_mapcount(t, f, pages.length, vma);
  return first;
}

/**
 * __folio_remove_rmap (PGTABLE_LEVEL_PTE, large folio) - unmap `pages` of `f` from `vma`:
 * returns nr, the pages no longer counted as mapped.
 * Kernel: mm/rmap.c __folio_remove_rmap(): CONFIG_NO_PAGE_MAPCOUNT: nr =
 * folio_sub_return_large_mapcount(); "Now completely unmapped" → all pages, else 0;
 * CONFIG_PAGE_MAPCOUNT: folio_sub_large_mapcount(); last += atomic_add_negative(-1,
 * &page->_mapcount) per page; atomic_sub_return_relaxed(last, &folio->_nr_pages_mapped).
 * A per-page or folio mapcount below zero is "Bad page map" (I2).
 */
export function __folio_remove_rmap_large(t: Task, f: Folio, pages: readonly number[], vma: Vma): number {
  assertLive(f, '__folio_remove_rmap');
  if (f.large_mapcount - pages.length < 0)
    bug(INV.I2, `__folio_remove_rmap: ${f.name} _large_mapcount underflow ("Bad page map")`);
  if (!t.k.pageMapcount) {
    const nr = folio_sub_return_large_mapcount(t, f, pages.length, vma);
    return nr === 0 ? f.nr : 0;
  }
  folio_sub_return_large_mapcount(t, f, pages.length, vma);
  let last = 0;
  for (const i of pages) {
    const m = f.pageMapcount(i) - 1;
    if (m < 0) bug(INV.I2, `__folio_remove_rmap: ${f.name} page ${i} mapcount underflow ("Bad page map")`);
    f.mem.write(f.kMap[i], m);
    if (m === 0) last++;
  }
  f.mem.write(f.kNrMapped, f.nr_pages_mapped - last);
  return last;
}

/**
 * folio_add_new_anon_rmap (large folio, PTE-mapped) - the first mapping of every page of a
 * freshly allocated large anon folio, all in `vma`.
 * Kernel: mm/rmap.c folio_add_new_anon_rmap(): __folio_set_anon(); for each page:
 * CONFIG_PAGE_MAPCOUNT atomic_set(&page->_mapcount, 0), SetPageAnonExclusive if exclusive;
 * folio_set_large_mapcount(folio, nr, vma); CONFIG_PAGE_MAPCOUNT atomic_set(&_nr_pages_mapped,
 * nr); __folio_mod_stat(folio, nr, 0).
 */
export function folio_add_new_large_anon_rmap(t: Task, f: Folio, vma: Vma, exclusive: boolean): void {
  assertLive(f, 'folio_add_new_anon_rmap');
  if (vma.anon_vma === null) throw new SimMisuse(`${vma.name} has no anon_vma`);
  f.mapping = vma.anon_vma.name;
  for (let i = 0; i < f.nr; i++) {
    if (t.k.pageMapcount) f.mem.write(f.kMap[i], 1);
    f.setPageExclusive(i, exclusive);
  }
  folio_set_large_mapcount(t, f, f.nr, vma);
  if (t.k.pageMapcount) f.mem.write(f.kNrMapped, f.nr);
  __folio_mod_stat(t, f, f.nr);
}

/**
 * folio_try_dup_anon_rmap_ptes (large folio) - fork shares `pages` of `f` with the child `dst`:
 * clear PageAnonExclusive of each, count the child's mappings.
 * Kernel: include/linux/rmap.h __folio_try_dup_anon_rmap(..., RMAP_LEVEL_PTE): maybe_pinned =
 * folio_needs_cow_for_dma(); "if any page is PageAnonExclusive, we must fallback to copying if
 * the folio maybe pinned" (-EBUSY); then per page ClearPageAnonExclusive and (CONFIG_PAGE_MAPCOUNT)
 * atomic_inc(&page->_mapcount); folio_add_large_mapcount(folio, nr_pages, dst_vma) (read in the
 * v2 20/20 posting). Returns true on failure (-EBUSY).
 * Model: no FOLL_PIN in this model (folio_needs_cow_for_dma is false), so it never fails; the
 * R16 mutation fork_keeps_anon_exclusive keeps the bits as in the small-folio path.
 */
export function folio_try_dup_anon_rmap_ptes(t: Task, f: Folio, pages: readonly number[], dst: Vma): boolean {
  assertLive(f, 'folio_try_dup_anon_rmap_ptes');
  for (const i of pages) {
    if (!t.mutated('fork_keeps_anon_exclusive')) f.setPageExclusive(i, false);
    if (t.k.pageMapcount) f.mem.write(f.kMap[i], f.pageMapcount(i) + 1);
  }
  folio_add_return_large_mapcount(t, f, pages.length, dst);
  return false;
}

/**
 * folio_add_anon_rmap_ptes (large folio) - map `pages` of an existing large anon folio (swapin of
 * a large swap-cache folio).
 * Kernel: mm/rmap.c folio_add_anon_rmap_ptes() → __folio_add_anon_rmap(): nr =
 * __folio_add_rmap(); "if (flags & RMAP_EXCLUSIVE)" SetPageAnonExclusive for each page;
 * __folio_mod_stat(folio, nr, 0). Context: PTL and folio lock held (the caller's).
 */
export function folio_add_anon_rmap_ptes_large(
  t: Task,
  f: Folio,
  pages: readonly number[],
  vma: Vma,
  exclusive: boolean,
): void {
  const nr = __folio_add_rmap_large(t, f, pages, vma);
  if (exclusive) for (const i of pages) f.setPageExclusive(i, true);
  folio_mod_large_stat(t, f, nr);
}

/**
 * The stat side of the large rmap helpers: __folio_mod_stat(folio, ±nr, 0). Kept apart so the
 * callers in rmap.ts stay one line.
 */
export function folio_mod_large_stat(t: Task, f: Folio, nr: number): void {
  if (nr !== 0) __folio_mod_stat(t, f, nr);
}
