import type { Task } from '../kernel.ts';
import { type Folio, folio_mapped } from '../objects/folio.ts';
import type { AddressSpace } from '../objects/page_cache.ts';
import { lockAt, site, unlockAt } from '../sites.ts';
import { filemap_remove_folio } from './filemap.ts';
import { unmap_mapping_folio } from './memory.ts';
import type { Op } from './op.ts';
import { folio_put } from './swap.ts';

/**
 * truncate_inode_pages_range - truncate one page of a file: lock the folio, unmap it from every
 * VMA, remove it from the page cache, drop the cache's reference.
 * Kernel: mm/truncate.c truncate_inode_pages_range() @ ColinIanKing/linux-next 09d5a30ad434
 * (a linux-next tree): a nonblocking first pass — find_lock_entries() (folio_trylock: a locked
 * folio is skipped), truncate_cleanup_folio() ("if (folio_mapped(folio))
 * unmap_mapping_folio(folio)"), delete_from_page_cache_batch(), folio_unlock(),
 * folio_batch_release() — then a blocking pass: find_get_entries(), folio_lock(),
 * folio_wait_writeback(), truncate_inode_folio() ("if (folio->mapping != mapping) return -EIO";
 * truncate_cleanup_folio(); filemap_remove_folio()), folio_unlock(). filemap_remove_folio was
 * read at AMDESE/linux-mm 52d8a0f2fb6d. Rule R6 (seed 000).
 * Model: one page, one pass with a blocking folio_lock (the folio the first pass would skip is
 * the one the second pass waits for; the labels keep the first pass's names); the page cache's
 * reference is dropped with the removal (filemap_free_folio), the lookup's after the unlock;
 * i_rwsem / invalidate_lock, partial folios and writeback are not modelled (faults here do not
 * read pages in).
 */
export function* truncate_inode_pages_range(t: Task, as: AddressSpace, index: number): Op {
  yield 'truncate_inode_pages_range: find_lock_entries(): folio_try_get()';
  const name = as.page(index);
  if (name === null) return;
  const f = t.k.lookup<Folio>(name, 'folio');
  f.refcount = f.refcount + 1;
  yield lockAt(
    t.k,
    'truncate.c:truncate_inode_pages_range:folio_lock',
    f.lock,
    'truncate_inode_pages_range: folio_lock()',
  );
  if (site(t.k, 'truncate.c:truncate_inode_pages_range:recheck_mapping') && as.page(index) !== f.name) {
    yield unlockAt(
      t.k,
      'truncate.c:truncate_inode_pages_range:folio_lock',
      f.lock,
      'truncate_inode_pages_range: folio_unlock() (truncated meanwhile)',
    );
    yield 'truncate_inode_pages_range: folio_put()';
    folio_put(t, f);
    return;
  }
  yield 'truncate_cleanup_folio: folio_mapped()';
  if (folio_mapped(f)) yield* unmap_mapping_folio(t, f);
  yield 'truncate_inode_folio: filemap_remove_folio()';
  filemap_remove_folio(t, as, index, f);
  folio_put(t, f); // the page cache's reference
  yield unlockAt(
    t.k,
    'truncate.c:truncate_inode_pages_range:folio_lock',
    f.lock,
    'truncate_inode_pages_range: folio_unlock()',
  );
  yield 'truncate_inode_pages_range: folio_put()';
  folio_put(t, f);
}
