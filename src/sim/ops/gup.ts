import { bug } from '../../explorer/index.ts';
import { INV } from '../invariants/names.ts';
import { guard, SimMisuse, type Task } from '../kernel.ts';
import { assertLive, type Folio, GUP_PIN_COUNTING_BIAS } from '../objects/folio.ts';
import type { MmStruct } from '../objects/mm_struct.ts';
import { type Pte, pte_same } from '../objects/page_table.ts';
import type { Vma } from '../objects/vma.ts';
import { lockAt, unlockAt } from '../sites.ts';
import { handle_mm_fault } from './memory.ts';
import type { Op } from './op.ts';
import { __folio_put, folio_get, folio_put } from './swap.ts';

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
 * Model: a read GUP; the page must be present (no fault-in: null): a FOLL_GET reference is what
 * vmsplice took in CVE-2020-29374 (seed: cow.c "vmsplice() + unmap in child"). The rule
 * scenarios (t.gup) use this short form; the full GUP — fault-in, FOLL_PIN, FOLL_WRITE,
 * FOLL_LONGTERM, unsharing, GUP-fast — is gup_one() below (t.get_user_pages / t.pin_user_pages).
 */
export function* get_user_pages(t: Task, mm: MmStruct, addr: number): Op<GupRef | null> {
  const pt = mm.pt;
  yield lockAt(t.k, 'gup.c:follow_page_pte:ptl', pt.ptl, 'follow_page_pte: pte_offset_map_lock()');
  const p = pt.get(addr);
  let ref: GupRef | null = null;
  if (p.t === 'present') {
    const f = t.k.lookup<Folio>(p.folio, 'folio');
    folio_get(t, f);
    ref = { folio: f, expect: mm.expect(addr), mm, page: p.page };
  }
  yield unlockAt(t.k, 'gup.c:follow_page_pte:ptl', pt.ptl, 'follow_page_pte: pte_unmap_unlock()');
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

// --- GUP as mm/gup.c has it: FOLL_GET / FOLL_PIN, FOLL_WRITE, FOLL_LONGTERM, unsharing --------

/**
 * The FOLL_* flags of a GUP call. FOLL_GET or FOLL_PIN (`pin`), never both; FOLL_WRITE
 * (`write`); FOLL_LONGTERM (`longterm`, only with FOLL_PIN); `fast` picks the GUP-fast entry
 * (get_user_pages_fast / pin_user_pages_fast: gup_fast_fallback) instead of the slow one.
 */
export interface GupFlags {
  readonly pin?: boolean;
  readonly write?: boolean;
  readonly longterm?: boolean;
  readonly fast?: boolean;
}

/** A page GUP grabbed: the folio and page, how it was grabbed, and who grabbed it where. */
export interface GupPage {
  readonly folio: Folio;
  readonly page: number;
  readonly flags: GupFlags;
  readonly mm: MmStruct;
  readonly addr: number;
  /** The data the page held when GUP returned it (what a pipe reader of vmsplice must see). */
  readonly snapshot: number;
}

/**
 * gup_must_unshare - must GUP unshare this R/O-mapped page before pinning it?
 * Kernel: mm/internal.h gup_must_unshare() (read in a mainline-derived copy, CONFIG_HAVE_GUP_FAST
 * era): "if ((flags & (FOLL_WRITE | FOLL_PIN)) != FOLL_PIN) return false"; a !PageAnon page only
 * with FOLL_LONGTERM in a COW mapping (vma NULL from GUP-fast: true, fall back to the slow path);
 * an anon page: "return !PageAnonExclusive(page)" ("PageKsm() pages cannot be exclusive").
 * `page` is the page of the folio (a large folio's PageAnonExclusive is per page).
 * Variant: pin_without_unshare — R/O pins of shared anon pages are taken without unsharing.
 */
export function gup_must_unshare(t: Task, vma: Vma | null, flags: GupFlags, f: Folio, page = 0): boolean {
  if (!flags.pin || flags.write) return false;
  if (!f.anon) {
    if (!flags.longterm) return false;
    if (vma === null) return true;
    return !vma.shared; // is_cow_mapping(): private and may write (file VMAs here are VM_SHARED)
  }
  if (t.mutated('pin_without_unshare')) return false;
  return !f.pageExclusive(page);
}

/**
 * try_grab_folio - take the reference a GUP flag asks for: FOLL_GET one, FOLL_PIN a pin.
 * Kernel: mm/gup.c try_grab_folio() @ ColinIanKing/linux-next 02c39c227190: "if
 * (WARN_ON_ONCE(folio_ref_count(folio) <= 0)) return -ENOMEM"; FOLL_GET folio_ref_add(refs);
 * FOLL_PIN: "Increment the normal page refcount field at least once, so that the page really
 * is pinned": with _pincount (large folios) ref + pincount, else refs * GUP_PIN_COUNTING_BIAS.
 * Returns false on failure. Model: no zero page, no P2PDMA, no NR_FOLL_PIN_ACQUIRED stat.
 * Large folios (folio_has_pincount(): folio_test_large() on 64-bit), re-read in mm/gup.c
 * try_grab_folio() @ v6.18 (gregkh/linux v6.18.38 via the search tool): "if
 * (folio_has_pincount(folio)) { folio_ref_add(folio, refs); atomic_add(refs,
 * &folio->_pincount); }" — one reference and one pin count per pin.
 */
export function try_grab_folio(_t: Task, f: Folio, flags: GupFlags): boolean {
  if (f.freed || f.refcount <= 0) return false;
  if (!flags.pin) {
    f.refcount = f.refcount + 1;
    return true;
  }
  if (f.nr > 1) {
    f.refcount = f.refcount + 1;
    f.pincount = f.pincount + 1;
    return true;
  }
  f.refcount = f.refcount + GUP_PIN_COUNTING_BIAS;
  return true;
}

/**
 * gup_put_folio - drop what try_grab_folio took (FOLL_PIN: a pin, the refcount bias).
 * Kernel: mm/gup.c gup_put_folio() @ ColinIanKing/linux-next 02c39c227190 ("refs *=
 * GUP_PIN_COUNTING_BIAS" without _pincount; folio_put_refs()); include/linux/mm.h
 * folio_put_refs(): "if (folio_ref_sub_and_test(folio, refs)) __folio_put(folio)". A large
 * folio (@ v6.18): "if (folio_has_pincount(folio)) atomic_sub(refs, &folio->_pincount); else
 * refs *= GUP_PIN_COUNTING_BIAS" — one pin count and one reference.
 */
export function gup_put_folio(t: Task, f: Folio, flags: GupFlags): void {
  assertLive(f, 'gup_put_folio');
  if (flags.pin && f.nr > 1) {
    if (f.pincount <= 0)
      bug(INV.I1, `gup_put_folio: ${f.name} _pincount underflow (an unpin without a pin?)`);
    f.pincount = f.pincount - 1;
  }
  const refs = flags.pin && f.nr === 1 ? GUP_PIN_COUNTING_BIAS : 1;
  const r = f.refcount - refs;
  if (r < 0) bug(INV.I1, `gup_put_folio: ${f.name} refcount underflow (an unpin without a pin?)`);
  f.refcount = r;
  if (r === 0) __folio_put(t, f);
}

/**
 * follow_page_pte - look the page up under the PTL and grab it, or say why not.
 * Kernel: mm/gup.c follow_page_pte() @ ColinIanKing/linux-next 02c39c227190:
 * pte_offset_map_lock(); "if (!pte_present(pte)) goto no_page" (NULL: fault it in); FOLL_WRITE
 * and "!can_follow_write_pte()" → NULL (a write fault first); "if (!pte_write(pte) &&
 * gup_must_unshare(vma, flags, page)) page = ERR_PTR(-EMLINK)" (an unshare fault first);
 * VM_BUG_ON_PAGE((flags & FOLL_PIN) && PageAnon(page) && !PageAnonExclusive(page));
 * try_grab_folio(); pte_unmap_unlock().
 * Model: no FOLL_FORCE (can_follow_write_pte is pte_write), no FOLL_TOUCH (accessed/dirty bits
 * are not modelled), no zero page, no devmap; the PTL section is one step.
 */
export function* follow_page_pte(
  t: Task,
  vma: Vma,
  addr: number,
  flags: GupFlags,
): Op<GupPage | 'NOPAGE' | 'EMLINK' | 'ENOMEM'> {
  const mm = vma.mm;
  const pt = mm.pt;
  yield lockAt(t.k, 'gup.c:follow_page_pte:ptl', pt.ptl, 'follow_page_pte: pte_offset_map_lock()');
  const p = pt.get(addr);
  let ret: GupPage | 'NOPAGE' | 'EMLINK' | 'ENOMEM' = 'NOPAGE';
  if (p.t === 'present' && (!flags.write || p.write)) {
    const f = t.k.lookup<Folio>(p.folio, 'folio');
    if (!p.write && gup_must_unshare(t, vma, flags, f, p.page)) ret = 'EMLINK';
    else {
      if (flags.pin && f.anon && !f.pageExclusive(p.page))
        guard(
          t.k,
          'VM_BUG_ON_PAGE',
          `follow_page_pte: FOLL_PIN of ${f.name} page ${p.page}, which is not PageAnonExclusive`,
        );
      if (try_grab_folio(t, f, flags))
        ret = { folio: f, page: p.page, flags, mm, addr, snapshot: f.pageContent(p.page) };
      else ret = 'ENOMEM';
    }
  }
  yield unlockAt(t.k, 'gup.c:follow_page_pte:ptl', pt.ptl, 'follow_page_pte: pte_unmap_unlock()');
  return ret;
}

/**
 * faultin_page - resolve what follow_page_pte() could not: a fault with FAULT_FLAG_WRITE for
 * FOLL_WRITE, or FAULT_FLAG_UNSHARE after -EMLINK.
 * Kernel: mm/gup.c faultin_page() @ ColinIanKing/linux-next 02c39c227190 ("if (unshare) {
 * fault_flags |= FAULT_FLAG_UNSHARE; ... VM_BUG_ON(fault_flags & FAULT_FLAG_WRITE); }",
 * "FAULT_FLAG_WRITE and FAULT_FLAG_UNSHARE are incompatible"; handle_mm_fault()).
 * Model: no FOLL_NOFAULT / FOLL_UNLOCKABLE retries (mmap_lock is not modelled).
 */
export function* faultin_page(t: Task, vma: Vma, addr: number, flags: GupFlags, unshare: boolean): Op {
  if (unshare && flags.write)
    bug('VM_BUG_ON', 'faultin_page: FAULT_FLAG_WRITE together with FAULT_FLAG_UNSHARE');
  yield* handle_mm_fault(t, vma.mm, addr, flags.write === true, unshare);
}

/** check_vma_flags: FOLL_WRITE needs VM_WRITE (no FOLL_FORCE here): -EFAULT. */
function check_vma_flags(vma: Vma, flags: GupFlags): boolean {
  if (flags.longterm && !flags.pin) throw new SimMisuse('FOLL_LONGTERM without FOLL_PIN');
  return !(flags.write && !vma.vm_write);
}

/**
 * __get_user_pages - the slow path for one page: look it up, fault it in as needed, retry.
 * Kernel: mm/gup.c __get_user_pages() @ ColinIanKing/linux-next 02c39c227190: check_vma_flags();
 * "page = follow_page_mask(vma, start, gup_flags, &ctx); if (!page || PTR_ERR(page) == -EMLINK)
 * { ret = faultin_page(vma, start, gup_flags, PTR_ERR(page) == -EMLINK, locked); ... case 0:
 * goto retry; }". FOLL_LONGTERM's __gup_longterm_locked() migrates pages out of ZONE_MOVABLE /
 * CMA first.
 * Model: one page; mmap_lock is not modelled; every folio is longterm-pinnable (no movable
 * zone), so FOLL_LONGTERM changes only gup_must_unshare(); at most 4 rounds, then null (a
 * livelock bound, as user_access).
 */
export function* __get_user_pages(t: Task, mm: MmStruct, addr: number, flags: GupFlags): Op<GupPage | null> {
  const vma = mm.vma;
  yield '__get_user_pages: gup_vma_lookup(); check_vma_flags()';
  if (!mm.has_vmas || !check_vma_flags(vma, flags)) return null; // -EFAULT
  for (let tries = 0; tries < 4; tries++) {
    const r = yield* follow_page_pte(t, vma, addr, flags);
    if (typeof r !== 'string') return r;
    if (r === 'ENOMEM') return null;
    yield* faultin_page(t, vma, addr, flags, r === 'EMLINK');
  }
  return null;
}

/**
 * gup_fast_pte_range - GUP-fast for one PTE: no PTL, interrupts off; grab, then re-check.
 * Kernel: mm/gup.c gup_fast_pte_range() @ ColinIanKing/linux-next 02c39c227190:
 * "pte_t pte = ptep_get_lockless(ptep)"; !pte_access_permitted(pte, FOLL_WRITE) → give up;
 * try_grab_folio_fast() (FOLL_PIN: "Adjust the pincount before re-checking the PTE for
 * changes"); "if (unlikely(pte_val(pte) != pte_val(ptep_get(ptep))))" gup_put_folio() and give
 * up; "if (!pte_write(pte) && gup_must_unshare(NULL, flags, page))" gup_put_folio() and give up.
 * Giving up sends gup_fast_fallback() to the slow path.
 * Model: the read-and-grab and the re-check are two steps (the window other CPUs can change the
 * PTE in); mm->write_protect_seq (fork vs GUP-fast with FOLL_PIN) is not modelled, so scenarios
 * do not race GUP-fast with fork (the model's fork dup and GUP-fast's read-and-grab are each one
 * step, so the window write_protect_seq closes does not exist here either); no
 * PROT_NONE/special/devmap PTEs, no gup_fast_folio_allowed() (file pages are not pinned here).
 */
export function* gup_fast_pte_range(
  t: Task,
  mm: MmStruct,
  addr: number,
  flags: GupFlags,
): Op<GupPage | null> {
  const pt = mm.pt;
  yield 'gup_fast_pte_range: local_irq_save(); ptep_get_lockless(); try_grab_folio_fast()';
  const p: Pte = pt.get(addr);
  if (p.t !== 'present' || (flags.write && !p.write)) return null;
  const f = t.k.lookup<Folio>(p.folio, 'folio');
  if (!try_grab_folio(t, f, flags)) return null;
  yield 'gup_fast_pte_range: pte_val(pte) != pte_val(ptep_get(ptep))? gup_must_unshare(NULL)?';
  if (!pte_same(pt.get(addr), p) || (!p.write && gup_must_unshare(t, null, flags, f, p.page))) {
    gup_put_folio(t, f, flags);
    return null;
  }
  return { folio: f, page: p.page, flags, mm, addr, snapshot: f.pageContent(p.page) };
}

/**
 * get_user_pages / pin_user_pages (and their _fast forms) for one page of `mm`: FOLL_GET, or
 * FOLL_PIN with `pin`; GUP-fast first if `fast`, then the slow path.
 * Kernel: mm/gup.c gup_fast_fallback() @ ColinIanKing/linux-next 02c39c227190 ("nr_pinned =
 * gup_fast(start, end, gup_flags, pages); ... Slow path: try to get the remaining pages with
 * get_user_pages"), pin_user_pages() → __gup_longterm_locked() → __get_user_pages().
 * Model: one page; returns null where the kernel returns an error.
 */
export function* gup_one(t: Task, mm: MmStruct, addr: number, flags: GupFlags): Op<GupPage | null> {
  if (flags.fast) {
    const r = yield* gup_fast_pte_range(t, mm, addr, flags);
    if (r !== null) return r;
  }
  return yield* __get_user_pages(t, mm, addr, flags);
}

/**
 * unpin_user_page / put_page - release what GUP took.
 * Kernel: mm/gup.c unpin_user_page() "sanity_check_pinned_pages(&page, 1);
 * gup_put_folio(page_folio(page), 1, FOLL_PIN)" @ ColinIanKing/linux-next 02c39c227190 —
 * sanity_check_pinned_pages() (CONFIG_DEBUG_VM): "We only pin anonymous pages if they are
 * exclusive. Once pinned, we can no longer turn them possibly shared and PageAnonExclusive()
 * will stick around until the page is freed": VM_BUG_ON_PAGE(!PageAnonExclusive) (a guard
 * here); a FOLL_GET reference is dropped with put_page().
 */
export function* unpin_user_page(t: Task, ref: GupPage): Op {
  yield ref.flags.pin ? 'unpin_user_page(): gup_put_folio(FOLL_PIN)' : 'put_page()';
  const f = ref.folio;
  // large (not hugetlb): "VM_BUG_ON_PAGE(!PageAnonExclusive(&folio->page) && !PageAnonExclusive(page))"
  const excl = f.nr === 1 ? f.exclusive : f.exclusive || f.pageExclusive(ref.page);
  if (ref.flags.pin && f.anon && !f.freed && !excl)
    guard(
      t.k,
      'VM_BUG_ON_PAGE',
      `sanity_check_pinned_pages: pinned anon ${f.name} page ${ref.page} is no longer PageAnonExclusive`,
    );
  gup_put_folio(t, f, ref.flags);
}

/**
 * The kernel user of a GUP page reads it (a pipe read of vmsplice'd pages; gup_test's
 * PIN_LONGTERM_TEST_READ; io_uring's IORING_OP_WRITE_FIXED) and compares it, as the kernel's
 * selftest does: `snapshot` — it must still hold what it held when GUP returned it ("No leak");
 * `mapped` — it must hold what the process last wrote at the address ("Longterm … pin is
 * reliable"). A mismatch is the harm the selftest reports (I13).
 * Not a kernel function: the consumer side of GUP.
 */
export function* read_gup_page(
  _t: Task,
  ref: GupPage,
  want: 'snapshot' | 'mapped',
  failure: string,
): Op<number> {
  yield `read the page through the ${ref.flags.pin ? 'FOLL_PIN pin' : 'FOLL_GET reference'} of ${ref.mm.label}[${ref.addr}]`;
  assertLive(ref.folio, 'read through a GUP reference');
  const v = ref.folio.pageContent(ref.page);
  const e = want === 'snapshot' ? ref.snapshot : ref.mm.expect(ref.addr);
  if (e !== null && v !== e)
    bug(INV.I13, `${failure}: the ${ref.flags.pin ? 'pin' : 'GUP reference'} reads ${v}, expected ${e}`);
  return v;
}
