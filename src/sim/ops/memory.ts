import { bug, until } from '../../explorer/index.ts';
import { INV } from '../invariants/names.ts';
import { guard, SimMisuse, type Task } from '../kernel.ts';
import { assertLive, type Folio, folio_locked_by_me } from '../objects/folio.ts';
import type { MmStruct } from '../objects/mm_struct.ts';
import type { AddressSpace } from '../objects/page_cache.ts';
import {
  make_migration_entry,
  mk_pte,
  type PageTable,
  PTE_NONE,
  type Pte,
  pte_same,
  pte_same_as_swp,
  swp_entry_to_pte,
} from '../objects/page_table.ts';
import { swapInfo } from '../objects/swap_info.ts';
import { tlbOf } from '../objects/tlb.ts';
import type { Vma } from '../objects/vma.ts';
import { lockAt, releaseAt, type SiteId, site, tryLockAt, unlockAt, untilAt } from '../sites.ts';
import { filemap_map_pages } from './filemap.ts';
import {
  get_mem_cgroup_from_mm,
  mem_cgroup_charge,
  mem_cgroup_charge_2008,
  mem_cgroup_swapin_charge_folio,
} from './memcontrol.ts';
import { memcg1_swapin } from './memcontrol-v1.ts';
import {
  type MmuGather,
  tlb_delay_rmap,
  tlb_finish_mmu,
  tlb_flush_rmaps,
  tlb_gather_mmu,
} from './mmu_gather.ts';
import { pte_needs_soft_dirty_wp } from './mprotect.ts';
import type { Op } from './op.ts';
import { pte_offset_map_lock, pte_unmap_unlock } from './pgtable-generic.ts';
import {
  anon_vma_prepare,
  folio_add_anon_rmap_ptes,
  folio_add_file_rmap_ptes,
  folio_add_new_anon_rmap,
  folio_move_anon_rmap,
  folio_remove_rmap_ptes,
  folio_try_dup_anon_rmap_pte,
  page_zap_pte_rmap,
  unlink_anon_vmas,
  unlink_file_vma,
} from './rmap.ts';
import {
  folio_add_anon_rmap_ptes_large,
  folio_add_new_large_anon_rmap,
  folio_try_dup_anon_rmap_ptes,
} from './rmap_large.ts';
import { folio_add_lru, folio_get, folio_put } from './swap.ts';
import { page_swap_entry, swp_offset } from './swap_large.ts';
import { add_to_swap_cache, free_swap_cache, swap_cache_get_folio } from './swap_state.ts';
import {
  folio_free_swap,
  free_swap_and_cache_nr,
  put_swap_folio,
  slotOf,
  swap_duplicate,
  swap_free_nr,
  swapcache_prepare,
} from './swapfile.ts';

/**
 * mm/memory.c: faults, COW, zap and page-table teardown, fork's page-table copy.
 * Read at AMDESE/linux-mm 91883f9ea22a (mainline, swp_entry_t era; copy_pte_range also at
 * 0be9aa1490e5, the softleaf_t era, same logic): copy_nonpresent_pte, copy_present_ptes,
 * copy_pte_range, copy_page_range, zap_present_folio_ptes, zap_present_ptes,
 * zap_nonpresent_ptes, zap_pte_range, unmap_vmas, zap_page_range_single, unmap_mapping_folio,
 * wp_page_copy, wp_can_reuse_anon_folio, do_wp_page, should_try_to_free_swap, do_swap_page,
 * do_anonymous_page, and (second pass) handle_pte_fault, wp_page_reuse, free_pgtables,
 * free_pgd_range.
 */

function folioOf(t: Task, p: Pte): Folio {
  if (p.t !== 'present' && p.t !== 'migration') throw new SimMisuse(`no folio behind a ${p.t} pte`);
  return t.k.lookup<Folio>(p.folio, 'folio');
}

/** Allocate and initialise one of the task's reserved folio names (folio_prealloc / vma_alloc_folio). */
export function alloc_folio(t: Task, anon: boolean, content: number, nr = 1): Folio {
  const f = t.k.lookup<Folio>(t.nextFolioName(nr), 'folio');
  if (f.anon !== anon) throw new SimMisuse(`${f.name} is reserved as ${f.anon ? 'anon' : 'file'}`);
  f.init({ mapping: null, content });
  return f;
}

// --- zap and teardown -------------------------------------------------------------------------

/**
 * zap_pte_range - clear the PTEs of `addrs` under the PTL; present pages are handed to the
 * mmu_gather (it drops their references after the TLB flush), swap entries are freed.
 * Kernel: mm/memory.c zap_pte_range() → do_zap_pte_range() → zap_present_ptes() →
 * zap_present_folio_ptes() / zap_nonpresent_ptes() @ AMDESE/linux-mm 91883f9ea22a: anon folios
 * get folio_remove_rmap_ptes() at once; a file folio whose PTE was dirty gets folio_mark_dirty()
 * and delay_rmap plus force_flush, and "Do the actual TLB flush before dropping ptl":
 * tlb_flush_rmaps() runs before pte_unmap_unlock(); swap entries free_swap_and_cache_nr();
 * migration entries are just cleared. Seed 004 (R1, R4, R5).
 * Model: the whole PTL section is one step; file PTEs are dirty when writable; the
 * tlb_flush_mmu() after the unlock on force_flush is left to tlb_finish_mmu (one batch, no
 * need_resched break); zap_details (even_cows, single_folio) are not needed: file VMAs are
 * shared mappings, so there are no COWed anon pages in them.
 * Where other CPUs hold TLB entries (R19, k.tlbEntry), the TLB flush is a step of its own inside
 * the PTL section, before tlb_flush_rmaps().
 * Variants: rmap_before_tlb_flush (R19, before v6.2: a dirty file folio's rmap goes at once,
 * before the flush), delayed_anon_rmap (R1: anon rmaps wait for tlb_finish_mmu), rmap_after_ptl_drop
 * (R4: after the unlock), page_zap_pte_rmap (R5: large folios lose only per-page mapcounts).
 */
export function* zap_pte_range(t: Task, tlb: MmuGather, vma: Vma, addrs: readonly number[]): Op {
  const pt = vma.mm.pt;
  // R19: the other CPUs' TLB entries, where the scenario declares them (k.tlbEntry)
  const cpuTlb = tlbOf(t.k, vma.mm.label);
  const afterDrop: Array<{ folio: Folio; pages: number[] }> = [];
  yield lockAt(t.k, 'memory.c:zap_pte_range:ptl', pt.ptl, 'zap_pte_range: pte_offset_map_lock()');
  let force_flush = false;
  const batches = new Map<Folio, { pages: number[]; dirty: boolean }>();
  for (const addr of addrs) {
    const p = pt.get(addr);
    // An anonymous page zapped (MADV_DONTNEED, munmap) reads as zero if touched again.
    if (vma.file === null && p.t !== 'none') vma.mm.setExpect(addr, 0);
    if (p.t === 'present') {
      const f = folioOf(t, p);
      let b = batches.get(f);
      if (!b) batches.set(f, (b = { pages: [], dirty: false }));
      b.pages.push(p.page);
      pt.set(addr, PTE_NONE);
      // get_and_clear_full_ptes; if (pte_dirty(ptent)) folio_mark_dirty(folio)
      if (!f.anon && p.write) {
        f.dirty = true;
        b.dirty = true;
      }
    } else if (p.t === 'swap') {
      pt.set(addr, PTE_NONE);
      free_swap_and_cache_nr(t, p.entry);
    } else if (p.t === 'migration') {
      pt.set(addr, PTE_NONE);
    }
  }
  for (const [f, { pages, dirty }] of batches) {
    if (!f.anon && dirty) {
      // zap_present_folio_ptes: delay_rmap when the PTE was dirty (tlb_delay_rmap), force_flush.
      // Variant rmap_before_tlb_flush (R19, before v6.2): page_remove_rmap() right away.
      if (!site(t.k, 'memory.c:zap_pte_range:rmap_after_tlb_flush') || t.mutated('rmap_before_tlb_flush'))
        folio_remove_rmap_ptes(t, f, pages);
      else tlb_delay_rmap(t, tlb, f, vma, pages);
      force_flush = true;
    } else if (f.anon && t.mutated('delayed_anon_rmap')) tlb_delay_rmap(t, tlb, f, vma, pages);
    else if (!site(t.k, 'memory.c:zap_pte_range:rmap_under_ptl') || t.mutated('rmap_after_ptl_drop')) {
      afterDrop.push({ folio: f, pages });
      f.mem.write(f.kPtlPending, pt.name); // ghost for I2: the rmap is still to come
    } else if (f.nr > 1 && t.mutated('page_zap_pte_rmap')) page_zap_pte_rmap(t, f, pages);
    else folio_remove_rmap_ptes(t, f, pages, vma);
    for (let i = 0; i < pages.length; i++) tlb.pages.push(f); // __tlb_remove_folio_pages
  }
  if (force_flush && cpuTlb !== null) {
    // "Do the actual TLB flush before dropping ptl": a step of its own where other CPUs hold
    // TLB entries (R19), so a store through a stale entry can land between clear and flush
    yield 'zap_pte_range: tlb_flush_mmu_tlbonly() (force_flush, PTL held)';
    for (const addr of addrs) cpuTlb.flush(addr);
  }
  if (force_flush) {
    // tlb_flush_mmu_tlbonly(); tlb_flush_rmaps(): the file rmaps delayed in this PTL section
    // (anon rmaps queued by the R1 mutation wait for tlb_finish_mmu, as in Linus's series)
    const keep = tlb.delayed.filter((d) => d.folio.anon);
    const now = tlb.delayed.filter((d) => !d.folio.anon);
    tlb.delayed.length = 0;
    tlb.delayed.push(...now);
    tlb_flush_rmaps(t, tlb);
    tlb.delayed.push(...keep);
  }
  yield unlockAt(t.k, 'memory.c:zap_pte_range:ptl', pt.ptl, 'zap_pte_range: pte_unmap_unlock()');
  if (afterDrop.length > 0) {
    yield 'zap_pte_range (mutated): folio_remove_rmap_ptes() after pte_unmap_unlock()';
    for (const d of afterDrop) {
      folio_remove_rmap_ptes(t, d.folio, d.pages, vma);
      d.folio.mem.write(d.folio.kPtlPending, null);
    }
  }
}

