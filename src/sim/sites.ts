import { type Request, until } from '../explorer/index.ts';
import type { Kernel } from './kernel.ts';
import type { KMutex } from './lockdep.ts';

/**
 * Named synchronisation sites (issue 14): every lock/unlock pair, trylock, RCU read section,
 * reference pin, re-check after a lock and deliberate step order of the ops that the necessity
 * map asks "is this still needed?". A site's id names the kernel code
 * (`<file>.c:<function>:<what>`) and stands, as a string, at the line of the op it guards, so
 * `git grep <id>` finds it; its description says what it does.
 *
 * A scenario elides at most one site (`ScenarioOptions.elide`): `site()` then answers false, so
 * the op skips the re-check, takes the other order, or (through `lockAt`/`unlockAt`) leaves the
 * lock out — in any era, without editing the op. An unknown id is SimMisuse (see scenario()).
 * The necessity map (tools/necessity.ts → src/sim/necessity.json) runs every scenario with each
 * site elided and records which harm appears.
 *
 * Each site has a section on the site's pages, anchored `#site-<id>` with every run of
 * characters other than [a-z0-9] made one '-' (`siteAnchor()`: 'memory.c:do_swap_page:ptl' →
 * `#site-memory-c-do-swap-page-ptl`): on /why-locks/ (sites a harm needs, in mm/memory.c and
 * the other fault and page-table files), /why-locks-rmap/ (sites a harm needs, in the rmap, fork,
 * page-cache, migration, reclaim, swap and memcg files) or /why-locks-unneeded/ (sites no scenario
 * needs, with why); /why-locks-rmap/#sites-by-function lists every site by kernel function,
 * linked to its section.
 */
export type SiteKind = 'lock' | 'trylock' | 'rcu' | 'pin' | 'recheck' | 'order';

export interface SiteInfo {
  readonly kind: SiteKind;
  /** One line: what the site does, and what eliding it does. */
  readonly what: string;
}

