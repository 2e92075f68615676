import { bug } from '../../explorer/index.ts';
import { INV } from '../invariants/names.ts';
import type { Task } from '../kernel.ts';
import type { Folio } from '../objects/folio.ts';
import type { MmStruct } from '../objects/mm_struct.ts';
import type { Op } from './op.ts';
import { folio_get, folio_put } from './swap.ts';

/**
 * A GUP reference held by a task (vmsplice into a pipe), and the data it must read: the content
 * the pinning process saw when it took the reference (cow.c "vmsplice() + unmap in child").
 */
export interface GupRef {
  readonly folio: Folio;
  readonly expect: number | null;
  readonly mm: MmStruct;
  /** The page of the folio the reference was taken on (a large folio's subpage). */
  readonly page?: number;
}

/**
 * get_user_pages (FOLL_GET, read) - take a reference on the folio mapped at `addr`.
 * Kernel: mm/gup.c follow_page_pte() @ CachyOS/linux 055d1afdaf9b (a v6.1-era tree):
 * pte_offset_map_lock(); "if (!pte_present(pte)) goto no_page" (NULL: __get_user_pages then
 * faults it in); vm_normal_page(); FOLL_WRITE needs can_follow_write_pte(); gup_must_unshare()
 * → -EMLINK for FOLL_PIN on a shared anon page; try_grab_page(page, flags) (FOLL_GET:
 * a folio reference); pte_unmap_unlock(). Later trees name it try_grab_folio().
 * Model: a read GUP; the page must be present (no fault-in: null); FOLL_PIN /
 * FAULT_FLAG_UNSHARE are not used: a FOLL_GET reference is what vmsplice took in
 * CVE-2020-29374 (seed: cow.c "vmsplice() + unmap in child").
 */
export function* get_user_pages(t: Task, mm: MmStruct, addr: number): Op<GupRef | null> {
  const pt = mm.pt;
  yield pt.ptl.lock('follow_page_pte: pte_offset_map_lock()');
  const p = pt.get(addr);
  let ref: GupRef | null = null;
  if (p.t === 'present') {
    const f = t.k.lookup<Folio>(p.folio, 'folio');
    folio_get(t, f);
    ref = { folio: f, expect: mm.expect(addr), mm, page: p.page };
  }
  yield pt.ptl.unlock('follow_page_pte: pte_unmap_unlock()');
  return ref;
}

/** Read the data through a GUP reference (the pipe's reader), then drop it (put_page). */
export function* read_gup_ref(t: Task, ref: GupRef): Op<number> {
  yield `pipe read through the GUP reference of ${ref.mm.label}`;
  const v = ref.folio.pageContent(ref.page ?? 0);
  if (ref.expect !== null && v !== ref.expect)
    bug(
      INV.I13,
      `${ref.mm.label} reads ${v} through its GUP reference, but its data is ${ref.expect}: "Leak from parent into child"`,
    );
  folio_put(t, ref.folio);
  return v;
}
