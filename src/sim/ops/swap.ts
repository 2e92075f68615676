import { bug } from '../../explorer/index.ts';
import { INV } from '../invariants/names.ts';
import type { Task } from '../kernel.ts';
import { assertLive, type Folio, folio_mapcount } from '../objects/folio.ts';
import { mem_cgroup_uncharge } from './memcontrol.ts';

/**
 * folio_get - take a reference (the caller already has a stable one, or holds the PTL that
 * keeps a mapped folio alive).
 * Kernel: include/linux/mm.h folio_get() @ v6.19+ [unverified: catalog's word, not re-read in the 2025 faithfulness pass (time)].
 */
export function folio_get(_t: Task, f: Folio): void {
  assertLive(f, 'folio_get');
  f.refcount = f.refcount + 1;
}

/**
 * folio_put - drop a reference; the last one frees the folio.
 * Kernel: include/linux/mm.h folio_put() → mm/swap.c __folio_put() @ v6.19+ [unverified: catalog's word, not re-read in the 2025 faithfulness pass (time)].
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
 * Kernel: mm/swap.c __folio_put() → mem_cgroup_uncharge() → free_frozen_pages(), and
 * mm/page_alloc.c free_page_is_bad() ("Bad page state") @ v6.19+ [unverified: catalog's word, not re-read in the 2025 faithfulness pass (time)]; seed 002 (uncharge "after the
 * final put_page()"), seed 004 ("nonzero subpages_mapcount").
 * Model: page_cache_release() takes the folio off the LRU in the same step.
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
 * that lruvec's lru_lock, found through folio_memcg()). Kernel: mm/swap.c folio_add_lru() @ v6.19+ [unverified: catalog's word, not re-read in the 2025 faithfulness pass (time)].
 * Model: `lruvec` records which memcg's list holds it (I10: it must stay folio_memcg()).
 */
export function folio_add_lru(_t: Task, f: Folio): void {
  f.lru = true;
  f.lruvec = f.memcg;
}