export const SITES = {
  // --- mm/rmap.c ---------------------------------------------------------------------------
  'rmap.c:folio_lock_anon_vma_read:rcu': {
    kind: 'rcu',
    what: 'rcu_read_lock() around reading folio->mapping and pinning the anon_vma (SLAB_TYPESAFE_BY_RCU keeps the memory an anon_vma); elided, the reader is not an RCU reader and a grace period does not wait for it',
  },
  'rmap.c:folio_lock_anon_vma_read:recheck_mapped': {
    kind: 'recheck',
    what: 're-check folio_mapped() after pinning the anon_vma (trylock or refcount): a folio unmapped meanwhile may have a freed and reused anon_vma; elided, the pin is trusted',
  },
  'rmap.c:__put_anon_vma:rcu_grace_period': {
    kind: 'rcu',
    what: "a freed anon_vma's slab memory waits an RCU grace period before it can become something else (SLAB_TYPESAFE_BY_RCU); elided, it is a page table at once",
  },
  'rmap.c:page_remove_rmap:lock_page_memcg': {
    kind: 'lock',
    what: "(era 2022) lock_page_memcg() around rmap's mapcount transition and its NR_*_MAPPED stat update, so a charge mover sees both or neither; elided, it covers only the stat update, a step of its own after the transition (Linus's proposal, as the memcg_lock_before_stats_only switch). Era 2023 has no such lock: with a charge mover the update is a step of its own",
  },
  // --- mm/memory.c -------------------------------------------------------------------------
  'memory.c:zap_pte_range:ptl': {
    kind: 'lock',
    what: 'zap_pte_range() clears PTEs and removes their rmap under the page-table lock',
  },
  'memory.c:zap_pte_range:rmap_under_ptl': {
    kind: 'order',
    what: 'folio_remove_rmap_ptes() runs inside the PTL section that cleared the PTE; elided, it runs after pte_unmap_unlock() (the rmap_after_ptl_drop order)',
  },
  'memory.c:zap_pte_range:rmap_after_tlb_flush': {
    kind: 'order',
    what: "a dirty file folio's rmap goes only after the TLB flush (tlb_delay_rmap, tlb_flush_rmaps); elided, page_remove_rmap() runs before the flush (the pre-v6.2 order)",
  },
  'memory.c:free_pgtables:unlink_before_free': {
    kind: 'order',
    what: 'free_pgtables() unlinks the VMA from the rmap before freeing its page tables; elided, the tables are freed first',
  },
  'memory.c:do_anonymous_page:ptl': {
    kind: 'lock',
    what: 'do_anonymous_page() re-checks pte_none and installs the new folio under the PTL',
  },
  'memory.c:do_anonymous_page:recheck_pte_none': {
    kind: 'recheck',
    what: 'after taking the PTL, do_anonymous_page() re-checks the PTE is still none (vmf_pte_changed); elided, it installs over whatever another fault put there',
  },
  'memory.c:do_swap_page:folio_lock': {
    kind: 'lock',
    what: 'do_swap_page() holds the swap-cache folio lock (folio_lock_or_retry) from the swap-cache re-check to the PTE install',
  },
  'memory.c:do_swap_page:recheck_swapcache': {
    kind: 'recheck',
    what: 'after folio_lock, do_swap_page() re-checks the folio is still the swap cache folio of the entry (folio_matches_swap_entry)',
  },
  'memory.c:do_swap_page:recheck_pte_same': {
    kind: 'recheck',
    what: 'after taking the PTL, do_swap_page() re-checks the swap PTE is unchanged (pte_same, exclusive bit included)',
  },
  'memory.c:do_swap_page:swapcache_prepare': {
    kind: 'pin',
    what: 'the SWP_SYNCHRONOUS_IO swapin claims SWAP_HAS_CACHE (swapcache_prepare) before reading, so a second fault on the entry backs off',
  },
  'memory.c:wp_page_copy:ptl': {
    kind: 'lock',
    what: 'wp_page_copy() re-checks the PTE and switches it to the copy under the PTL',
  },
  'memory.c:wp_page_copy:recheck_pte_same': {
    kind: 'recheck',
    what: 'after taking the PTL, wp_page_copy() re-checks the PTE is unchanged (pte_same) before replacing it',
  },
  'memory.c:wp_page_copy:pte_switch_before_rmap_drop': {
    kind: 'order',
    what: "wp_page_copy() installs the new PTE before dropping the old folio's rmap and references; elided, the old folio is dropped first",
  },
  'pgtable-generic.c:__pte_offset_map_lock:recheck_pmd_same': {
    kind: 'recheck',
    what: 'after taking the PTL, __pte_offset_map_lock() re-checks pmd_same(): the table may have been detached (PT reclaim)',
  },
  // --- kernel/fork.c -----------------------------------------------------------------------
  'fork.c:dup_mmap:vma_start_write': {
    kind: 'lock',
    what: 'dup_mmap() write-locks each parent VMA (vma_start_write), excluding per-VMA-lock faults while it copies',
  },
  'fork.c:anon_vma_fork:anon_vma_clone': {
    kind: 'order',
    what: "fork links the child VMA into the parent's anon_vma (anon_vma_clone) before copying PTEs",
  },
  'fork.c:mmget_not_zero': {
    kind: 'pin',
    what: "a remote accessor pins the mm with mmget_not_zero() (atomic_inc_not_zero): never after exit's last mmput",
  },
  // --- mm/filemap.c ------------------------------------------------------------------------
  'filemap.c:filemap_map_pages:folio_trylock': {
    kind: 'trylock',
    what: "fault-around maps a page-cache folio only if folio_trylock() succeeds and the folio is still the file's (truncation holds the lock)",
  },
  // --- mm/memcontrol-v1.c ------------------------------------------------------------------
  'memcontrol-v1.c:mem_cgroup_move_account:folio_trylock': {
    kind: 'trylock',
    what: "(era 2022) mem_cgroup_move_account() trylocks the folio; (2023) get_mctgt_type() does, and skips a non-present PTE's folio mapped elsewhere",
  },
  'memcontrol-v1.c:mem_cgroup_move_charge_pte_range:folio_isolate_lru': {
    kind: 'pin',
    what: 'charge moving isolates the folio from the LRU before switching its memcg, so the LRU lists keep their lruvec',
  },
  'memcontrol-v1.c:mem_cgroup_move_charge_pte_range:ptl': {
    kind: 'lock',
    what: 'the charge mover walks the page table under the PTL (pte_offset_map_lock)',
  },
  // --- mm/vmscan.c, mm/migrate.c -----------------------------------------------------------
  'vmscan.c:__remove_mapping:freeze_before_swapout': {
    kind: 'order',
    what: '__remove_mapping() moves the charge to the swap entry (memcg1_swapout) only after folio_ref_freeze() succeeded',
  },
  'migrate.c:migrate_folio_unmap:folio_lock': {
    kind: 'lock',
    what: "migration holds the source folio lock from unmap to the migration PTEs' removal",
  },
  // --- further PTL sections, folio locks and re-checks ---------------------------------------
  'memory.c:handle_pte_fault:recheck_pte_same': {
    kind: 'recheck',
    what: 'a fault on a present PTE re-checks it under the PTL (pte_same) before acting on what it read without the lock',
  },
  'memory.c:do_shared_fault:folio_lock': {
    kind: 'lock',
    what: "a write fault on a shared file mapping holds the folio lock (->page_mkwrite's) from the page-cache re-check to the dirtying, excluding truncation and writeback",
  },
  'memory.c:do_shared_fault:recheck_mapping': {
    kind: 'recheck',
    what: 'under the folio lock, ->page_mkwrite re-checks the folio is still in the file (folio->mapping): truncation may have removed it',
  },
  'memory.c:finish_fault:ptl': {
    kind: 'lock',
    what: 'finish_fault() re-checks the PTE is none and maps the page-cache folio under the PTL',
  },
  'memory.c:wp_page_shared:folio_lock': {
    kind: 'lock',
    what: 'a write fault on a write-protected shared PTE dirties the folio under the folio lock (->page_mkwrite), so writeback cannot clean it in between',
  },
  'mprotect.c:change_pte_range:ptl': {
    kind: 'lock',
    what: 'mprotect() rewrites the PTEs under the PTL',
  },
  'mremap.c:move_ptes:ptl': {
    kind: 'lock',
    what: 'mremap() moves the PTEs under the old and new PTLs',
  },
  'gup.c:follow_page_pte:ptl': {
    kind: 'lock',
    what: 'GUP reads the PTE and takes its folio reference or pin under the PTL',
  },
  'filemap.c:filemap_map_pages:ptl': {
    kind: 'lock',
    what: 'fault-around re-checks pte_none and maps the folio under the PTL',
  },
  'page-writeback.c:writeback_iter:folio_lock': {
    kind: 'lock',
    what: 'writeback locks the folio to clean it (folio_clear_dirty_for_io, folio_mkclean) and start writeback',
  },
  'truncate.c:truncate_inode_pages_range:folio_lock': {
    kind: 'lock',
    what: 'truncation holds the folio lock while it unmaps the folio and removes it from the page cache',
  },
  'truncate.c:truncate_inode_pages_range:recheck_mapping': {
    kind: 'recheck',
    what: 'under the folio lock, truncation re-checks the folio is still in the page cache',
  },
  'vmscan.c:folio_isolate_lru:lru_lock': {
    kind: 'lock',
    what: "isolating a folio takes the lru_lock of its memcg's lruvec for the list_del",
  },
  'pt_reclaim.c:free_pte:rcu_grace_period': {
    kind: 'rcu',
    what: 'a page table detached by PT reclaim is freed only after an RCU grace period, so a walker that found it locklessly (pte_offset_map) finishes first',
  },
  'memory.c:copy_pte_range:ptl': {
    kind: 'lock',
    what: "fork copies the parent's PTEs under both page-table locks (dst, then src nested)",
  },
  'memory.c:unmap_mapping_folio:i_mmap_lock_read': {
    kind: 'lock',
    what: "truncation walks the file's VMAs (i_mmap tree) under i_mmap_rwsem, which a VMA's unlink write-locks",
  },
  'rmap.c:unlink_anon_vmas:anon_vma_lock_write': {
    kind: 'lock',
    what: 'unlink_anon_vmas() write-locks the anon_vma root while it unlinks the VMA, excluding rmap walkers that hold it for read',
  },
  'rmap.c:folio_referenced:folio_trylock': {
    kind: 'trylock',
    what: 'folio_referenced() trylocks a folio its caller did not lock before the rmap walk: file and KSM folios in every era, every folio today ("mm: always call rmap_walk() on locked folios"); elided, the walk runs unlocked, as it did for anon folios before',
  },
  'rmap.c:folio_referenced_one:ptl': {
    kind: 'lock',
    what: 'folio_referenced_one() reads the PTEs mapping the folio under the PTL (page_vma_mapped_walk)',
  },
  // --- the rest of the ops' locks, pins and re-checks (named with issue 14's second pass) ------
  // mm/memory.c: faults
  'memory.c:handle_pte_fault:ptl': {
    kind: 'lock',
    what: 'a fault on a present PTE takes the PTL (vmf->ptl) to re-check and act on it; do_wp_page() and its helpers release it',
  },
  'memory.c:do_swap_page:ptl': {
    kind: 'lock',
    what: 'do_swap_page() re-checks the swap PTE and maps the folio under the PTL (pte_offset_map_lock); a write fault on a read-only result hands it to do_wp_page()',
  },
  'memory.c:do_swap_page:__folio_set_locked': {
    kind: 'lock',
    what: 'the SWP_SYNCHRONOUS_IO swapin locks its new folio (__folio_set_locked) from the allocation to the PTE install',
  },
  'memory.c:wp_can_reuse_anon_folio:folio_trylock': {
    kind: 'trylock',
    what: 'wp_can_reuse_anon_folio() trylocks the folio to free its swap cache, re-check the refcount and move the anon rmap (elided: the trylock succeeds without the lock)',
  },
  'memory.c:wp_can_reuse_anon_folio:recheck_refcount': {
    kind: 'recheck',
    what: 'under the folio lock, after folio_free_swap(), wp_can_reuse_anon_folio() reuses only if folio_ref_count() == 1; elided, a folio whose lockless check passed is reused whatever its refcount now is',
  },
  'memory.c:__wp_can_reuse_large_anon_folio:folio_trylock': {
    kind: 'trylock',
    what: "a large anon folio's reuse check trylocks a swap-cache folio to folio_free_swap() it",
  },
  'memory.c:finish_mkwrite_fault:ptl': {
    kind: 'lock',
    what: 'after ->page_mkwrite, finish_mkwrite_fault() re-takes the PTL to re-check the PTE and make it writable (wp_page_reuse)',
  },
  'memory.c:finish_mkwrite_fault:recheck_pte_same': {
    kind: 'recheck',
    what: 'under the re-taken PTL, finish_mkwrite_fault() makes the PTE writable only if it is unchanged (pte_same) since the PTL was dropped for ->page_mkwrite',
  },
  'memory.c:lock_vma_under_rcu:vma_start_read': {
    kind: 'lock',
    what: 'a fault takes the per-VMA read lock (vma_start_read), failing over to mmap_read_lock while the VMA is write-locked; elided, the fault takes no VMA lock at all',
  },
  'memory.c:lock_mm_and_find_vma:mmap_read_lock': {
    kind: 'lock',
    what: "the fault's fallback takes mmap_read_lock, waiting for the mmap writer (fork's dup_mmap)",
  },
  // mm/pgtable-generic.c, mm/filemap.c
  'pgtable-generic.c:__pte_offset_map_lock:ptl': {
    kind: 'lock',
    what: 'pte_offset_map_lock() takes the PTL of the table it found through the PMD; pte_unmap_unlock() releases it',
  },
  'pgtable-generic.c:__pte_offset_map:rcu': {
    kind: 'rcu',
    what: 'pte_offset_map() enters an RCU read section before reading the PMD and leaves it at pte_unmap_unlock(), so a table freed by PT reclaim (after a grace period) stays a table while it is used',
  },
  'filemap.c:filemap_map_pages:rcu': {
    kind: 'rcu',
    what: 'fault-around looks up and maps page-cache folios inside rcu_read_lock() (the xarray walk, folio_try_get, the PTE table)',
  },
  'filemap.c:next_uptodate_folio:recheck_mapping': {
    kind: 'recheck',
    what: "after folio_trylock(), next_uptodate_folio() re-checks the folio is still the file's at that index (xas_reload, folio->mapping); elided, a truncated folio is mapped",
  },
  // kernel/fork.c, mm/rmap.c, mm/vma.c
  'fork.c:dup_mmap:mmap_write_lock': {
    kind: 'lock',
    what: "dup_mmap() holds the parent's mmap_write_lock while it copies, excluding faults that fall back to mmap_read_lock",
  },
  'rmap.c:anon_vma_clone:lock_anon_vma_root': {
    kind: 'lock',
    what: "fork links the child VMA into the parent's anon_vma under its root rwsem, write-locked (lock_anon_vma_root)",
  },
  'rmap.c:folio_lock_anon_vma_read:anon_vma_lock_read': {
    kind: 'lock',
    what: 'an anon rmap walk holds the anon_vma root rwsem for read (down_read_trylock, or anon_vma_lock_read after pinning) from folio_lock_anon_vma_read() to anon_vma_unlock_read(); elided, the walk holds no rwsem',
  },
  'rmap.c:folio_lock_anon_vma_read:atomic_inc_not_zero': {
    kind: 'pin',
    what: 'when the trylock fails, folio_lock_anon_vma_read() pins the anon_vma (atomic_inc_not_zero) before leaving RCU to sleep on the rwsem; elided, it sleeps on an anon_vma nothing holds',
  },
  'rmap.c:anon_vma_free:anon_vma_lock_write': {
    kind: 'lock',
    what: 'anon_vma_free() takes and drops the rwsem if it is locked (rwsem_is_locked), waiting out a reader that pinned it by down_read_trylock; elided, it frees under the reader',
  },
  'rmap.c:rmap_walk_file:i_mmap_lock_read': {
    kind: 'lock',
    what: 'a file rmap walk (folio_mkclean, try_to_unmap) holds i_mmap_rwsem for read over the i_mmap tree',
  },
  'vma.c:unlink_file_vma:i_mmap_lock_write': {
    kind: 'lock',
    what: 'unlink_file_vma() removes a file VMA from the i_mmap tree under i_mmap_rwsem, write-locked',
  },
  'rmap.c:try_to_unmap_one:ptl': {
    kind: 'lock',
    what: "try_to_unmap_one() replaces the folio's PTEs by swap entries and drops the rmap under the PTL (page_vma_mapped_walk)",
  },
  'rmap.c:try_to_migrate_one:ptl': {
    kind: 'lock',
    what: "try_to_migrate_one() replaces the folio's PTEs by migration entries under the PTL",
  },
  'rmap.c:page_mkclean_one:ptl': {
    kind: 'lock',
    what: 'folio_mkclean() write-protects and cleans each shared PTE under the PTL (PVMW_SYNC)',
  },
  'slub.c:free_slab:call_rcu': {
    kind: 'rcu',
    what: 'an empty SLAB_TYPESAFE_BY_RCU slab goes back to the page allocator only after an RCU grace period (call_rcu → rcu_free_slab); elided, at once',
  },
  // mm/migrate.c, mm/vmscan.c, mm/swap_state.c
  'migrate.c:migrate_folio_unmap:folio_get_anon_vma': {
    kind: 'pin',
    what: "migration pins the source folio's anon_vma (folio_get_anon_vma) from unmap until remove_migration_ptes() has walked it; elided, the anon_vma is found but not pinned",
  },
  'migrate.c:migrate_folio_unmap:folio_trylock_dst': {
    kind: 'trylock',
    what: 'migration locks the new folio (folio_trylock(dst)) until its PTEs are installed',
  },
  'migrate.c:remove_migration_ptes:anon_vma_lock_read': {
    kind: 'lock',
    what: "remove_migration_ptes() walks the pinned anon_vma's VMAs under its rwsem, read-locked (rmap_walk → anon_vma_lock_read)",
  },
  'migrate.c:remove_migration_pte:ptl': {
    kind: 'lock',
    what: 'remove_migration_pte() replaces the migration entries by PTEs of the new folio under the PTL',
  },
  'vmscan.c:shrink_folio_list:folio_trylock': {
    kind: 'trylock',
    what: 'reclaim trylocks the isolated folio before add_to_swap/try_to_unmap/__remove_mapping, and again after pageout() unlocked it for the write; released at free_it, keep, or by swap_writeout()',
  },
  'swap_state.c:free_swap_cache:folio_trylock': {
    kind: 'trylock',
    what: 'free_swap_cache() frees the swap cache of an unmapped folio only if folio_trylock() succeeds',
  },
  // mm/memcontrol*.c, fs/proc/task_mmu.c, mm/pt_reclaim.c
  'memcontrol-v1.c:mem_cgroup_count_precharge_pte_range:ptl': {
    kind: 'lock',
    what: "charge moving's precharge pass counts the movable PTEs under the PTL",
  },
  'memcontrol.c:mem_cgroup_charge:rcu': {
    kind: 'rcu',
    what: '(era 2008) mem_cgroup_charge() looks the page_cgroup up under rcu_read_lock() before charging',
  },
  'task_mmu.c:clear_refs_pte_range:ptl': {
    kind: 'lock',
    what: 'clear_refs (CLEAR_REFS_SOFT_DIRTY) write-protects the PTEs under the PTL',
  },
  'pt_reclaim.c:try_to_free_pte:ptl': {
    kind: 'lock',
    what: 'PT reclaim checks the table is empty and clears the PMD under the PMD lock and the PTL',
  },
  'pt_reclaim.c:try_to_free_pte:recheck_pmd': {
    kind: 'recheck',
    what: 'under the PMD lock, try_to_free_pte() re-reads the PMD (pte_offset_map_rw_nolock() fails if the table is gone) before checking and detaching the table; elided, it detaches and frees the table it was asked about whatever the PMD now holds',
  },
} as const satisfies Record<string, SiteInfo>;