/**
 * unmap_vmas - zap every page of the VMA.
 * Kernel: mm/memory.c unmap_vmas() → unmap_single_vma() → unmap_page_range() @ AMDESE/linux-mm
 * 91883f9ea22a (zap_details .even_cows = true). Model: one VMA, no mmu_notifier, no hugetlb.
 */
export function* unmap_vmas(t: Task, tlb: MmuGather, vma: Vma): Op {
  const all = Array.from({ length: vma.mm.pt.size }, (_, i) => i);
  yield* zap_pte_range(t, tlb, vma, all);
}

/**
 * zap_page_range_single - MADV_DONTNEED / munmap of some pages: gather, zap, finish.
 * Kernel: mm/memory.c zap_page_range_single() (tlb_gather_mmu; zap_page_range_single_batched;
 * tlb_finish_mmu) @ AMDESE/linux-mm 91883f9ea22a. Model: no mmu_notifier, no hugetlb.
 */
export function* zap_page_range_single(t: Task, vma: Vma, addrs: readonly number[]): Op {
  const tlb = tlb_gather_mmu(t);
  yield* zap_pte_range(t, tlb, vma, addrs);
  yield* tlb_finish_mmu(t, tlb);
}

/**
 * free_pgtables - hide the VMA from every reverse map, then free its page tables.
 * Kernel: mm/memory.c free_pgtables() @ AMDESE/linux-mm 91883f9ea22a: tlb_free_vmas(); per VMA
 * "Hide vma from rmap and truncate_pagecache before freeing pgtables": vma_start_write() if
 * mm_wr_locked, unlink_anon_vmas(), unlink_file_vma_batch_add(); unlink_file_vma_batch_final();
 * then free_pgd_range(). Seed 004. Rule R3.
 * Model: one VMA per mm, so no gathering of nearby VMAs; the file batch of one VMA is
 * unlink_file_vma() (rmap.ts); vma_start_write (per-VMA lock) is not modelled.
 * Variant: free_pgtables_before_unlink frees the page table first.
 */
export function* free_pgtables(t: Task, _tlb: MmuGather, vma: Vma): Op {
  const early =
    !site(t.k, 'memory.c:free_pgtables:unlink_before_free') || t.mutated('free_pgtables_before_unlink');
  if (early) yield* free_pgd_range(t, vma);
  yield* unlink_anon_vmas(t, vma);
  yield* unlink_file_vma(t, vma);
  if (!early) yield* free_pgd_range(t, vma);
}

/**
 * free_pgd_range - free the VMA's page table.
 * Kernel: mm/memory.c free_pgd_range() @ AMDESE/linux-mm 91883f9ea22a (floor/ceiling rounding,
 * tlb_change_page_size, free_p4d_range → ... → free_pte_range: pte_free_tlb, the table is freed
 * through the mmu_gather). Model: one page table per mm, no floor/ceiling sharing with other
 * VMAs; the table is freed as a flag at once (the mmu_gather's RCU-delayed table free is not
 * modelled: no lockless walker here reads a freed table).
 */
export function* free_pgd_range(_t: Task, vma: Vma): Op {
  yield 'free_pgtables: free_pgd_range()';
  const pt = vma.mm.pt;
  // A PTE installed after the zap (R3(b): a fault in the teardown window) is freed with the table:
  // its folio's reference and mapcount are never dropped, and when the mm is freed check_mm()
  // prints "BUG: Bad rss-counter state" (kernel/fork.c, pr_alert in every config).
  for (let a = 0; a < pt.size; a++) {
    const p = pt.peekPte(a);
    if (p.t === 'present')
      bug(
        INV.I1,
        `free_pgd_range: ${pt.name} is freed while pte[${a}] still maps ${p.folio}: the folio is leaked ("BUG: Bad rss-counter state mm:… type:MM_ANONPAGES val:1")`,
      );
  }
  pt.freed = true;
}

/**
 * unmap_mapping_folio - unmap a locked page-cache folio from every VMA of its file.
 * Kernel: mm/memory.c unmap_mapping_folio() @ AMDESE/linux-mm 91883f9ea22a
 * (VM_BUG_ON(!folio_test_locked(folio)) before i_mmap_lock_read; unmap_mapping_range_tree →
 * unmap_mapping_range_vma → zap_page_range_single with even_cows = false, single_folio).
 * Model: file VMAs are shared mappings (no COWed anon pages for even_cows to spare).
 */
export function* unmap_mapping_folio(t: Task, f: Folio): Op {
  if (!folio_locked_by_me(f)) guard(t.k, 'VM_BUG_ON', `unmap_mapping_folio: ${f.name} not locked`);
  const as = t.k.lookup<AddressSpace>(f.mapping ?? '', 'address_space');
  const index = as.kPages.findIndex((k) => as.mem.read(k) === f.name);
  const locked = site(t.k, 'memory.c:unmap_mapping_folio:i_mmap_lock_read');
  yield locked
    ? as.i_mmap_rwsem.down_read('unmap_mapping_folio: i_mmap_lock_read()')
    : 'i_mmap_lock_read() [elided]';
  if (locked) as.i_mmap_rwsem.took_read();
  for (const vma of as.vmas.filter((v) => v.linked)) {
    // the file is mapped linearly (vm_pgoff 0): page `index` of the file is address `index`
    if (index >= 0) yield* zap_page_range_single(t, vma, [index]);
  }
  yield 'unmap_mapping_folio: i_mmap_unlock_read()';
  if (locked) as.i_mmap_rwsem.up_read();
}

// --- faults -----------------------------------------------------------------------------------

/**
 * handle_mm_fault - dispatch a fault on one page by the PTE read locklessly (vmf->orig_pte).
 * Kernel: mm/memory.c __handle_mm_fault() → handle_pte_fault() @ AMDESE/linux-mm 91883f9ea22a
 * ("vmf->orig_pte = ptep_get_lockless(vmf->pte)"). Model: no PUD/PMD levels, no huge pages.
 */
export function* handle_mm_fault(t: Task, mm: MmStruct, addr: number, write: boolean, unshare = false): Op {
  yield 'handle_pte_fault: vmf->orig_pte = ptep_get_lockless()';
  return yield* handle_pte_fault(t, mm, addr, write, mm.pt.get(addr), unshare);
}

/**
 * handle_pte_fault - the fault path once vmf->orig_pte has been read (locklessly).
 * Kernel: mm/memory.c handle_pte_fault() @ AMDESE/linux-mm 91883f9ea22a: pte_none →
 * do_pte_missing() (vma_is_anonymous ? do_anonymous_page : do_fault); !pte_present →
 * do_swap_page() (which waits on a migration entry: migration_entry_wait); present →
 * spin_lock(vmf->ptl), "if (unlikely(!pte_same(ptep_get(vmf->pte), entry)))" unlock; a write to
 * a !pte_write PTE → do_wp_page() with the PTL held; otherwise pte_mkdirty/pte_mkyoung,
 * ptep_set_access_flags() and pte_unmap_unlock() — a spurious fault still takes the PTL.
 * Model: called by a user access with the PTE value the access itself saw: the hardware walk
 * and the kernel's lockless re-read are one step (a PTE changing between them only makes the
 * fault spurious, which the PTL re-checks catch). A file VMA's fault is fault-around only
 * (do_fault → do_read_fault → filemap_map_pages); the migration wait is entered directly (its
 * do_swap_page prologue has no step); accessed/dirty bits are not modelled (a writable PTE
 * counts as dirty); no NUMA hinting faults.
 * FAULT_FLAG_UNSHARE (`unshare`, from GUP's faultin_page after -EMLINK): "if (vmf->flags &
 * (FAULT_FLAG_WRITE|FAULT_FLAG_UNSHARE)) { if (!pte_write(entry)) return do_wp_page(vmf);" (read
 * at ColinIanKing/linux-next 042acf45157e); a non-present PTE is faulted in as a read (GUP
 * retries and unshares then).
 */
export function* handle_pte_fault(
  t: Task,
  mm: MmStruct,
  addr: number,
  write: boolean,
  orig: Pte,
  unshare = false,
): Op {
  const vma = mm.vma;
  const pt = mm.pt;
  switch (orig.t) {
    case 'none':
      if (vma.file !== null && write && vma.shared) return yield* do_shared_fault(t, vma, addr);
      if (vma.file !== null) return yield* filemap_map_pages(t, vma, addr);
      return yield* do_anonymous_page(t, vma, addr);
    case 'swap':
      return yield* do_swap_page(t, vma, addr, orig, write);
    case 'migration':
      yield until('migration_entry_wait()', () => !pte_same(pt.peekPte(addr), orig));
      return;
    case 'present': {
      const ptl = 'memory.c:handle_pte_fault:ptl'; // released here or by do_wp_page()
      yield lockAt(t.k, ptl, pt.ptl, 'handle_pte_fault: spin_lock(vmf->ptl)');
      if (site(t.k, 'memory.c:handle_pte_fault:recheck_pte_same') && !pte_same(pt.get(addr), orig)) {
        yield unlockAt(t.k, ptl, pt.ptl, 'handle_pte_fault: pte_unmap_unlock() (pte changed)');
        return;
      }
      if ((write || unshare) && !orig.write) return yield* do_wp_page(t, vma, addr, orig, unshare, ptl);
      // the access is already allowed: ptep_set_access_flags() (young/dirty bits, not modelled)
      yield unlockAt(t.k, ptl, pt.ptl, 'handle_pte_fault: ptep_set_access_flags(); pte_unmap_unlock()');
      return;
    }
  }
}

/**
 * do_anonymous_page - first touch of an anonymous page: a new, charged, exclusive folio.
 * Kernel: mm/memory.c do_anonymous_page() @ AMDESE/linux-mm 91883f9ea22a: alloc_anon_folio() →
 * folio_prealloc() (mem_cgroup_charge) before the PTL; pte_offset_map_lock; vmf_pte_changed →
 * release (folio_put); folio_add_new_anon_rmap(RMAP_EXCLUSIVE); folio_add_lru_vma; set_ptes
 * writable and dirty (VM_WRITE).
 * Large folios (mTHP, the VMA's `thp_sizes`): alloc_anon_folio() picks the largest enabled order
 * whose naturally aligned range around the address is all pte_none (pte_range_none(), a lockless
 * read), allocates and charges it; then under the PTL "nr_pages > 1 && !pte_range_none(vmf->pte,
 * nr_pages)" backs out (release), else folio_ref_add(folio, nr_pages - 1),
 * folio_add_new_anon_rmap, set_ptes(addr, nr_pages) from ALIGN_DOWN(address, nr_pages) (read in
 * the mTHP series' postings, 2023-12, and a v6.1x copy of do_anonymous_page via the search tool).
 * Model: a read fault also allocates (the kernel maps the shared zero page); the content starts
 * at 0; the lockless range check is one step of its own; allocation never fails (no fallback
 * to a smaller order after a failed allocation or charge); no uffd.
 */
