import type { Task } from '../kernel.ts';
import { type Folio, folio_mapped } from '../objects/folio.ts';
import type { AddressSpace } from '../objects/page_cache.ts';
import { filemap_remove_folio } from './filemap.ts';
import { unmap_mapping_folio } from './memory.ts';
import type { Op } from './op.ts';
import { folio_put } from './swap.ts';

/**
 * truncate_inode_pages_range - truncate one page of a file: lock the folio, unmap it from every
 * VMA, remove it from the page cache, drop the cache's reference.
 * Kernel: mm/truncate.c truncate_inode_pages_range() → find_lock_entries() →
 * truncate_inode_folio() → truncate_cleanup_folio() (unmap_mapping_folio if folio_mapped) →
 * filemap_remove_folio() @ v6.19+ [unverified: mm/truncate.c not re-read — the index's torvalds/linux
 * copy is a much older tree and AMDESE/linux-mm holds no truncate.c; filemap_remove_folio itself
 * was read at AMDESE/linux-mm 52d8a0f2fb6d]. Rule R6 (seed 000).
 * Model: i_rwsem / invalidate_lock are not modelled (faults here do not read pages in).
 */
export function* truncate_inode_pages_range(t: Task, as: AddressSpace, index: number): Op {
  yield 'truncate_inode_pages_range: find_lock_entries(): folio_try_get()';
  const name = as.page(index);
  if (name === null) return;
  const f = t.k.lookup<Folio>(name, 'folio');
  f.refcount = f.refcount + 1;
  yield f.lock.lock('truncate_inode_pages_range: folio_lock()');
  if (as.page(index) !== f.name) {
    yield f.lock.unlock('truncate_inode_pages_range: folio_unlock() (truncated meanwhile)');
    yield 'truncate_inode_pages_range: folio_put()';
    folio_put(t, f);
    return;
  }
  yield 'truncate_cleanup_folio: folio_mapped()';
  if (folio_mapped(f)) yield* unmap_mapping_folio(t, f);
  yield 'truncate_inode_folio: filemap_remove_folio()';
  filemap_remove_folio(t, as, index, f);
  folio_put(t, f); // the page cache's reference
  yield f.lock.unlock('truncate_inode_pages_range: folio_unlock()');
  yield 'truncate_inode_pages_range: folio_put()';
  folio_put(t, f);
}