export type SiteId = keyof typeof SITES;

export const SITE_IDS = Object.keys(SITES) as SiteId[];

/** A site's anchor on the pages "Why is this lock here?" (without the '#'). */
export function siteAnchor(id: SiteId): string {
  return `site-${id.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`;
}

/** The sites consulted since the last `collectReached()` (in this thread: workers each keep theirs). */
let reached: Set<SiteId> | null = null;

/** Start recording which sites ops consult; returns the set, filled as scenarios run. */
export function collectReached(): Set<SiteId> {
  reached = new Set();
  return reached;
}

/**
 * True when site `id` runs as the kernel code does; false when the scenario elides it. Ops call
 * it at the line the site stands: `if (site(t.k, 'memory.c:do_swap_page:recheck_pte_same') && …)`.
 */
export function site(k: Kernel, id: SiteId): boolean {
  reached?.add(id);
  return k.elide !== id;
}

/** `yield lockAt(k, id, mutex, label)`: take the lock, or (elided) a step that takes none. */
export function lockAt(k: Kernel, id: SiteId, lock: KMutex, label: string, nested = false): Request {
  if (!site(k, id)) return `${label} [elided: ${id}]`;
  return nested ? lock.lock_nested(label) : lock.lock(label);
}

/** `yield unlockAt(k, id, mutex, label)`: the matching unlock of `lockAt`. */
export function unlockAt(k: Kernel, id: SiteId, lock: KMutex, label: string): Request {
  return site(k, id) ? lock.unlock(label) : `${label} [elided: ${id}]`;
}