export function* do_anonymous_page(t: Task, vma: Vma, addr: number): Op {
  if (vma.mm.hasPmd) return yield* do_anonymous_page_pmd(t, vma, addr); // R20
  if (vma.lazy) yield* anon_vma_prepare(t, vma); // R22: vmf_anon_prepare()
  const pt = vma.mm.pt;
  let nr = 1;
  if (vma.thp_sizes.length > 0) {
    yield 'alloc_anon_folio: pte_range_none() (ptep_get_lockless, highest suitable order first)';
    nr = vma.thp_sizes.find((n) => pte_range_none(pt, ALIGN_DOWN(addr, n), n, pt.size)) ?? 1;
  }
  const start = ALIGN_DOWN(addr, nr);
  yield 'do_anonymous_page: alloc_anon_folio() (folio_prealloc + mem_cgroup_charge)';
  const f = alloc_folio(t, true, 0, nr);
  mem_cgroup_charge(t, f, get_mem_cgroup_from_mm(t, vma.mm));
  const ptl = 'memory.c:do_anonymous_page:ptl';
  yield lockAt(t.k, ptl, pt.ptl, 'do_anonymous_page: pte_offset_map_lock()');
  if (
    site(t.k, 'memory.c:do_anonymous_page:recheck_pte_none') &&
    (nr === 1 ? pt.get(addr).t !== 'none' : !pte_range_none(pt, start, nr, pt.size))
  ) {
    folio_put(t, f);
    yield unlockAt(
      t.k,
      ptl,
      pt.ptl,
      'do_anonymous_page: pte_unmap_unlock() (vmf_pte_changed / !pte_range_none)',
    );
    return;
  }
  if (nr === 1) folio_add_new_anon_rmap(t, f, vma, true);
  else {
    f.refcount = f.refcount + nr - 1; // folio_ref_add(folio, nr_pages - 1)
    folio_add_new_large_anon_rmap(t, f, vma, true);
  }
  folio_add_lru(t, f); // folio_add_lru_vma
  for (let i = 0; i < nr; i++) {
    pt.set(start + i, mk_pte(f.name, i, true)); // set_ptes
    if (nr > 1) vma.mm.setExpect(start + i, 0);
  }
  yield unlockAt(t.k, ptl, pt.ptl, 'do_anonymous_page: pte_unmap_unlock()');
}

/** ALIGN_DOWN(addr, nr pages). */
function ALIGN_DOWN(addr: number, nr: number): number {
  return addr - (addr % nr);
}

/**
 * pte_range_none - are the nr PTEs from `start` all none (and inside the VMA: thp_vma_suitable_order)?
 * Kernel: mm/memory.c pte_range_none() ("if (!pte_none(ptep_get_lockless(pte + i))) return false").
 */
function pte_range_none(pt: PageTable, start: number, nr: number, size: number): boolean {
  if (start + nr > size) return false;
  for (let i = 0; i < nr; i++) if (pt.get(start + i).t !== 'none') return false;
  return true;
}

/**
 * should_try_to_free_swap - a write fault that will be the folio's only user drops the swap cache.
 * Kernel: mm/memory.c should_try_to_free_swap() @ AMDESE/linux-mm 91883f9ea22a (FAULT_FLAG_WRITE && !ksm &&
 * folio_ref_count(folio) == 1 + folio_nr_pages(folio)).
 * Model: mem_cgroup_swap_full and mlock are never true; no KSM.
 */
export function should_try_to_free_swap(_t: Task, f: Folio, write: boolean): boolean {
  if (!f.swapcache) return false;
  return write && f.refcount === 1 + f.nr;
}

/**
 * do_swap_page - fault in a swap PTE: find or read the folio, lock it, re-validate, map it.
 * Kernel: mm/memory.c do_swap_page() @ AMDESE/linux-mm 91883f9ea22a: swap_cache_get_folio() | swapin_readahead();
 * folio_lock_or_retry(); "Make sure folio_free_swap() or swapoff did not release the swapcache
 * from under us" (folio_matches_swap_entry); pte_offset_map_lock + pte_same ("Back out if
 * somebody else already faulted in this pte"); exclusive from pte_swp_exclusive; swap_free_nr;
 * should_try_to_free_swap → folio_free_swap; if exclusive or refcount == 1: RMAP_EXCLUSIVE and
 * the PTE writable when the VMA has VM_WRITE — for read faults too (dirty only for a write);
 * set_ptes; folio_unlock; do_wp_page for a write that could not map writable.
 * "else if (exclusive && folio_test_writeback(folio) && data_race(si->flags &
 * SWP_STABLE_WRITES))": drop the exclusive marker (R21; the device is k.swapDevice()).
 * Seeds 001 (the lock_page/charge order), 003. Rules R14, R16, R17, R21.
 * Model: swapin_readahead is __read_swap_cache_async for the one entry, as one step; the
 * SWP_SYNCHRONOUS_IO path is do_swap_page_skip_swapcache() (a slot of a synchronous device with
 * one user); no KSM, no large folios, no uffd-wp / soft-dirty; anonymous VMAs are VM_WRITE.
 * The exclusive bit is read from vmf->orig_pte, the lockless read of handle_pte_fault(), but it
 * counts as checked "under PT lock (to protect against concurrent fork() sharing the swap entry
 * concurrently)" because pte_same() has just compared that whole value, bit included, with the
 * PTE under the PTL: fork's pte_swp_clear_exclusive() makes it differ, and the fault backs out.
 * Variants: no_swapcache_recheck (R17), charge_before_lock_page (R9, era 2008),
 * folio_lock_under_ptl (I18: the PTL before folio_lock), swp_exclusive_read_before_ptl (R16: the
 * exclusive bit of the unlocked read is used while the PTL re-check compares the entry without it),
 * swapin_exclusive_under_writeback (R21: the marker survives stable writeback).
 */
export function* do_swap_page(t: Task, vma: Vma, addr: number, orig: Pte, write: boolean): Op {
  if (orig.t !== 'swap') throw new SimMisuse('do_swap_page on a non-swap pte');
  const pt = vma.mm.pt;
  const entry = orig.entry;
  yield 'do_swap_page: swap_cache_get_folio()';
  let folio = swap_cache_get_folio(t, entry);
  if (folio === null) {
    // "if (data_race(si->flags & SWP_SYNCHRONOUS_IO) && __swap_count(entry) == 1) { /* skip swapcache */"
    const s = slotOf(t, entry);
    if (s.sync_io && s.count === 1) return yield* do_swap_page_skip_swapcache(t, vma, addr, orig, write);
    folio = yield* __read_swap_cache_async(t, vma, entry);
    if (folio === null) return; // raced: the fault is retried
  }
  const swapcache = folio;
  const era2008 = t.variant.era === '2008';
  const memcg = get_mem_cgroup_from_mm(t, vma.mm);
  // 2008 (seed 001): the page is charged at its first map; before KAMEZAWA's patch the charge
  // came before lock_page() ("There will be race because charge is done before lock_page()").
  if (era2008 && t.mutated('charge_before_lock_page')) yield* mem_cgroup_charge_2008(t, folio, memcg);

  // folio_lock_under_ptl (I18, hypothetical): the PTE lock first, then the folio lock.
  const ptlFirst = t.mutated('folio_lock_under_ptl');
  const ptl = 'memory.c:do_swap_page:ptl'; // released here or by do_wp_page()
  if (ptlFirst)
    yield lockAt(t.k, ptl, pt.ptl, 'do_swap_page (mutated): pte_offset_map_lock() before folio_lock()');
  const flock = 'memory.c:do_swap_page:folio_lock';
  yield lockAt(t.k, flock, folio.lock, 'do_swap_page: folio_lock_or_retry()');
  if (era2008 && !t.mutated('charge_before_lock_page')) yield* mem_cgroup_charge_2008(t, folio, memcg);
  if (
    site(t.k, 'memory.c:do_swap_page:recheck_swapcache') &&
    !t.mutated('no_swapcache_recheck') &&
    (!folio.swapcache || !folio_matches_swap_entry(folio, entry))
  ) {
    // folio_matches_swap_entry() failed: out_page
    if (ptlFirst) yield unlockAt(t.k, ptl, pt.ptl, 'do_swap_page: pte_unmap_unlock()');
    yield unlockAt(t.k, flock, folio.lock, 'do_swap_page: folio_unlock() (swapcache changed)');
    yield 'do_swap_page: folio_put() (out_release)';
    folio_put(t, folio);
    return;
  }

  if (!ptlFirst) yield lockAt(t.k, ptl, pt.ptl, 'do_swap_page: pte_offset_map_lock()');
  // swp_exclusive_read_before_ptl (R16, hypothetical): the exclusive bit is decided from the
  // unlocked read (orig) but carried outside the compared value: the re-check compares the swap
  // entry only (pte_same_as_swp), so a fork that shared the entry since the read goes unnoticed.
  const earlyExcl = t.mutated('swp_exclusive_read_before_ptl');
  if (
    site(t.k, 'memory.c:do_swap_page:recheck_pte_same') &&
    !(earlyExcl ? pte_same_as_swp(pt.get(addr), orig) : pte_same(pt.get(addr), orig))
  ) {
    yield unlockAt(t.k, ptl, pt.ptl, 'do_swap_page: pte_unmap_unlock() (out_nomap)');
    yield unlockAt(t.k, flock, folio.lock, 'do_swap_page: folio_unlock() (out_page)');
    yield 'do_swap_page: folio_put() (out_release)';
    folio_put(t, folio);
    return;
  }
  assertLive(folio, 'do_swap_page');
  if (folio.nr > 1) return yield* do_swap_page_large(t, vma, addr, orig, write, folio);
  // "A swap pte must never point at an anonymous page in the swapcache that is PG_anon_exclusive."
  if (folio.exclusive)
    bug(INV.I14, `do_swap_page: BUG_ON(folio_test_anon(folio) && PageAnonExclusive(page)) for ${folio.name}`);
  // "Check under PT lock (to protect against concurrent fork() sharing the swap entry
  // concurrently) for certainly exclusive pages."
  let exclusive = orig.excl;
  if (folio !== swapcache) exclusive = true;
  // "This is tricky: not all swap backends support concurrent page modifications while under
  // writeback ... simply drop the exclusive marker" (R21; Variant swapin_exclusive_under_writeback
  // keeps it: the device is never asked, as before f05714293a59)
  if (
    exclusive &&
    folio.writeback &&
    swapInfo(t.k)?.stableWrites === true &&
    !t.mutated('swapin_exclusive_under_writeback')
  )
    exclusive = false;
  swap_free_nr(t, entry);
  if (should_try_to_free_swap(t, folio, write)) folio_free_swap(t, folio);
  let writable = false;
  let rmapExclusive = false;
  if (exclusive || folio.refcount === 1) {
    // "if ((vma->vm_flags & VM_WRITE) && !userfaultfd_pte_wp(vma, pte) &&
    // !pte_needs_soft_dirty_wp(vma, pte))": pte_mkwrite (pte_mkdirty and clear FAULT_FLAG_WRITE
    // if a write), read at ColinIanKing/linux-next 042acf45157e
    writable = vma.vm_write && !pte_needs_soft_dirty_wp(vma);
    rmapExclusive = true;
  }
  // A folio fresh from swapin_readahead is not anon yet: folio_add_new_anon_rmap
  if (folio.mapping === null) folio_add_new_anon_rmap(t, folio, vma, rmapExclusive);
  else folio_add_anon_rmap_ptes(t, folio, rmapExclusive);
  if (writable && !folio.exclusive)
    bug('VM_BUG_ON', 'do_swap_page: writable pte of a non-exclusive anon page');
  const pte = mk_pte(folio.name, 0, writable);
  pt.set(addr, pte);
  yield unlockAt(t.k, 'memory.c:do_swap_page:folio_lock', folio.lock, 'do_swap_page: folio_unlock()');
  if (write && !writable) return yield* do_wp_page(t, vma, addr, pte, false, ptl);
  yield unlockAt(t.k, ptl, pt.ptl, 'do_swap_page: pte_unmap_unlock()');
}

