import type { Request } from '../explorer/index.ts';
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
} as const satisfies Record<string, SiteInfo>;

export type SiteId = keyof typeof SITES;

export const SITE_IDS = Object.keys(SITES) as SiteId[];

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
 * Why no scenario needs a site, where the necessity map says so: either a scenario is missing
 * (the race exists in the model, but no scenario runs it) or the model leaves out what the site
 * protects (most often: the site's critical section is one step, so the step's atomicity stands
 * in for the lock). The page "Why is this lock here?" shows these; spec-tests/sim/necessity.test.ts
 * checks every unneeded site has one.
 */
export const UNNEEDED: Partial<Record<SiteId, string>> = {
  'rmap.c:folio_lock_anon_vma_read:rcu':
    "A scenario is missing. Without the read section no grace period waits for the reader, so the anon_vma's slab page may become a page table (rcu_free_slab) while the reader still holds folio->mapping; the scenarios that free the slab page (R1's page-table race) start the reader only after it is a page table, and R13 frees without a grace period by its own mutation. Eliding it leaves R1's and R2's witnesses unreached (they look for the reader under RCU), not harmed.",
  'memory.c:do_anonymous_page:ptl':
    'The model leaves it out: the PTL section (re-check pte_none, rmap, set_ptes) is one step, so its atomicity stands in for the lock. The re-check inside it is needed (memory.c:do_anonymous_page:recheck_pte_none).',
  'memory.c:wp_page_copy:ptl':
    "The model leaves it out: wp_page_copy's PTL section (re-check, new rmap, PTE switch, old rmap) is one step.",
  'memory.c:wp_page_copy:recheck_pte_same':
    "A scenario is missing: nothing changes the PTE between do_wp_page()'s unlock and wp_page_copy()'s relock in any scenario (two threads of one mm write-faulting the same COW page, or a zap or fork racing a COW fault, would need it: the second copy would replace the first, losing its write).",
  'memcontrol-v1.c:mem_cgroup_move_charge_pte_range:ptl':
    "A scenario is missing, and the model shortens it: R7 and R8 race the mover against another process's mapping of the folio, never against a fault or zap on the PTE the mover walks (P's), and get_mctgt_type() reads the PTE in one step.",
  'memory.c:handle_pte_fault:recheck_pte_same':
    "A scenario is missing: the fault's re-check matters when fork, mprotect or a zap changes a present PTE between the fault's lockless read and its PTL; the faults of the scenarios race on swap PTEs or empty ones, and wp_page_copy() re-checks again (young/dirty bits, which the spurious-fault path sets, are not modelled).",
  'memory.c:do_shared_fault:recheck_mapping':
    'A scenario is missing: no scenario truncates a file while a write fault maps it (R19 races writeback, R6 races fault-around).',
  'memory.c:finish_fault:ptl': "The model leaves it out: finish_fault()'s PTL section is one step.",
  'mprotect.c:change_pte_range:ptl':
    "The model leaves it out: change_pte_range() rewrites the VMA's PTEs in one step.",
  'mremap.c:move_ptes:ptl':
    'A scenario is missing: no scenario runs mremap() against another thread (cow.c\'s "partially mremap()\'ed THP" is a setup).',
  'gup.c:follow_page_pte:ptl':
    "The model leaves it out: GUP's PTE read and its reference or pin are one step.",
  'filemap.c:filemap_map_pages:ptl':
    "The model leaves it out: fault-around's PTL section is one step (the folio trylock around it is needed: filemap.c:filemap_map_pages:folio_trylock).",
  'truncate.c:truncate_inode_pages_range:recheck_mapping':
    'A scenario is missing: nothing else removes the folio from the page cache between the lookup and the folio lock (two truncations, or truncation against reclaim of a clean page-cache folio, would need it).',
  'vmscan.c:folio_isolate_lru:lru_lock':
    "The model leaves it out: the LRU list_del is one step (lruvec_del_folio); what R8 shows is the lruvec changing memcg under the lock, which charge moving's isolation (memcontrol-v1.c:mem_cgroup_move_charge_pte_range:folio_isolate_lru) prevents.",
  'pt_reclaim.c:free_pte:rcu_grace_period':
    "The model leaves it out: a fault that found the table through the PMD before PT reclaim cleared it then takes the freed table's PTL, a use after free the model does not check (the table object stays readable); its pmd_same() re-check then sends it back, so no checked harm follows.",
  'memory.c:unmap_mapping_folio:i_mmap_lock_read':
    'A scenario is missing: the lock keeps a VMA from being unlinked (unlink_file_vma) and its page tables freed while truncation zaps through it; R4 and R6 race truncation with a zap or a fault, which leave the VMA linked, and no scenario exits or munmaps a file mapping against truncation.',
  'memory.c:copy_pte_range:ptl':
    "The model leaves it out: fork's copy loop under both PTLs is one step (the -EAGAIN path that drops them to allocate a folio re-reads the PTEs when it relocks). What fork needs is the parent's write-protection under mmap_write_lock and vma_start_write (fork.c:dup_mmap:vma_start_write) and the anon_vma link (fork.c:anon_vma_fork:anon_vma_clone).",
  'rmap.c:folio_referenced:folio_trylock':
    'No scenario needs it, and none is missing for what the model checks: eliding it gives the code of every era before "mm: always call rmap_walk() on locked folios" (an anon folio walked unlocked, seed 004\'s setting), and R1, R2, R3 and R13 still hold: what keeps that walk safe is the anon_vma protocol (RCU, the pin, the folio_mapped() re-check). What the lock is for today (the commit\'s reason) was not read and is not modelled.',
  'rmap.c:folio_referenced_one:ptl':
    "The model leaves it out: folio_referenced_one()'s PTE read is one step, and it only counts references (young bits are not modelled).",
};
