import { bug } from '../../explorer/index.ts';
import { INV } from '../invariants/names.ts';
import type { Task } from '../kernel.ts';
import { assertLive, type Folio, folio_mapcount } from '../objects/folio.ts';
import { mem_cgroup_uncharge } from './memcontrol.ts';

/**
 * folio_get - take a reference (the caller already has a stable one, or holds the PTL that
 * keeps a mapped folio alive).
 * Kernel: include/linux/mm.h folio_get() @ v6.19+ (VM_BUG_ON_FOLIO(folio_ref_zero_or_close_to_overflow);
 * folio_ref_inc) [unverified: only seen in mailing-list patches, not in an indexed recent tree —
 * AMDESE/linux-mm has include/linux/mm.h 949a0bfb3a50, not read (time)].
 * Model: the zero-refcount VM_BUG_ON is assertLive (a folio at refcount 0 is freed here).
 */
export function folio_get(_t: Task, f: Folio): void {
  assertLive(f, 'folio_get');
  f.refcount = f.refcount + 1;
}

/**
 * folio_put - drop a reference; the last one frees the folio.
 * Kernel: include/linux/mm.h folio_put() (if (folio_put_testzero(folio)) __folio_put(folio)) @
 * v6.19+ [unverified: seen only in patches; torvalds/linux mm/swap.c in the index is a 2015 tree
 * (00501b531c47), recent mm/swap.c is not indexed].
 * Model: the refcount update and, at zero, the whole free run in the caller's step.
 */
export function folio_put(t: Task, f: Folio): void {
  assertLive(f, 'folio_put');
  const r = f.refcount - 1;
  if (r < 0) bug(INV.I1, `folio_put: ${f.name} refcount underflow`);
  f.refcount = r;
  if (r === 0) __folio_put(t, f);
}

/**
 * __folio_put - free a folio whose refcount reached zero: uncharge, then the free-time checks.
 * Kernel: mm/swap.c __folio_put() (page_cache_release; folio_unqueue_deferred_split;
 * mem_cgroup_uncharge; free_frozen_pages) @ v6.19+ [unverified: order seen only in patch context
 * for mm/swap.c, no recent tree indexed]; mm/page_alloc.c __free_pages_prepare() →
 * free_tail_page_prepare() ("nonzero large_mapcount", "nonzero nr_pages_mapped", "nonzero
 * entire_mapcount") and free_page_is_bad() → page_bad_reason() ("nonzero mapcount", "non-NULL
 * mapping", "nonzero _refcount", "page still charged to cgroup"; an anon folio's mapping is
 * cleared first) @ AMDESE/linux-mm a2d274ac26d2; seed 002 (uncharge "after the final
 * put_page()"), seed 004 ("nonzero subpages_mapcount", the name before _nr_pages_mapped).
 * Model: page_cache_release() takes the folio off the LRU in the same step; the mapcount checks
 * run before the uncharge (a violation stops the run, so the order is not observable); "freed
 * while in the swap cache" is a model check (the swap cache holds references), and
 * PAGE_FLAGS_CHECK_AT_FREE (locked, writeback) is not checked.
 */
export function __folio_put(t: Task, f: Folio): void {
  if (f.nr > 1) {
    if (f.large_mapcount !== 0 || f.nr_pages_mapped !== 0 || f.entire_mapcount !== 0)
      bug(
        INV.I16,
        `Bad page state: ${f.name} freed with nonzero large mapcounts (large_mapcount ${f.large_mapcount}, nr_pages_mapped ${f.nr_pages_mapped}): "page dumped because: nonzero subpages_mapcount"`,
      );
    for (let i = 0; i < f.nr; i++)
      if (f.pageMapcount(i) !== 0) bug(INV.I3, `Bad page state: ${f.name} page ${i} freed while mapped`);
  } else if (folio_mapcount(f) !== 0)
    bug(INV.I3, `Bad page state: ${f.name} freed while mapped (nonzero mapcount)`);
  if (f.swapcache) bug(INV.I3, `Bad page state: ${f.name} freed while in the swap cache`);
  if (f.lru) f.lru = false; // page_cache_release(): lruvec_del_folio
  mem_cgroup_uncharge(t, f);
  f.mapping = null;
  f.freed = true;
}

/**
 * folio_add_lru / lruvec_add_folio - put a folio on the LRU list of its memcg's lruvec (under
 * that lruvec's lru_lock, found through folio_memcg()). Kernel: mm/swap.c folio_add_lru() @ v6.19+
 * [unverified: no recent mm/swap.c in the index (torvalds/linux copy is a 2015 tree)].
 * Model: `lruvec` records which memcg's list holds it (I10: it must stay folio_memcg()).
 */
export function folio_add_lru(_t: Task, f: Folio): void {
  f.lru = true;
  f.lruvec = f.memcg;
}