/**
 * folio_matches_swap_entry - is the locked folio still the swap cache's folio for `entry`? A
 * large folio covers its nr entries. Kernel: mm/swap.h folio_matches_swap_entry() (swap-table
 * era, read in 2025 postings via the search tool): "if (!folio_test_swapcache(folio)) return
 * false"; VM_WARN_ON_ONCE_FOLIO(!IS_ALIGNED(folio_entry.val, nr_pages)); "return folio_entry.val
 * == round_down(entry.val, nr_pages)". The caller checked folio_test_swapcache.
 */
function folio_matches_swap_entry(f: Folio, entry: string): boolean {
  if (f.swap === null) return false;
  const i = swp_offset(entry) - swp_offset(f.swap);
  return i >= 0 && i < f.nr;
}

/**
 * do_swap_page for a large swap-cache folio (the PTL held, the folio locked and re-checked):
 * map the whole folio when its nr PTEs all still hold its entries with the same exclusive bit,
 * else only the faulting page.
 * Kernel: mm/memory.c do_swap_page(), as added by 508758960b8d (Chuanhua Han, 2024-05, "entirely
 * map large folios found in swapcache"; v6.10 inferred) and read in its posting and a blame
 * excerpt, then reworked in 2025 postings into can_swapin_thp() (same test): "if
 * (folio_test_large(folio) && folio_test_swapcache(folio))": folio_start = address - idx pages
 * inside the VMA and PMD, pte_same(folio_pte, pte_move_swp_offset(orig_pte, -idx)) and
 * swap_pte_batch(folio_ptep, nr, folio_pte) == nr → nr_pages = nr; else nr_pages = 1 and page =
 * folio_page(folio, idx); BUG_ON(PageAnonExclusive) of each page; swap_free_nr(entry,
 * nr_pages); should_try_to_free_swap; RMAP_EXCLUSIVE and VM_WRITE when exclusive or refcount 1;
 * folio_ref_add(folio, nr_pages - 1); folio_add_anon_rmap_ptes(folio, page, nr_pages); set_ptes. Large folios reach here only from
 * the swap cache (alloc_swap_folio's mTHP swapin is the SWP_SYNCHRONOUS_IO path, not modelled).
 */
function* do_swap_page_large(t: Task, vma: Vma, addr: number, orig: Pte, write: boolean, folio: Folio): Op {
  const pt = vma.mm.pt;
  if (orig.t !== 'swap' || folio.swap === null)
    throw new SimMisuse('do_swap_page_large: not a swap-cache folio');
  const idx = swp_offset(orig.entry) - swp_offset(folio.swap); // folio_page_idx
  const start = addr - idx;
  const whole =
    start >= 0 &&
    start + folio.nr <= pt.size &&
    Array.from({ length: folio.nr }, (_, i) => pt.get(start + i)).every(
      (p, i) => p.t === 'swap' && p.entry === page_swap_entry(t, folio, i) && p.excl === orig.excl,
    );
  const first = whole ? 0 : idx;
  const at = whole ? start : addr;
  const pages = whole ? Array.from({ length: folio.nr }, (_, i) => i) : [idx];
  for (const i of pages)
    if (folio.pageExclusive(i))
      bug(
        INV.I14,
        `do_swap_page: BUG_ON(folio_test_anon(folio) && PageAnonExclusive(page)) for ${folio.name} page ${i}`,
      );
  let exclusive = orig.excl;
  if (exclusive && folio.writeback) exclusive = false; // SWP_STABLE_WRITES
  for (const i of pages) swap_free_nr(t, page_swap_entry(t, folio, i));
  if (should_try_to_free_swap(t, folio, write)) folio_free_swap(t, folio);
  const writable = exclusive || folio.refcount === 1;
  folio.refcount = folio.refcount + pages.length - 1; // folio_ref_add(folio, nr_pages - 1)
  folio_add_anon_rmap_ptes_large(t, folio, pages, vma, writable);
  for (let i = 0; i < pages.length; i++) pt.set(at + i, mk_pte(folio.name, first + i, writable));
  const ptl = 'memory.c:do_swap_page:ptl';
  yield unlockAt(t.k, 'memory.c:do_swap_page:folio_lock', folio.lock, 'do_swap_page: folio_unlock()');
  if (write && !writable) return yield* do_wp_page(t, vma, addr, pt.get(addr), false, ptl);
  yield unlockAt(t.k, ptl, pt.ptl, 'do_swap_page: pte_unmap_unlock()');
}

/**
 * do_swap_page's SWP_SYNCHRONOUS_IO path: an entry with one user on a synchronous device is read
 * into a private folio that never enters the swap cache. The entry's SWAP_HAS_CACHE is claimed
 * first (swapcache_prepare), so a second fault on the same entry backs out and waits, and the
 * slot cannot be freed and reused until the first fault has mapped its folio and dropped the
 * claim after the PTL (swapcache_clear).
 * Kernel: mm/memory.c do_swap_page() @ AMDESE/linux-mm 0be9aa1490e5 (mainline after v6.18,
 * softleaf_t era): alloc_swap_folio() → __alloc_swap_folio(): vma_alloc_folio() and
 * mem_cgroup_swapin_charge_folio(); __folio_set_locked(); __folio_set_swapbacked(); "Prevent
 * parallel swapin from proceeding with the cache flag. Otherwise, another thread may finish
 * swapin first, free the entry, and swapout reusing the same entry. It's undetectable as
 * pte_same() returns true due to entry reuse.": if (swapcache_prepare(entry, nr_pages)) {
 * add_wait_queue(&swapcache_wq); schedule_timeout_uninterruptible(1); goto out_page; };
 * need_clear_cache = true; memcg1_swapin(entry, nr_pages); folio_add_lru(); swap_read_folio();
 * then, with swapcache == NULL, no folio_matches_swap_entry() check: pte_offset_map_lock +
 * pte_same; "We have a fresh page that is not exposed to the swapcache -> certainly exclusive";
 * swap_free_nr(); folio_add_new_anon_rmap(RMAP_EXCLUSIVE); set_ptes(); folio_unlock();
 * pte_unmap_unlock(); "Clear the swap cache pin for direct swapin after PTL unlock":
 * swapcache_clear(); wake_up(&swapcache_wq).
 * History: the bypass came with 0bcac06f27d7 "mm, swap: skip swapcache for swapin of
 * synchronous device" (named as the Fixes: tag of the fix); the claim is 13ddaf26be32
 * "mm/swap: fix race when skipping swapcache" (Kairui Song, Feb 2024; read in its v3 posting,
 * Message-ID 20240216095105.14502-1-ryncsn@gmail.com; the commit id as cited by later list mail,
 * e.g. Barry Song's large-folio swapin series and the stable backport mail of 01626a182302,
 * which replaced the v3's schedule() by the swapcache_wq wait) [the commits themselves not
 * read in a git tree; the release each reached not checked]. The mm development tree
 * (linux-mm/linux-mm 008bbb620152 mm/swap_state.c __swap_cache_alloc) has since dropped the
 * bypass and SWAP_HAS_CACHE: every swapin goes through the swap cache [not in a release read].
 * Rule R17 (its second half). Seed 001 ("Back out if somebody else already faulted in this pte").
 * Model: order-0 folios (no mTHP swapin); the folio stays locked from __folio_set_locked() to
 * folio_unlock() (the kernel's read completion unlocks it and folio_lock_or_retry() relocks it:
 * nobody else can find it in between); reading a slot freed under the mutation returns zeroes
 * (zram discards a freed slot); the one-tick sleep on swapcache_wq is a wait until the claim is
 * gone, the entry is in the swap cache, or the PTE changed (what the retry would find); era
 * 'today' only; no workingset shadow, no zswap, no KSM.
 * Variant: sync_swapin_without_swapcache_prepare (R17, real before 13ddaf26be32) skips the
 * claim and its clear.
 */
