import { bug } from '../../explorer/index.ts';
import { INV } from '../invariants/names.ts';
import type { Task } from '../kernel.ts';
import type { Folio } from '../objects/folio.ts';
import { swapInfo } from '../objects/swap_info.ts';
import { releaseAt } from '../sites.ts';
import type { Op } from './op.ts';
import { slotOf } from './swapfile.ts';

/**
 * mm/page_io.c: writing swap-cache folios to the swap device. Rule R21.
 */

/**
 * swap_writeout - write a locked, unmapped swap-cache folio (already cleaned for I/O) to a
 * swap device that needs stable pages: start writeback, unlock the folio, let the device read
 * it, end writeback.
 * Kernel: mm/page_io.c swap_writeout() → __swap_writepage() → swap_writepage_bdev_sync():
 * "folio_start_writeback(folio); folio_unlock(folio); submit_bio_wait(&bio);
 * __end_swap_bio_write(&bio);" (read in mainline-derived copies via find_string, v6.12+ naming;
 * the async and fs paths also start writeback and unlock before the I/O). The device is the zram
 * of f05714293a59 "mm: support anonymous stable page" (Minchan Kim, 2017; its cover letter, as
 * quoted in kernel-rules.md R21): with per-cpu streams zram may compress a page twice, after a
 * failed allocation, and "assumes the data should never be changed ... If the data is changed
 * under us, zram can make buffer overrun because second compression size could be bigger ...
 * The overrun breaks zsmalloc free object chaining so system goes crash".
 * Model: zram as that cover letter describes it (today's zram was not re-read): it reads the page
 * for a first compression, then again for a second one; compressed sizes are not modelled, so any
 * change in between counts as the overrun (I23, the harm). The write is synchronous
 * (SWP_SYNCHRONOUS_IO: submit_bio processes it), with the folio unlocked throughout.
 */
export function* swap_writeout(t: Task, f: Folio): Op {
  const entry = f.swap as string;
  yield 'swap_writepage_bdev_sync: folio_start_writeback(); folio_unlock()';
  f.mem.write(f.kWriteback, true);
  releaseAt(t.k, 'vmscan.c:shrink_folio_list:folio_trylock', f.lock); // shrink_folio_list's lock
  yield 'zram_write_page: zcomp_compress() (first pass)';
  const first = f.content;
  yield 'zram_write_page: allocation failed; zcomp_compress() again (second pass)';
  if (f.content !== first && swapInfo(t.k)?.stableWrites)
    bug(
      INV.I23,
      `zram_write_page: ${f.name} changed under writeback (${first} → ${f.content}) on a SWP_STABLE_WRITES device: the second compression overruns the buffer sized by the first and corrupts zsmalloc`,
    );
  slotOf(t, entry).data = f.content;
  yield '__end_swap_bio_write: folio_end_writeback()';
  f.mem.write(f.kWriteback, false);
}
