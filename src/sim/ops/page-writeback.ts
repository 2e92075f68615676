import { INV } from '../invariants/names.ts';
import { guard, type Task } from '../kernel.ts';
import { assertLive, type Folio } from '../objects/folio.ts';
import type { AddressSpace } from '../objects/page_cache.ts';
import { tlbOf } from '../objects/tlb.ts';
import { lockAt, unlockAt } from '../sites.ts';
import type { Op } from './op.ts';
import { folio_mkclean } from './rmap.ts';

/**
 * mm/page-writeback.c: cleaning a dirty page-cache folio for writeback. Rule R19.
 */

/**
 * folio_clear_dirty_for_io - before writing a locked folio back: move the dirty bits of its
 * PTEs into the folio (folio_mkclean write-protects them), then test and clear the folio's dirty
 * flag; a true return means "write it".
 * Kernel: mm/page-writeback.c folio_clear_dirty_for_io() (VM_BUG_ON_FOLIO(!folio_test_locked);
 * for a mapping that can write back: "if (folio_mkclean(folio)) folio_mark_dirty(folio);" then
 * "if (folio_test_clear_dirty(folio)) { ... ret = true; }"), read in mainline-derived copies via
 * find_string (v6.x). Its comment: "We carefully synchronise fault handlers against installing a
 * dirty pte and marking the folio dirty at this point. We do this by having them hold the page
 * lock while dirtying the folio".
 * Model: no dirty accounting (NR_FILE_DIRTY, wb stats).
 * I22 guard: once folio_mkclean() returned, no CPU may still hold a writable TLB entry for the
 * folio (kernel-rules.md I22) — the rule R19 protects.
 */
export function* folio_clear_dirty_for_io(t: Task, f: Folio): Op<boolean> {
  if (f.lock.holder() !== t.k.current)
    guard(t.k, 'VM_BUG_ON_FOLIO', `folio_clear_dirty_for_io: ${f.name} not locked`);
  if ((yield* folio_mkclean(t, f)) > 0) f.dirty = true; // folio_mark_dirty
  const as = t.k.lookup<AddressSpace>(f.mapping ?? '', 'address_space');
  for (const vma of as.vmas) {
    const cpus = tlbOf(t.k, vma.mm.label);
    if (cpus?.kEntry.some((k) => cpus.mem.read(k) === f.name))
      guard(
        t.k,
        INV.I22,
        `folio_clear_dirty_for_io: folio_mkclean(${f.name}) returned while a CPU of ${vma.mm.label} still holds a writable TLB entry for it`,
      );
  }
  const was = f.dirty;
  f.dirty = false; // folio_test_clear_dirty
  return was;
}

/**
 * do_writepages - write one dirty page-cache folio back (a flusher thread, fsync, sync_file_range):
 * lock it, clean it for I/O, start writeback, unlock, write it to disk, end writeback.
 * Kernel: mm/page-writeback.c writeback_iter() → folio_prepare_writeback() (folio_lock by the
 * caller's iteration; "if (unlikely(folio->mapping != mapping))" and "if (!folio_test_dirty(folio))"
 * skip it; folio_wait_writeback;
 * "if (!folio_clear_dirty_for_io(folio)) return false"), then the filesystem's ->writepages
 * (folio_start_writeback(), folio_unlock(), submit; folio_end_writeback() at completion), read
 * in mainline-derived copies via find_string (v6.10+). Rule R19.
 * Model: one folio at `index`, looked up at setup time (the scenario never truncates it), so
 * the lookup's folio_get()/folio_batch_release() pair is left out; the I/O copies the folio's
 * content to the file's disk copy in one step after the clean (the device reads the page once),
 * with start and end of writeback and the folio_unlock() in that step (the kernel unlocks the
 * folio as the I/O starts: stores through a mapping do not take the folio lock, and a write fault
 * that does would find the folio clean and dirty it again either way); no writeback_control
 * ranges, no tagging, no folio_wait_stable().
 */
export function* do_writepages(t: Task, as: AddressSpace, index: number): Op {
  const name = as.mem.peekValue(as.kPages[index]) as string | null; // the lookup (see Model)
  if (name === null) return;
  const f = t.k.lookup<Folio>(name, 'folio');
  yield lockAt(
    t.k,
    'page-writeback.c:writeback_iter:folio_lock',
    f.lock,
    'writeback_iter: filemap_get_folios_tag(); folio_lock()',
  );
  assertLive(f, 'writeback_iter');
  // folio_prepare_writeback: the folio left the mapping, or is no longer dirty: skip it
  const write = as.page(index) === f.name && f.dirty;
  const dirty = write && (yield* folio_clear_dirty_for_io(t, f));
  if (!dirty) {
    yield unlockAt(
      t.k,
      'page-writeback.c:writeback_iter:folio_lock',
      f.lock,
      'writeback_iter: folio_unlock() (clean: nothing to write)',
    );
    return;
  }
  yield unlockAt(
    t.k,
    'page-writeback.c:writeback_iter:folio_lock',
    f.lock,
    'writepages: folio_start_writeback(); the device reads the page; folio_end_writeback(); folio_unlock()',
  );
  as.setDisk(index, f.content);
}