function* do_swap_page_skip_swapcache(t: Task, vma: Vma, addr: number, orig: Pte, write: boolean): Op {
  if (orig.t !== 'swap') throw new SimMisuse('do_swap_page on a non-swap pte');
  if (t.variant.era !== 'today')
    throw new SimMisuse(
      `the SWP_SYNCHRONOUS_IO swapin is modelled as today's code only, not era '${t.variant.era}'`,
    );
  const pt = vma.mm.pt;
  const entry = orig.entry;
  const s = slotOf(t, entry);
  const claim =
    site(t.k, 'memory.c:do_swap_page:swapcache_prepare') &&
    !t.mutated('sync_swapin_without_swapcache_prepare');
  yield 'do_swap_page: alloc_swap_folio() (vma_alloc_folio; mem_cgroup_swapin_charge_folio); __folio_set_locked(); swapcache_prepare()';
  const folio = alloc_folio(t, true, 0);
  mem_cgroup_swapin_charge_folio(t, folio, vma.mm, entry);
  const flock = 'memory.c:do_swap_page:__folio_set_locked';
  if (!tryLockAt(t.k, flock, folio.lock))
    throw new SimMisuse(`${folio.name}: a new folio is locked by someone else`);
  // swapcache_prepare() → __swap_duplicate(SWAP_HAS_CACHE): -ENOENT if freed meanwhile, -EEXIST if claimed
  if (claim && (s.isFree() || swapcache_prepare(t, entry))) {
    yield until(
      'do_swap_page: schedule_timeout_uninterruptible(1) on swapcache_wq (swapcache_prepare failed)',
      () => !s.has_cache || s.cache !== null || !pte_same(pt.peekPte(addr), orig),
    );
    yield unlockAt(t.k, flock, folio.lock, 'do_swap_page: folio_unlock() (out_page)');
    yield 'do_swap_page: folio_put() (out_release)';
    folio_put(t, folio);
    return; // the fault is retried
  }
  yield 'do_swap_page: memcg1_swapin(); folio_add_lru(); swap_read_folio()';
  memcg1_swapin(t, entry);
  folio_add_lru(t, folio);
  const data = s.data;
  if (data === null && !s.isFree())
    bug(INV.I12, `swap_read_folio: ${entry} was never written and is not in the swap cache`);
  folio.content = data ?? 0;
  const ptl = 'memory.c:do_swap_page:ptl';
  yield lockAt(t.k, ptl, pt.ptl, 'do_swap_page: pte_offset_map_lock()');
  if (site(t.k, 'memory.c:do_swap_page:recheck_pte_same') && !pte_same(pt.get(addr), orig)) {
    yield unlockAt(t.k, ptl, pt.ptl, 'do_swap_page: pte_unmap_unlock() (out_nomap)');
    yield unlockAt(t.k, flock, folio.lock, 'do_swap_page: folio_unlock() (out_page)');
    yield 'do_swap_page: folio_put() (out_release); swapcache_clear()';
    folio_put(t, folio);
    if (claim) put_swap_folio(t, entry);
    return;
  }
  // "We have a fresh page that is not exposed to the swapcache -> certainly exclusive."
  swap_free_nr(t, entry);
  folio_add_new_anon_rmap(t, folio, vma, true);
  const pte = mk_pte(folio.name, 0, true); // VM_WRITE: pte_mkwrite (and pte_mkdirty for a write)
  pt.set(addr, pte);
  yield unlockAt(t.k, flock, folio.lock, 'do_swap_page: folio_unlock()');
  void write; // exclusive and writable: a write fault needs no do_wp_page()
  yield unlockAt(t.k, ptl, pt.ptl, 'do_swap_page: pte_unmap_unlock()');
  if (claim) {
    yield 'do_swap_page: swapcache_clear() after the PTL unlock; wake_up(&swapcache_wq)';
    put_swap_folio(t, entry);
  }
}

/**
 * __read_swap_cache_async - allocate a folio for a swap entry and read it into the swap cache.
 * Kernel: mm/swap_state.c __read_swap_cache_async() (see swap_state.ts for the tree read): swapcache_prepare →
 * __folio_set_locked → mem_cgroup_swapin_charge_folio → add_to_swap_cache → swap_read_folio
 * (the folio is unlocked when the read completes). Seed 002 (charge while locked, before it is
 * visible). The charge goes to the memcg recorded for the entry (mem_cgroup_swapin_charge_folio),
 * and on cgroup v1 memcg1_swapin() then drops the entry's memsw duplicate ("memsw uncharges swap
 * when folio is added to swap cache", mm/swap_state.c __swap_cache_alloc() @ linux-mm/linux-mm
 * 008bbb620152; eras 2014–2023 charged the recorded memcg the same way [recalled, not re-read]).
 * Model: all one step; reading an entry pageout never wrote returns garbage (I12).
 */
export function* __read_swap_cache_async(t: Task, vma: Vma, entry: string): Op<Folio | null> {
  yield '__read_swap_cache_async: swapcache_prepare(); alloc; charge; add_to_swap_cache(); swap_read_folio()';
  const s = slotOf(t, entry);
  if (s.count === 0 && !s.has_cache) return null; // entry freed meanwhile (get_swap_device)
  if (swapcache_prepare(t, entry)) return null; // -EEXIST: someone else is reading it in
  const data = s.data;
  if (data === null) bug(INV.I12, `swap_read_folio: ${entry} was never written and is not in the swap cache`);
  const f = alloc_folio(t, true, data as number);
  // mem_cgroup_swapin_charge_folio (2014+); in 2008 the page is charged at its first map
  if (t.variant.era !== '2008') mem_cgroup_swapin_charge_folio(t, f, vma.mm, entry);
  add_to_swap_cache(t, f, s);
  // "memsw uncharges swap when folio is added to swap cache"
  if (t.variant.era !== '2008') memcg1_swapin(t, entry);
  folio_add_lru(t, f);
  return f; // our reference from the allocation is the fault's reference
}

/**
 * do_wp_page - write fault on a present, write-protected PTE; entered with the PTL held.
 * Kernel: mm/memory.c do_wp_page() @ AMDESE/linux-mm 91883f9ea22a: a VM_SHARED mapping goes to
 * wp_page_shared(); "If we encounter a page that is marked exclusive, we must reuse the page
 * without further checks"; else wp_can_reuse_anon_folio(); else folio_get() and wp_page_copy()
 * after dropping the PTL. Seed 003. Rules R15, R16, R18.
 * FAULT_FLAG_UNSHARE (`unshare`: GUP wants to R/O-pin a possibly shared anon page), read at
 * ColinIanKing/linux-next 042acf45157e: the same reuse-or-copy decision, but a reused page only
 * gets SetPageAnonExclusive ("if (unlikely(unshare)) { pte_unmap_unlock(); return 0; }": the PTE
 * stays R/O) and a copy is mapped R/O (wp_page_copy). On a large folio both work on the one
 * page: PageAnonExclusive(vmf->page) of that page, wp_can_reuse_anon_folio() for the folio (a
 * pin's reference keeps large mapcount != refcount: no reuse), and wp_page_copy() copies that
 * page into an order-0 folio (__wp_page_copy_user of vmf->page).
 * Model: a write fault on a shared file mapping goes to wp_page_shared (R19); no uffd-wp.
 * Variant: reuse_ignores_anon_exclusive — the decision is wp_can_reuse_anon_folio() alone, as
 * before PageAnonExclusive (v5.9–v5.18): an exclusive page that is pinned is copied.
 */
export function* do_wp_page(
  t: Task,
  vma: Vma,
  addr: number,
  orig: Pte,
  unshare: boolean,
  /** The site of the PTL the caller took (handle_pte_fault's or do_swap_page's): released here. */
  ptl: SiteId,
): Op {
  const pt = vma.mm.pt;
  if (vma.shared) return yield* wp_page_shared(t, vma, addr, orig, ptl);
  const f = folioOf(t, orig);
  assertLive(f, 'do_wp_page');
  const page = orig.t === 'present' ? orig.page : 0; // vmf->page
  const exclusive = f.pageExclusive(page) && !t.mutated('reuse_ignores_anon_exclusive');
  if (f.anon && (exclusive || wp_can_reuse_anon_folio(t, f, vma))) {
    if (!f.pageExclusive(page)) f.setPageExclusive(page, true); // SetPageAnonExclusive(vmf->page)
    if (unshare) {
      yield unlockAt(
        t.k,
        ptl,
        pt.ptl,
        'do_wp_page: pte_unmap_unlock() (FAULT_FLAG_UNSHARE: exclusive, the PTE stays R/O)',
      );
      return;
    }
    return yield* wp_page_reuse(t, vma, addr, orig, ptl);
  }
  folio_get(t, f);
  yield unlockAt(t.k, ptl, pt.ptl, 'do_wp_page: pte_unmap_unlock() before wp_page_copy()');
  yield* wp_page_copy(t, vma, addr, orig, f, unshare);
}

/**
 * wp_can_reuse_anon_folio - may a write fault reuse this (small, not exclusive) anon folio?
 * Kernel: mm/memory.c wp_can_reuse_anon_folio() @ AMDESE/linux-mm 91883f9ea22a: bail if KSM or
 * refcount > 3; lru_add_drain() if !folio_test_lru; bail if refcount > 1 + swapcache; folio_trylock(); folio_free_swap() if in
 * the swap cache; reuse only if refcount == 1 ("Ok, we've got the only folio reference from our
 * mapping and the folio is locked, it's dark out, and we're wearing sunglasses. Hit it.").
 * Mapcount is not consulted. Seed 003. Rule R15.
 * Model: runs in the caller's step (under the PTL; the folio lock is taken and dropped inside);
 * large folios: __wp_can_reuse_large_anon_folio (below); no KSM, no per-CPU LRU
 * batches (lru_add_drain has nothing to drain).
 * Variant: mapcount_based_reuse — the pre-v5.9 rule "reuse if mapcount == 1"; for a large
 * folio, v5.8's reuse_swap_page() → page_trans_huge_map_swapcount(): "map_swapcount =
 * max(map_swapcount, mapcount + swapcount)" over every page of the THP, reuse if <= 1 (read in
 * a v5.x mm/swapfile.c via the search tool; swap counts are left out here).
 */
