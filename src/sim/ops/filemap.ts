import { bug } from '../../explorer/index.ts';
import { INV } from '../invariants/names.ts';
import type { Task } from '../kernel.ts';
import { type Folio, folio_mapped } from '../objects/folio.ts';
import type { AddressSpace } from '../objects/page_cache.ts';
import { mk_pte } from '../objects/page_table.ts';
import type { Vma } from '../objects/vma.ts';
import type { Op } from './op.ts';
import { folio_add_file_rmap_ptes } from './rmap.ts';
import { folio_put } from './swap.ts';

/**
 * mm/filemap.c: the page cache. Read at mainline v6.19+ (next_uptodate_folio as verified in the
 * catalog); seed 000 (the folio lock blocks !mapped → mapped). Rule R6.
 */

/**
 * filemap_map_pages - fault-around: map page-cache folios that are already uptodate, without
 * sleeping: under RCU, folio_try_get, folio_trylock, re-check the xarray slot (xas_reload), map.
 * Kernel: mm/filemap.c filemap_map_pages() → next_uptodate_folio() → filemap_map_folio_range()
 * → set_pte_range() @ v6.19+ [unverified: catalog's word, not re-read].
 * Model: one page (`addr` = file index, linear mapping); the lookup reference becomes the PTE's.
 * Variant: map_without_folio_lock (R6) skips folio_trylock.
 */
export function* filemap_map_pages(t: Task, vma: Vma, addr: number): Op {
  const as = vma.file as AddressSpace;
  const pt = vma.mm.pt;
  yield 'filemap_map_pages: rcu_read_lock(); next_uptodate_folio(): xas_find(); folio_try_get()';
  t.rcu.rcu_read_lock();
  const name = as.page(addr);
  if (name === null) return void t.rcu.rcu_read_unlock();
  const f = t.k.lookup<Folio>(name, 'folio');
  if (f.freed || f.refcount === 0) return void t.rcu.rcu_read_unlock();
  f.refcount = f.refcount + 1;
  const locking = !t.mutated('map_without_folio_lock');
  yield 'next_uptodate_folio: folio_trylock(); xas_reload()';
  if (locking && !f.lock.tryLock()) {
    folio_put(t, f);
    return void t.rcu.rcu_read_unlock();
  }
  if (as.page(addr) !== f.name) {
    if (locking) f.lock.release();
    folio_put(t, f);
    return void t.rcu.rcu_read_unlock();
  }
  yield pt.ptl.lock('filemap_map_pages: pte_offset_map_lock()');
  if (pt.get(addr).t === 'none') {
    folio_add_file_rmap_ptes(t, f);
    pt.set(addr, mk_pte(f.name, 0, false));
  } else folio_put(t, f);
  yield pt.ptl.unlock('filemap_map_pages: pte_unmap_unlock()');
  if (locking) yield f.lock.unlock('filemap_map_pages: folio_unlock(); rcu_read_unlock()');
  else yield 'filemap_map_pages: rcu_read_unlock()';
  t.rcu.rcu_read_unlock();
}

/**
 * filemap_remove_folio - remove a locked folio from the page cache; it must be unmapped
 * ("BUG: Bad page cache" in filemap_unaccount_folio otherwise: I3b).
 * Kernel: mm/filemap.c filemap_remove_folio() → __filemap_remove_folio() → page_cache_delete()
 * @ v6.19+ [unverified: catalog's word, not re-read] (folio->mapping = NULL; the cache's references are dropped by the caller).
 */
export function filemap_remove_folio(_t: Task, as: AddressSpace, index: number, f: Folio): void {
  if (folio_mapped(f))
    bug(INV.I3b, `filemap_remove_folio: ${f.name} is still mapped ("BUG: Bad page cache in process")`);
  as.setPage(index, null);
  f.mapping = null;
}
