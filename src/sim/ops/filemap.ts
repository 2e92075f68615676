import { bug } from '../../explorer/index.ts';
import { INV } from '../invariants/names.ts';
import type { Task } from '../kernel.ts';
import { type Folio, folio_mapped, folio_test_locked } from '../objects/folio.ts';
import type { AddressSpace } from '../objects/page_cache.ts';
import { mk_pte } from '../objects/page_table.ts';
import type { Vma } from '../objects/vma.ts';
import { lockAt, site, unlockAt } from '../sites.ts';
import type { Op } from './op.ts';
import { folio_add_file_rmap_ptes } from './rmap.ts';
import { folio_put } from './swap.ts';

/**
 * mm/filemap.c: the page cache. Read at AMDESE/linux-mm 52d8a0f2fb6d (mainline after v6.18):
 * next_uptodate_folio, filemap_map_folio_range, filemap_map_order0_folio, filemap_map_pages,
 * page_cache_delete, filemap_unaccount_folio, filemap_remove_folio. Seed 000 (the folio lock
 * blocks !mapped → mapped). Rule R6.
 */

/** filemap.c:filemap_map_pages:rcu elided: a read section that is none. */
const NO_RCU = { rcu_read_lock(): void {}, rcu_read_unlock(): void {} };

/**
 * filemap_map_pages - fault-around: map page-cache folios that are already uptodate, without
 * sleeping: under RCU, folio_try_get, folio_trylock, re-check the folio is still this file's, map.
 * Kernel: mm/filemap.c filemap_map_pages() → next_uptodate_folio() (folio_try_get; skip if
 * folio_test_locked or folio != xas_reload(xas); folio_trylock; "if (folio->mapping != mapping)
 * goto unlock") → filemap_map_order0_folio() (pte_none → set_pte_range; folio_ref_inc), then
 * "folio_unlock(folio); folio_put(folio)" inside the PTL section, before pte_unmap_unlock()
 * @ AMDESE/linux-mm 52d8a0f2fb6d. Seed 000. Rule R6.
 * Model: one small folio, one page (`addr` = file index, linear mapping); all folios are
 * uptodate, no readahead flag, no i_size check, no PMD mapping; the lookup reference becomes the
 * PTE's (the kernel's folio_ref_inc + folio_put in the same PTL section); the xas_reload and
 * folio->mapping re-checks are one re-check of the page-cache slot after the trylock.
 * Variant: map_without_folio_lock (R6) skips folio_trylock.
 */
export function* filemap_map_pages(t: Task, vma: Vma, addr: number): Op {
  const as = vma.file as AddressSpace;
  const pt = vma.mm.pt;
  const rcu = site(t.k, 'filemap.c:filemap_map_pages:rcu') ? t.rcu : NO_RCU;
  yield 'filemap_map_pages: rcu_read_lock(); next_uptodate_folio(): xas_find(); folio_try_get()';
  rcu.rcu_read_lock();
  const name = as.page(addr);
  if (name === null) return void rcu.rcu_read_unlock();
  const f = t.k.lookup<Folio>(name, 'folio');
  if (f.freed || f.refcount === 0) return void rcu.rcu_read_unlock();
  f.refcount = f.refcount + 1;
  const locking =
    site(t.k, 'filemap.c:filemap_map_pages:folio_trylock') && !t.mutated('map_without_folio_lock');
  yield 'next_uptodate_folio: folio_trylock(); xas_reload()';
  if (locking && !f.lock.tryLock()) {
    folio_put(t, f);
    return void rcu.rcu_read_unlock();
  }
  if (site(t.k, 'filemap.c:next_uptodate_folio:recheck_mapping') && as.page(addr) !== f.name) {
    if (locking) f.lock.release();
    folio_put(t, f);
    return void rcu.rcu_read_unlock();
  }
  yield lockAt(t.k, 'filemap.c:filemap_map_pages:ptl', pt.ptl, 'filemap_map_pages: pte_offset_map_lock()');
  if (pt.get(addr).t === 'none') {
    folio_add_file_rmap_ptes(t, f); // set_pte_range()
    pt.set(addr, mk_pte(f.name, 0, false));
  } else folio_put(t, f);
  // the kernel unlocks (and puts) the folio while it still holds the PTL
  if (locking) yield f.lock.unlock('filemap_map_pages: folio_unlock(); folio_put()');
  yield unlockAt(
    t.k,
    'filemap.c:filemap_map_pages:ptl',
    pt.ptl,
    'filemap_map_pages: pte_unmap_unlock(); rcu_read_unlock()',
  );
  rcu.rcu_read_unlock();
}

/**
 * filemap_remove_folio - remove a locked folio from the page cache; it must be unmapped
 * ("BUG: Bad page cache" in filemap_unaccount_folio otherwise: I3b).
 * Kernel: mm/filemap.c filemap_remove_folio() ("BUG_ON(!folio_test_locked(folio))"; i_lock,
 * xa_lock_irq) → __filemap_remove_folio() → filemap_unaccount_folio()
 * (VM_BUG_ON_FOLIO(folio_mapped(folio))) → page_cache_delete() (xas_store; folio->mapping =
 * NULL), then filemap_free_folio() (folio_put_refs of the cache's references)
 * @ AMDESE/linux-mm 52d8a0f2fb6d. Seed 000. Rule R6.
 * Model: the cache's reference is dropped by the caller (truncate_inode_folio's folio_put right
 * after), not here; i_lock / xa_lock are not modelled (the removal is one step); no shadow entry.
 */
export function filemap_remove_folio(_t: Task, as: AddressSpace, index: number, f: Folio): void {
  if (!folio_test_locked(f)) bug('BUG_ON', `filemap_remove_folio: BUG_ON(!folio_test_locked(${f.name}))`);
  if (folio_mapped(f))
    bug(INV.I3b, `filemap_remove_folio: ${f.name} is still mapped ("BUG: Bad page cache in process")`);
  as.setPage(index, null);
  f.mapping = null;
}