export function wp_can_reuse_anon_folio(t: Task, f: Folio, vma: Vma): boolean {
  const fl = 'memory.c:wp_can_reuse_anon_folio:folio_trylock';
  if (f.nr > 1 && t.mutated('mapcount_based_reuse') && t.k.pageMapcount) {
    for (let i = 0; i < f.nr; i++) if (f.pageMapcount(i) > 1) return false;
    if (!tryLockAt(t.k, fl, f.lock)) return false;
    if (f.swapcache) folio_free_swap(t, f);
    folio_move_anon_rmap(t, f, vma);
    releaseAt(t.k, fl, f.lock);
    return true;
  }
  if (f.nr > 1) return __wp_can_reuse_large_anon_folio(t, f, vma);
  if (t.mutated('mapcount_based_reuse')) {
    if (f.mapcount !== 1) return false;
    if (!tryLockAt(t.k, fl, f.lock)) return false;
    if (f.swapcache) folio_free_swap(t, f);
    folio_move_anon_rmap(t, f, vma);
    releaseAt(t.k, fl, f.lock);
    return true;
  }
  if (f.refcount > 3) return false;
  if (f.refcount > 1 + (f.swapcache ? 1 : 0)) return false;
  if (!tryLockAt(t.k, fl, f.lock)) return false;
  if (f.swapcache) folio_free_swap(t, f);
  if (site(t.k, 'memory.c:wp_can_reuse_anon_folio:recheck_refcount') && f.refcount !== 1) {
    releaseAt(t.k, fl, f.lock);
    return false;
  }
  folio_move_anon_rmap(t, f, vma);
  releaseAt(t.k, fl, f.lock); // folio_unlock
  return true;
}

/**
 * __wp_can_reuse_large_anon_folio - may a write fault reuse a page of a large anon folio?
 * Kernel: mm/memory.c __wp_can_reuse_large_anon_folio() (CONFIG_MM_ID; "mm: Copy-on-Write (COW)
 * reuse support for PTE-mapped THP", 1da190f4d0a6, read in its 2024-08 v1 posting and the 2025-04
 * fixes quoting the merged body, so v6.15 inferred): "Let's just free up a large folio if only a
 * single page is mapped" (large mapcount <= 1: copy); maybe mapped shared → no; a swap-cache folio
 * is trylocked and folio_free_swap()ed; "If all folio references are from mappings, and all
 * mappings are in the page tables of this MM, then this folio is exclusive to this MM":
 * folio_large_mapcount == folio_ref_count, re-checked with the shared bit under
 * folio_lock_large_mapcount(). Without CONFIG_MM_ID, and in every kernel before it (era other
 * than 'today'): "let's just consistently not reuse subpages ... and give back a large folio a
 * bit sooner" — a large anon folio is never reused.
 * Model: the lock-free check and the re-check under the mapcount lock are one step (the caller's).
 * Variant: large_reuse_ignores_mapped_shared skips the "maybe mapped shared" test.
 */
function __wp_can_reuse_large_anon_folio(t: Task, f: Folio, _vma: Vma): boolean {
  if (!t.k.mmId) return false;
  if (f.large_mapcount <= 1) return false;
  const shared = () => f.mm_ids_shared && !t.mutated('large_reuse_ignores_mapped_shared');
  if (shared()) return false;
  if (f.swapcache) {
    const fl = 'memory.c:__wp_can_reuse_large_anon_folio:folio_trylock';
    if (!tryLockAt(t.k, fl, f.lock)) return false;
    folio_free_swap(t, f);
    releaseAt(t.k, fl, f.lock);
  }
  if (f.large_mapcount !== f.refcount) return false;
  // folio_lock_large_mapcount(); recheck
  if (shared() || f.large_mapcount !== f.refcount) return false;
  return true;
}

/**
 * wp_page_reuse - make the PTE writable and dirty, drop the PTL.
 * Kernel: mm/memory.c wp_page_reuse() @ AMDESE/linux-mm 91883f9ea22a: VM_BUG_ON(!(vmf->flags &
 * FAULT_FLAG_WRITE)); VM_BUG_ON(folio_test_anon(folio) && !PageAnonExclusive(vmf->page));
 * folio_xchg_last_cpupid; entry = maybe_mkwrite(pte_mkdirty(pte_mkyoung(orig_pte)));
 * ptep_set_access_flags(); pte_unmap_unlock(); count_vm_event(PGREUSE). Rule R18.
 * Model: only do_wp_page's write faults call it (no FAULT_FLAG_UNSHARE), so the first VM_BUG_ON
 * cannot fire; a writable PTE stands for a dirty one; no NUMA cpupid.
 */
export function* wp_page_reuse(t: Task, vma: Vma, addr: number, orig: Pte, ptl: SiteId): Op {
  const pt = vma.mm.pt;
  if (orig.t !== 'present') throw new SimMisuse('wp_page_reuse on a non-present pte');
  const f = folioOf(t, orig);
  if (f.anon && !f.pageExclusive(orig.page))
    bug('VM_BUG_ON', `wp_page_reuse: ${f.name} page ${orig.page} is not PageAnonExclusive`);
  pt.set(addr, mk_pte(orig.folio, orig.page, true));
  yield unlockAt(t.k, ptl, pt.ptl, 'wp_page_reuse: pte_unmap_unlock()');
}

/**
 * wp_page_copy - COW: copy the old folio into a new exclusive one and switch the PTE.
 * Kernel: mm/memory.c wp_page_copy() @ AMDESE/linux-mm 91883f9ea22a: folio_prealloc + __wp_page_copy_user;
 * pte_offset_map_lock; pte_same; ptep_clear_flush; folio_add_new_anon_rmap(new,
 * RMAP_EXCLUSIVE); set_pte_at; "Only after switching the pte to the new page may we remove the
 * mapcount here": folio_remove_rmap_pte(old); unlock; folio_put(old) for the PTE's reference,
 * free_swap_cache(old), folio_put(old) for the fault's. Rule R18.
 * Model: the TLB is not modelled: ptep_clear_flush and set_pte_at are one step; no zero-page
 * source, no mmu_notifier; the first folio_put(old) is the kernel's "new_folio = old_folio;
 * folio_put(new_folio)".
 * FAULT_FLAG_UNSHARE (read at ColinIanKing/linux-next 042acf45157e): the new PTE is not made
 * writable ("if (unlikely(unshare)) { soft-dirty/uffd-wp bits } else entry =
 * maybe_mkwrite(pte_mkdirty(entry), vma)"; "BUG_ON(unshare && pte_write(entry))").
 * Variant: cow_drops_rmap_before_pte_switch (R18).
 */
export function* wp_page_copy(t: Task, vma: Vma, addr: number, orig: Pte, old: Folio, unshare = false): Op {
  const pt = vma.mm.pt;
  yield 'wp_page_copy: folio_prealloc(); __wp_page_copy_user()';
  assertLive(old, 'wp_page_copy: __wp_page_copy_user');
  const page = orig.t === 'present' ? orig.page : 0; // vmf->page
  const nf = alloc_folio(t, true, old.pageContent(page)); // __wp_page_copy_user copies vmf->page
  mem_cgroup_charge(t, nf, get_mem_cgroup_from_mm(t, vma.mm));
  const ptl = 'memory.c:wp_page_copy:ptl';
  yield lockAt(t.k, ptl, pt.ptl, 'wp_page_copy: pte_offset_map_lock()');
  if (site(t.k, 'memory.c:wp_page_copy:recheck_pte_same') && !pte_same(pt.get(addr), orig)) {
    folio_put(t, nf);
    yield unlockAt(t.k, ptl, pt.ptl, 'wp_page_copy: pte_unmap_unlock() (pte changed)');
    yield 'wp_page_copy: folio_put(old)';
    folio_put(t, old);
    return;
  }
  if (
    !site(t.k, 'memory.c:wp_page_copy:pte_switch_before_rmap_drop') ||
    t.mutated('cow_drops_rmap_before_pte_switch')
  ) {
    folio_remove_rmap_ptes(t, old, [page], vma);
    folio_put(t, old); // the PTE's reference
    folio_put(t, old); // the fault's reference
    old.mem.write(old.kPtlPending, pt.name); // ghost for I2: the PTE switch is still to come
    yield 'wp_page_copy (mutated): ptep_clear_flush(); set_pte_at(new) after dropping old';
    old.mem.write(old.kPtlPending, null);
    folio_add_new_anon_rmap(t, nf, vma, true);
    folio_add_lru(t, nf);
    pt.set(addr, mk_pte(nf.name, 0, !unshare));
    yield unlockAt(t.k, ptl, pt.ptl, 'wp_page_copy: pte_unmap_unlock()');
    return;
  }
  folio_add_new_anon_rmap(t, nf, vma, true);
  folio_add_lru(t, nf); // folio_add_lru_vma
  pt.set(addr, mk_pte(nf.name, 0, !unshare)); // ptep_clear_flush + set_pte_at
  folio_remove_rmap_ptes(t, old, [page], vma);
  yield unlockAt(t.k, ptl, pt.ptl, 'wp_page_copy: pte_unmap_unlock()');
  yield 'wp_page_copy: folio_put(old) (the PTE reference)';
  folio_put(t, old);
  yield* free_swap_cache(t, old);
  yield 'wp_page_copy: folio_put(old) (the fault reference)';
  folio_put(t, old);
}

// --- fork -------------------------------------------------------------------------------------

/**
 * copy_page_range - fork's page-table copy of one VMA, skipped where faults can refill it.
 * Kernel: mm/memory.c copy_page_range() → vma_needs_copy() @ AMDESE/linux-mm 91883f9ea22a:
 * "Don't copy ptes where a page fault will fill them correctly": only a VMA with an anon_vma
 * (or VM_COPY_ON_FORK) is copied; a COW mapping bumps write_protect_seq around the copy.
 * Model: no hugetlb, no mmu_notifier, no write_protect_seq (GUP-fast is not modelled).
 */
export function* copy_page_range(t: Task, dst: Vma, src: Vma): Op {
  if (src.anon_vma === null) return; // !vma_needs_copy(): the child faults its pages in
  yield* copy_pte_range(t, dst, src);
}

