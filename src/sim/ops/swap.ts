import { bug } from '../../explorer/index.ts';
import { INV } from '../invariants/names.ts';
import type { Task } from '../kernel.ts';
import { assertLive, type Folio, folio_mapcount } from '../objects/folio.ts';
import { mem_cgroup_uncharge } from './memcontrol.ts';

/**
 * folio_get - take a reference (the caller already has a stable one, or holds the PTL that
 * keeps a mapped folio alive).
 * Kernel: include/linux/mm.h folio_get() @ ColinIanKing/linux-next 012d57e6ee75 (a linux-next
 * tree): VM_BUG_ON_FOLIO(folio_ref_zero_or_close_to_overflow(folio), folio); folio_ref_inc()
 * ("as long as you know that you have a refcount on the folio").
 * Model: the zero-refcount VM_BUG_ON is assertLive (a folio at refcount 0 is freed here); no
 * overflow.
 */
export function folio_get(_t: Task, f: Folio): void {
  assertLive(f, 'folio_get');
  f.refcount = f.refcount + 1;
}

/**
 * folio_put - drop a reference; the last one frees the folio.
 * Kernel: include/linux/mm.h folio_put() @ ColinIanKing/linux-next 012d57e6ee75: "if
 * (folio_put_testzero(folio)) __folio_put(folio)".
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
 * Kernel: mm/swap.c __folio_put() @ CachyOS/linux 3bb379be9b84 (a recent mainline-based tree):
 * zone-device and hugetlb folios aside, page_cache_release() (off the LRU under the lruvec
 * lock); folio_unqueue_deferred_split(); mem_cgroup_uncharge(); free_frozen_pages();
 * mm/page_alloc.c __free_pages_prepare() →
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
 * that lruvec's lru_lock, found through folio_memcg()).
 * Kernel: mm/swap.c folio_add_lru() @ CachyOS/linux 3bb379be9b84: VM_BUG_ON_FOLIO(
 * folio_test_lru(folio), folio); folio_batch_add_and_move(folio, lru_add) (folio_get into the
 * per-CPU batch; folio_batch_move_lru: folio_lruvec_relock_irqsave, lru_add →
 * lruvec_add_folio, folio_set_lru; folios_put drops the batch's reference).
 * Model: the per-CPU batch is drained at once (no batch reference, no lru_add_drain);
 * `lruvec` records which memcg's list holds it (I10: it must stay folio_memcg()).
 */
export function folio_add_lru(_t: Task, f: Folio): void {
  if (f.lru) bug('VM_BUG_ON_FOLIO', `folio_add_lru: ${f.name} is already on the LRU (folio_test_lru)`);
  f.lru = true;
  f.lruvec = f.memcg;
}