/**
 * `if (!tryLockAt(k, id, lock)) …` inside a step: `lock.tryLock()`, or (elided) a trylock that
 * succeeds without taking the lock.
 */
export function tryLockAt(k: Kernel, id: SiteId, lock: KMutex): boolean {
  return site(k, id) ? lock.tryLock() : true;
}

/** Inside a step: `lock.release()` of a `tryLockAt` (or a lock taken by `lockAt`); elided, nothing. */
export function releaseAt(k: Kernel, id: SiteId, lock: KMutex): void {
  if (site(k, id)) lock.release();
}

/**
 * `yield untilAt(k, id, label, pred)`: a lock modelled as a wait (mmap_lock, a VMA lock): the
 * wait, or (elided) a step that waits for nothing. The op skips its own bookkeeping of the lock
 * where `site(k, id)` is false.
 */
export function untilAt(k: Kernel, id: SiteId, label: string, pred: () => boolean): Request {
  return site(k, id) ? until(label, pred) : `${label} [elided: ${id}]`;
}

/**
 * `yield stepAt(k, id, label)`: a step that opens a section the model keeps in the step itself
 * (an RCU read section around a lookup whose RCU-freed object is not modelled); elided, the
 * same step, labelled so.
 */
export function stepAt(k: Kernel, id: SiteId, label: string): string {
  return site(k, id) ? label : `${label} [elided: ${id}]`;
}