/**
 * copy_pte_range - fork: copy the parent's PTEs into the child's page table under both PTLs.
 * Kernel: mm/memory.c copy_pte_range() → copy_present_ptes() / copy_nonpresent_pte() @
 * AMDESE/linux-mm 91883f9ea22a (and 0be9aa1490e5, softleaf_t): pte_alloc_map_lock(dst), then
 * spin_lock_nested(src_ptl); present anon pages get folio_get + folio_try_dup_anon_rmap_pte
 * (clears PageAnonExclusive, or fails if maybe pinned → copy_present_page) and
 * __copy_present_ptes write-protects them in both (is_cow_mapping && pte_write); file pages get
 * folio_dup_file_rmap_pte, and a VM_SHARED mapping's PTE is copied as is (only pte_mkclean /
 * pte_mkold); swap entries get swap_duplicate and pte_swp_clear_exclusive ("Mark the swap
 * entry as shared"); a writable or readable-exclusive migration entry becomes readable in both
 * (!softleaf_is_migration_read && is_cow_mapping: "A previously exclusive entry is now shared").
 * Rule R16.
 * A maybe-pinned exclusive anon page is copied at once (copy_present_ptes() @ ColinIanKing/
 * linux-next 042acf45157e: "If this page may have been pinned by the parent process, copy the
 * page immediately for the child": folio_put(); copy_present_page(), which needs a preallocated
 * folio: "if (!new_folio) return -EAGAIN", and copy_pte_range() then unlocks both PTLs,
 * folio_prealloc() (alloc + mem_cgroup_charge) and goes "again" from that address).
 * Model: both PTLs are taken in one step each (dst then src, the kernel's nesting order); no
 * swap count continuation, no hwpoison; the fork thread allocates one folio per pinned page
 * (k.thread's `alloc`). Large anon folios are copied in batches (copy_present_large_anon_ptes);
 * a pinned one falls back to one PTE at a time, as the kernel's -EAGAIN / prealloc path.
 * Variants: fork_keeps_anon_exclusive (R16, present PTEs: in folio_try_dup_anon_rmap_pte),
 * fork_keeps_swp_exclusive (R16, swap PTEs: the parent's pte_swp_exclusive stays set),
 * fork_shares_pinned_page (folio_try_dup_anon_rmap_pte ignores pins).
 */
export function* copy_pte_range(t: Task, dst: Vma, src: Vma): Op {
  const dpt = dst.mm.pt;
  const spt = src.mm.pt;
  let prealloc: Folio | null = null;
  let start = 0;
  again: for (;;) {
    yield lockAt(t.k, 'memory.c:copy_pte_range:ptl', dpt.ptl, 'copy_pte_range: pte_alloc_map_lock(dst)');
    yield lockAt(
      t.k,
      'memory.c:copy_pte_range:ptl',
      spt.ptl,
      'copy_pte_range: pte_offset_map_nolock(src) + spin_lock_nested',
      true,
    );
    for (let a = start; a < spt.size; a++) {
      const p = spt.get(a);
      if (p.t === 'present' && prealloc === null && folioOf(t, p).nr > 1 && folioOf(t, p).anon) {
        const nr = copy_present_large_anon_ptes(t, dst, src, a, p, folioOf(t, p));
        if (nr > 0) {
          a += nr - 1;
          continue;
        }
        // -EAGAIN (a maybe-pinned folio with an exclusive page in the batch): drop both PTLs,
        // folio_prealloc(), "goto again"; with *prealloc set, copy_present_ptes() takes this
        // PTE alone (folio_try_dup_anon_rmap_pte(), copy_present_page() if that fails too)
        start = a;
        yield unlockAt(
          t.k,
          'memory.c:copy_pte_range:ptl',
          spt.ptl,
          'copy_pte_range: spin_unlock(src_ptl) (-EAGAIN: need a prealloc folio)',
        );
        yield unlockAt(t.k, 'memory.c:copy_pte_range:ptl', dpt.ptl, 'copy_pte_range: pte_unmap_unlock(dst)');
        yield 'copy_pte_range: folio_prealloc() (vma_alloc_folio + mem_cgroup_charge)';
        prealloc = alloc_folio(t, true, 0);
        mem_cgroup_charge(t, prealloc, get_mem_cgroup_from_mm(t, src.mm));
        continue again;
      }
      if (p.t === 'present') {
        const f = folioOf(t, p);
        folio_get(t, f);
        if (f.anon) {
          const busy =
            f.nr > 1 ? folio_try_dup_anon_rmap_ptes(t, f, [p.page], dst) : folio_try_dup_anon_rmap_pte(t, f);
          if (busy) {
            // "Page may be pinned, we have to copy."
            folio_put(t, f);
            if (prealloc === null) {
              // -EAGAIN: drop both PTLs, folio_prealloc(), "goto again" from this address
              start = a;
              yield unlockAt(
                t.k,
                'memory.c:copy_pte_range:ptl',
                spt.ptl,
                'copy_pte_range: spin_unlock(src_ptl) (-EAGAIN: need a prealloc folio)',
              );
              yield unlockAt(
                t.k,
                'memory.c:copy_pte_range:ptl',
                dpt.ptl,
                'copy_pte_range: pte_unmap_unlock(dst)',
              );
              yield 'copy_pte_range: folio_prealloc() (vma_alloc_folio + mem_cgroup_charge)';
              prealloc = alloc_folio(t, true, 0);
              mem_cgroup_charge(t, prealloc, get_mem_cgroup_from_mm(t, src.mm));
              continue again;
            }
            copy_present_page(t, dst, a, f, prealloc, p.page);
            prealloc = null;
            dst.mm.setExpect(a, src.mm.expect(a));
            continue;
          }
          if (p.write) spt.set(a, mk_pte(p.folio, p.page, false)); // wrprotect_ptes (parent)
          dpt.set(a, mk_pte(p.folio, p.page, false));
        } else {
          f.mapcount = f.mapcount + 1; // folio_dup_file_rmap_pte
          dpt.set(a, mk_pte(p.folio, p.page, false));
        }
        if (prealloc !== null) {
          // "pre-alloc page cannot be reused by next time ... This could only happen if one
          // pinned pte changed": folio_put(prealloc)
          folio_put(t, prealloc);
          prealloc = null;
        }
      } else if (p.t === 'swap') {
        swap_duplicate(t, p.entry);
        // "Mark the swap entry as shared" (Variant fork_keeps_swp_exclusive, R16: left exclusive)
        if (p.excl && !t.mutated('fork_keeps_swp_exclusive')) spt.set(a, swp_entry_to_pte(p.entry, false));
        dpt.set(a, swp_entry_to_pte(p.entry, false));
      } else if (p.t === 'migration') {
        // "COW mappings require pages in both parent and child to be set to read. A previously
        // exclusive entry is now shared." (no reference, no mapcount: just the rss counter)
        // (is_writable_migration_entry || is_readable_exclusive_migration_entry: make it readable)
        if (p.excl && !src.shared) spt.set(a, make_migration_entry(p.folio, false, false));
        dpt.set(a, make_migration_entry(p.folio, src.shared && p.write, src.shared && p.excl));
      }
      dst.mm.setExpect(a, src.mm.expect(a));
    }
    yield unlockAt(t.k, 'memory.c:copy_pte_range:ptl', spt.ptl, 'copy_pte_range: spin_unlock(src_ptl)');
    yield unlockAt(t.k, 'memory.c:copy_pte_range:ptl', dpt.ptl, 'copy_pte_range: pte_unmap_unlock(dst)');
    break;
  }
  // out: "if (unlikely(prealloc)) folio_put(prealloc)"
  if (prealloc !== null) folio_put(t, prealloc);
}

/**
 * copy_present_page - fork: give the child its own copy of a maybe-pinned exclusive anon page.
 * Kernel: mm/memory.c copy_present_page() @ ColinIanKing/linux-next 042acf45157e: "We have a
 * prealloc page, all good! Take it over and copy the page & arm it": copy_mc_user_highpage();
 * folio_add_new_anon_rmap(new_folio, dst_vma, addr, RMAP_EXCLUSIVE); folio_add_lru_vma();
 * "pte = maybe_mkwrite(pte_mkdirty(pte), dst_vma)"; set_pte_at(dst). The parent's PTE and
 * page stay as they are (still exclusive, still writable if they were). Rule R16.
 * Model: runs in copy_pte_range's locked step; no uffd-wp. `page`: the page of `src` the PTE
 * maps (a page of a large folio is copied into a small one, as the kernel's order-0 prealloc).
 */
export function copy_present_page(t: Task, dst: Vma, addr: number, src: Folio, nf: Folio, page = 0): void {
  nf.content = src.pageContent(page); // copy_mc_user_highpage
  folio_add_new_anon_rmap(t, nf, dst, true);
  folio_add_lru(t, nf); // folio_add_lru_vma
  dst.mm.pt.set(addr, mk_pte(nf.name, 0, dst.vm_write));
}

/**
 * copy_present_ptes for a large anon folio - fork copies a batch of PTEs that map consecutive
 * pages of one large folio with the same write bit (folio_pte_batch), as one: folio_ref_add(nr),
 * folio_try_dup_anon_rmap_ptes(folio, page, nr, dst_vma, src_vma), and __copy_present_ptes
 * write-protects the batch in parent and child (is_cow_mapping && pte_write). Returns nr.
 * Kernel: mm/memory.c copy_present_ptes() (read in the 2023-12 batching posting and in a
 * line-by-line transliteration of a recent mainline copy via the search tool): "if (!*prealloc
 * && folio_test_large(folio) && max_nr != 1)": nr = folio_pte_batch_flags(...,
 * FPB_RESPECT_DIRTY for private mappings); folio_ref_add(folio, nr); anon:
 * folio_try_dup_anon_rmap_ptes(folio, page, nr, dst_vma, src_vma), on failure folio_ref_sub and
 * -EAGAIN (then copy_present_page); __copy_present_ptes(..., nr). Returns 0 for -EAGAIN
 * (folio_try_dup_anon_rmap_ptes failed: the folio may be pinned and a page of the batch is
 * PageAnonExclusive): copy_pte_range() then preallocates and copies the PTEs one by one.
 * Model: dirty, soft-dirty and uffd-wp bits are not modelled (the batch compares the write
 * bit); the batch never crosses the end of the table.
 */
function copy_present_large_anon_ptes(
  t: Task,
  dst: Vma,
  src: Vma,
  a: number,
  p: Extract<Pte, { t: 'present' }>,
  f: Folio,
): number {
  const spt = src.mm.pt;
  const dpt = dst.mm.pt;
  let nr = 1;
  while (a + nr < spt.size) {
    const q = spt.get(a + nr);
    if (q.t !== 'present' || q.folio !== p.folio || q.page !== p.page + nr || q.write !== p.write) break;
    nr++;
  }
  const pages = Array.from({ length: nr }, (_, i) => p.page + i);
  f.refcount = f.refcount + nr; // folio_ref_add(folio, nr)
  if (folio_try_dup_anon_rmap_ptes(t, f, pages, dst)) {
    f.refcount = f.refcount - nr; // folio_ref_sub(folio, nr); return -EAGAIN
    return 0;
  }
  for (let i = 0; i < nr; i++) {
    if (p.write) spt.set(a + i, mk_pte(p.folio, p.page + i, false)); // wrprotect_ptes (parent)
    dpt.set(a + i, mk_pte(p.folio, p.page + i, false));
    dst.mm.setExpect(a + i, src.mm.expect(a + i));
  }
  return nr;
}

// --- shared file mappings (R19) ----------------------------------------------------------------

/**
 * do_shared_fault - write fault on an empty PTE of a shared file mapping: get the page-cache
 * folio, let the filesystem know it becomes writable (->page_mkwrite, which returns it locked),
 * map it writable and dirty, mark the folio dirty under its lock.
 * Kernel: mm/memory.c do_fault() ("else if (!(vma->vm_flags & VM_SHARED)) do_cow_fault; else
 * do_shared_fault") → do_shared_fault(): __do_fault(); if (vma->vm_ops->page_mkwrite) {
 * folio_unlock(); do_page_mkwrite() }; finish_fault(); fault_dirty_shared_page()
 * (folio_mark_dirty, folio_unlock), read in several v5.x–v6.x copies via find_string. Rule R19.
 * Model: a filesystem with ->page_mkwrite (writenotify: ext4, xfs); the folio is in the page
 * cache (no read-in) and is looked up when the fault starts (scenarios with R19's writes do not
 * truncate; the lookup's folio_get is taken with the lock); __do_fault's lock and
 * page_mkwrite's relock are one folio_lock();
 * page_mkwrite's "folio->mapping != mapping" check is the page-cache re-check; folio_mark_dirty
 * and folio_unlock run in the step that drops the PTL (nothing else happens in between); no
 * folio_wait_stable.
 */
export function* do_shared_fault(t: Task, vma: Vma, addr: number): Op {
  const as = vma.file as AddressSpace;
  const pt = vma.mm.pt;
  const name = as.mem.peekValue(as.kPages[addr]) as string | null; // the lookup (see Model)
  if (name === null) throw new SimMisuse('do_shared_fault: a page-cache miss (read-in) is not modelled');
  const f = t.k.lookup<Folio>(name, 'folio');
  const fl = 'memory.c:do_shared_fault:folio_lock';
  yield lockAt(t.k, fl, f.lock, '__do_fault: filemap_fault(); do_page_mkwrite(): folio_lock()');
  assertLive(f, 'filemap_fault');
  folio_get(t, f);
  if (site(t.k, 'memory.c:do_shared_fault:recheck_mapping') && as.page(addr) !== f.name) {
    yield unlockAt(t.k, fl, f.lock, 'do_page_mkwrite: folio_unlock() (truncated: VM_FAULT_NOPAGE)');
    folio_put(t, f);
    return;
  }
  yield lockAt(t.k, 'memory.c:finish_fault:ptl', pt.ptl, 'finish_fault: pte_offset_map_lock()');
  if (pt.get(addr).t === 'none') {
    folio_add_file_rmap_ptes(t, f); // set_pte_range(): the fault's reference is the PTE's
    pt.set(addr, mk_pte(f.name, 0, true));
  } else folio_put(t, f);
  yield unlockAt(
    t.k,
    'memory.c:finish_fault:ptl',
    pt.ptl,
    'finish_fault: pte_unmap_unlock(); fault_dirty_shared_page()',
  );
  f.dirty = true; // fault_dirty_shared_page: folio_mark_dirty(); folio_unlock()
  releaseAt(t.k, fl, f.lock);
}

/**
 * wp_page_shared - write fault on a write-protected PTE of a shared file mapping (writeback's
 * folio_mkclean made it read-only): notify the filesystem, make the PTE writable again, and
 * dirty the folio under its lock, so the write is written back again. Entered with the PTL held.
 * Kernel: mm/memory.c wp_page_shared() (folio_get(); if page_mkwrite: pte_unmap_unlock(),
 * do_page_mkwrite(), finish_mkwrite_fault() — pte_offset_map_lock, "if (!pte_same(...))" back
 * out, wp_page_reuse() —; fault_dirty_shared_page()), read in v5.x–v6.x copies via find_string.
 * Rule R19.
 * Model: as do_shared_fault; folio_mark_dirty, folio_unlock and the final folio_put run in the
 * step that drops the PTL (nothing else happens in between).
 */
export function* wp_page_shared(t: Task, vma: Vma, addr: number, orig: Pte, ptl: SiteId): Op {
  const pt = vma.mm.pt;
  const f = folioOf(t, orig);
  folio_get(t, f);
  yield unlockAt(t.k, ptl, pt.ptl, 'wp_page_shared: pte_unmap_unlock() before do_page_mkwrite()');
  const fl = 'memory.c:wp_page_shared:folio_lock';
  yield lockAt(t.k, fl, f.lock, 'do_page_mkwrite: ->page_mkwrite(): folio_lock()');
  const mkw = 'memory.c:finish_mkwrite_fault:ptl';
  yield lockAt(t.k, mkw, pt.ptl, 'finish_mkwrite_fault: pte_offset_map_lock()');
  if (!site(t.k, 'memory.c:finish_mkwrite_fault:recheck_pte_same') || pte_same(pt.get(addr), orig))
    pt.set(addr, mk_pte(f.name, 0, true)); // wp_page_reuse
  yield unlockAt(t.k, mkw, pt.ptl, 'finish_mkwrite_fault: pte_unmap_unlock(); fault_dirty_shared_page()');
  f.dirty = true; // fault_dirty_shared_page: folio_mark_dirty(); folio_unlock()
  releaseAt(t.k, fl, f.lock);
  folio_put(t, f);
}

// --- PTE tables found through the PMD (R20) ----------------------------------------------------

/**
 * do_anonymous_page, where the scenario models the PMD (k.pmd): allocate the PTE table if the
 * PMD is none, then map the new folio through pte_offset_map_lock(), which may fail (the table
 * was detached meanwhile: the fault returns and is retried).
 * Kernel: mm/memory.c do_anonymous_page(): "if (pte_alloc(vma->vm_mm, vmf->pmd)) return
 * VM_FAULT_OOM;" ... "vmf->pte = pte_offset_map_lock(vma->vm_mm, vmf->pmd, vmf->address,
 * &vmf->ptl); if (!vmf->pte) goto release;" @ AMDESE/linux-mm 91883f9ea22a. Rule R20.
 * Model: as do_anonymous_page; pte_alloc() installs the mm's one spare table, in the step that
 * allocates the folio (the kernel's pmd_populate under the PMD lock); an install into a table
 * the PMD no longer points to is the guard of I17.
 */
export function* do_anonymous_page_pmd(t: Task, vma: Vma, addr: number): Op {
  const mm = vma.mm;
  yield 'do_anonymous_page: pte_alloc(); alloc_anon_folio() (folio_prealloc + mem_cgroup_charge)';
  if (mm.pmd === null) {
    // pmd_none: pte_alloc() → __pte_alloc() → pmd_populate() of a fresh table
    if (mm.spare === null || mm.spare.freed) throw new SimMisuse('pte_alloc: no spare PTE table');
    mm.pmd = mm.spare.name;
  }
  const f = alloc_folio(t, true, 0);
  mem_cgroup_charge(t, f, get_mem_cgroup_from_mm(t, mm));
  const pt = yield* pte_offset_map_lock(t, mm, 'do_anonymous_page');
  if (pt === null) {
    yield 'do_anonymous_page: release: folio_put() (pte_offset_map_lock() failed: retry the fault)';
    folio_put(t, f);
    return;
  }
  if (site(t.k, 'memory.c:do_anonymous_page:recheck_pte_none') && pt.get(addr).t !== 'none') {
    folio_put(t, f);
    return yield* pte_unmap_unlock(t, pt, 'do_anonymous_page: pte_unmap_unlock() (vmf_pte_changed)');
  }
  if (mm.pmd !== pt.name)
    guard(t.k, INV.I17, `do_anonymous_page: PTE install into ${pt.name}, which the PMD no longer points to`);
  folio_add_new_anon_rmap(t, f, vma, true);
  folio_add_lru(t, f); // folio_add_lru_vma
  pt.set(addr, mk_pte(f.name, 0, true));
  yield* pte_unmap_unlock(t, pt, 'do_anonymous_page: pte_unmap_unlock()');
}

// --- the per-VMA lock (R22) ---------------------------------------------------------------------

/**
 * lock_vma_under_rcu / lock_mm_and_find_vma - how a page fault locks the VMA it faults in (the
 * arch fault handler, around handle_mm_fault): the per-VMA read lock, which fails while the VMA
 * is write-locked (vma_start_write()), and then the fallback, mmap_read_lock(). Returns a release.
 * Kernel: mm/memory.c lock_vma_under_rcu() (vma_start_read() fails if the VMA is write-locked)
 * and the x86 do_user_addr_fault() fallback to lock_mm_and_find_vma(), as kernel-rules.md R22
 * and Documentation/mm/process_addrs.rst describe them (not re-read here). Rule R22.
 * Model: only lazy VMAs (k.lazyAnonVma); the read lock is a reader count, the wait for the mmap
 * writer is an await; vma_end_read() / mmap_read_unlock() are one step at the end of the fault.
 */
export function* lock_vma_under_rcu(t: Task, vma: Vma): Op<() => Op> {
  const mm = vma.mm;
  yield 'lock_vma_under_rcu(): vma_start_read()';
  if (!site(t.k, 'memory.c:lock_vma_under_rcu:vma_start_read'))
    return function* () {
      yield 'vma_end_read() [elided: memory.c:lock_vma_under_rcu:vma_start_read]';
    };
  if (vma.vma_writer === -1) {
    vma.vma_readers = vma.vma_readers + 1;
    return function* () {
      yield 'vma_end_read()';
      vma.vma_readers = vma.vma_readers - 1;
    };
  }
  // write-locked: the fault retries under mmap_read_lock(), which waits for the writer
  const mrl = 'memory.c:lock_mm_and_find_vma:mmap_read_lock';
  yield untilAt(t.k, mrl, 'lock_mm_and_find_vma(): mmap_read_lock()', () => mm.mmap_writer === -1);
  const locked = site(t.k, mrl);
  if (locked) mm.mmap_readers = mm.mmap_readers + 1;
  return function* () {
    yield 'mmap_read_unlock()';
    if (locked) mm.mmap_readers = mm.mmap_readers - 1;
  };
}