/**
 * Why no scenario needs a site, where the necessity map says so: either a scenario is missing
 * (the race exists in the model, but no scenario runs it) or the model leaves out what the site
 * protects (most often: the site's critical section is one step, so the step's atomicity stands
 * in for the lock). The page "Why is this lock here?" shows these; spec-tests/sim/necessity.test.ts
 * checks every unneeded site has one.
 */
export const UNNEEDED: Partial<Record<SiteId, string>> = {
  'memory.c:do_anonymous_page:ptl':
    'The model leaves it out: the PTL section (re-check pte_none, rmap, set_ptes) is one step, so its atomicity stands in for the lock. The re-check inside it is needed (memory.c:do_anonymous_page:recheck_pte_none).',
  'memory.c:wp_page_copy:ptl':
    "The model leaves it out: wp_page_copy's PTL section (re-check, new rmap, PTE switch, old rmap) is one step.",
  'memory.c:do_shared_fault:recheck_mapping':
    "A scenario is missing, and the model shortens it: the re-check is for a truncation between __do_fault()'s lookup and ->page_mkwrite's folio lock, but the model takes the fault's reference with the folio lock, not at the lookup (filemap_fault()'s folio_try_get()), so truncation in that window would free the folio under the correct model's fault. Taking the reference at the lookup would change R19's exploration.",
  'memory.c:finish_fault:ptl': "The model leaves it out: finish_fault()'s PTL section is one step.",
  'mprotect.c:change_pte_range:ptl':
    "The model leaves it out: change_pte_range() rewrites the VMA's PTEs in one step.",
  'mremap.c:move_ptes:ptl':
    "The model leaves it out: move_ptes()'s section (clear and set every PTE) is one step; and no scenario runs mremap() against another thread (cow.c's \"partially mremap()'ed THP\" is a setup).",
  'gup.c:follow_page_pte:ptl':
    "The model leaves it out: GUP's PTE read and its reference or pin are one step.",
  'filemap.c:filemap_map_pages:ptl':
    "The model leaves it out: fault-around's PTL section is one step (the folio trylock around it is needed: filemap.c:filemap_map_pages:folio_trylock).",
  'truncate.c:truncate_inode_pages_range:recheck_mapping':
    "The model leaves it out: in the model nothing else removes a folio from the page cache while truncation holds the reference find_lock_entries() took: reclaim's __remove_mapping() (folio_ref_freeze) fails on it, and truncation's callers hold the inode's i_rwsem (not modelled), which serialises two truncations, so a scenario of two would race what the kernel serialises. Which kernel paths remove a referenced folio (the case the re-check is for) was not checked.",
  'vmscan.c:folio_isolate_lru:lru_lock':
    "The model leaves it out: the LRU list_del is one step (lruvec_del_folio); what R8 shows is the lruvec changing memcg under the lock, which charge moving's isolation (memcontrol-v1.c:mem_cgroup_move_charge_pte_range:folio_isolate_lru) prevents.",
  'pt_reclaim.c:free_pte:rcu_grace_period':
    "The model leaves it out: a fault that found the table through the PMD before PT reclaim cleared it then takes the freed table's PTL, a use after free the model does not check (the table object stays readable); its pmd_same() re-check then sends it back, so no checked harm follows.",
  'memory.c:copy_pte_range:ptl':
    "The model leaves it out: fork's copy loop under both PTLs is one step (the -EAGAIN path that drops them to allocate a folio re-reads the PTEs when it relocks). What fork needs is the parent's write-protection under mmap_write_lock and vma_start_write (fork.c:dup_mmap:vma_start_write) and the anon_vma link (fork.c:anon_vma_fork:anon_vma_clone).",
  'rmap.c:folio_referenced:folio_trylock':
    'No scenario needs it, and none is missing for what the model checks: eliding it gives the code of every era before "mm: always call rmap_walk() on locked folios" (an anon folio walked unlocked, seed 004\'s setting), and R1, R2, R3 and R13 still hold: what keeps that walk safe is the anon_vma protocol (RCU, the pin, the folio_mapped() re-check). What the lock is for today (the commit\'s reason) was not read and is not modelled.',
  'rmap.c:folio_referenced_one:ptl':
    "The model leaves it out: folio_referenced_one()'s PTE read is one step, and it only counts references (young bits are not modelled).",
  'migrate.c:migrate_folio_unmap:folio_lock':
    "A scenario is missing: the source folio lock keeps the other folio-lock holders (reclaim's try_to_unmap, a swapin, truncation, a second migration) off the folio while its PTEs are migration entries; the scenarios race migration only with exit, fork and charge accounting, which do not take it. Elided, the lock's own DEBUG_VM assertions (VM_BUG_ON_FOLIO(!folio_test_locked) in try_to_migrate() and mem_cgroup_migrate()) fire, but they are guards, which the map does not count; R1's witness of migration holding the lock is left unreached.",
  'memory.c:handle_pte_fault:ptl':
    "The model leaves it out: the section (the pte_same re-check, then the access-flag update or do_wp_page()'s reuse decision up to its unlock) is one step; do_wp_page() drops the PTL before anything it does in steps of its own (wp_page_copy, ->page_mkwrite).",
  'memory.c:do_swap_page:ptl':
    "The model leaves it out: the re-check and the install are one step; after it only folio_unlock() and the PTL's release (or, for a write to a shared folio, do_wp_page()'s one-step decision) remain, so a thread that takes the PTL in between finds the PTE already installed.",
  'memory.c:do_swap_page:__folio_set_locked':
    "A scenario is missing: the new folio is on the LRU (folio_add_lru) before the read and the PTE install; reclaim or migration isolating it then would find it unlocked and could unmap or migrate a folio whose swapin is half done. The one scenario that reaches it (R17's two synchronous swapins) has no reclaim or migration.",
  'memory.c:wp_can_reuse_anon_folio:folio_trylock':
    "The model leaves it out: the trylock section (folio_free_swap(), the refcount re-check, folio_move_anon_rmap()) runs inside the caller's step, under the PTL. The re-check inside it is needed (memory.c:wp_can_reuse_anon_folio:recheck_refcount). Elided, the lock's own DEBUG_VM assertions fire (guards, not counted).",
  'memory.c:__wp_can_reuse_large_anon_folio:folio_trylock':
    "A scenario is missing, and the model shortens it: no scenario write-faults a PTE-mapped large anon folio that is in the swap cache with CONFIG_MM_ID (k.mmId); and the section would be one step of the caller's.",
  'memory.c:finish_mkwrite_fault:ptl':
    "The model leaves it out: finish_mkwrite_fault()'s section (the pte_same re-check and making the PTE writable) is one step.",
  'memory.c:finish_mkwrite_fault:recheck_pte_same':
    'A scenario (a harm after it) is missing: in R19 the zap can clear the PTE while the write fault sleeps in ->page_mkwrite, and with the re-check elided the fault maps the folio again without its rmap or reference. Only I2 (mapcount mirrors page tables, a guard the map does not check) sees it; the harm, a use after free once truncation or reclaim frees the folio the stray PTE still maps, needs a scenario that frees it afterwards.',
  'pgtable-generic.c:__pte_offset_map_lock:ptl':
    "The model leaves it out: the fault's section after pte_offset_map_lock() (the pmd_same() re-check, the pte_none check and the install) is one step, as is PT reclaim's emptiness check and pmd_clear(); the re-check is what R20 needs (pgtable-generic.c:__pte_offset_map_lock:recheck_pmd_same). Elided, R20's witness (the fault holding the PTL of a detached table) is unreached.",
  'pgtable-generic.c:__pte_offset_map:rcu':
    "The model leaves it out: the read section is what PT reclaim's grace period waits for before freeing the table (pt_reclaim.c:free_pte:rcu_grace_period); a table freed under a walker is a use after free the model does not check (the table object stays readable), as that site's entry says.",
  'filemap.c:filemap_map_pages:rcu':
    "The model leaves it out: the read section keeps the xarray nodes and a folio being freed (folio_try_get on a folio whose refcount just went to 0, then its reuse) alive during the lockless lookup; the model's page cache is not an xarray and its folios are never reallocated, so the lookup step cannot see freed memory.",
  'filemap.c:next_uptodate_folio:recheck_mapping':
    'A check is missing: in R6, with the re-check elided, fault-around can map a folio that truncation already removed and unlocked (the trylock then succeeds): the process maps a page the file no longer has. No invariant checks that (I3b checks the removal of a folio that is mapped, not a mapping made after it).',
  'rmap.c:anon_vma_clone:lock_anon_vma_root':
    'The model leaves it out: the link into the anon_vma tree and the reference are one step.',
  'rmap.c:folio_lock_anon_vma_read:atomic_inc_not_zero':
    'A scenario is missing: the pin matters when the last unmap and unlink_anon_vmas() free the anon_vma while the reader, out of its RCU section, sleeps on the rwsem; the one scenario that reaches the sleeping path (R1, exit vs migration, era 2022) frees nothing in that window.',
  'rmap.c:anon_vma_free:anon_vma_lock_write':
    "A scenario is missing: in every scenario the last reference is dropped after unlink_anon_vmas() write-locked the rwsem, which already waited for every reader. The wait matters when the last reference is a pin (migration's folio_get_anon_vma(), a sleeping reader's refcount) dropped while another reader holds the rwsem by trylock: the anon_vma would be freed under that reader's walk.",
  'rmap.c:try_to_unmap_one:ptl':
    "The model leaves it out: try_to_unmap_one()'s section (every PTE of the folio in the VMA: swap entry, rmap, reference) is one step.",
  'rmap.c:try_to_migrate_one:ptl': "The model leaves it out: try_to_migrate_one()'s section is one step.",
  'migrate.c:migrate_folio_unmap:folio_get_anon_vma':
    "A check is missing: with the pin elided, exit's unlink_anon_vmas() can drop the last reference in R1's exit-vs-migration scenario and free the anon_vma while the migration entries wait for it; remove_migration_ptes() then walks the freed anon_vma, but, unlike rmap_walk_anon(), it does not check that it is still live (AnonVma.assertSame), so the use after free (I4) is not seen.",
  'migrate.c:migrate_folio_unmap:folio_trylock_dst':
    "A scenario is missing: the new folio is on the LRU (folio_add_lru before remove_migration_ptes) and mapped while still locked; reclaim or a second migration of it would need the lock, and no scenario runs one. Elided, the lock's own DEBUG_VM assertion (mem_cgroup_migrate()) fires: a guard, not counted.",
  'migrate.c:remove_migration_pte:ptl':
    "The model leaves it out: remove_migration_pte()'s section is one step.",
  'swap_state.c:free_swap_cache:folio_trylock':
    "The model leaves it out: free_swap_cache()'s trylock, folio_free_swap() and unlock are one step. Elided, folio_free_swap()'s DEBUG_VM assertion fires: a guard, not counted.",
  'memcontrol-v1.c:mem_cgroup_count_precharge_pte_range:ptl':
    'The model leaves it out: the precharge count over the page table is one step.',
  'memcontrol.c:mem_cgroup_charge:rcu':
    "The model leaves it out: the page_cgroup's RCU-deferred free is not modelled; the lookup is one step.",
  'task_mmu.c:clear_refs_pte_range:ptl':
    "The model leaves it out: clear_refs_pte_range()'s section (write-protect every PTE) is one step.",
  'pt_reclaim.c:try_to_free_pte:ptl':
    "The model leaves it out: PT reclaim's emptiness check and pmd_clear() are one step (what R20 needs is the fault's pmd_same() re-check and the grace period).",
  'pt_reclaim.c:try_to_free_pte:recheck_pmd':
    "A scenario is missing, and the model shortens it: two MADV_DONTNEEDs of the same range would need it (the second would detach and free a table the first already freed), but the model's zap works on the mm's first table whatever the PMD says (a scenario runs one MADV_DONTNEED), so the second's zap would read the freed table even with the re-check; the kernel's zap finds pmd_none() and skips.",
};
