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
    what: "(era 2022) lock_page_memcg() around rmap's mapcount transition and its NR_*_MAPPED stat update, so a charge mover sees both or neither; elided (any era), the stat update is a step of its own after the transition, as in the memcg_lock_before_stats_only switch",
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
export function lockAt(k: Kernel, id: SiteId, lock: KMutex, label: string): Request {
  return site(k, id) ? lock.lock(label) : `${label} [elided: ${id}]`;
}

/** `yield unlockAt(k, id, mutex, label)`: the matching unlock of `lockAt`. */
export function unlockAt(k: Kernel, id: SiteId, lock: KMutex, label: string): Request {
  return site(k, id) ? lock.unlock(label) : `${label} [elided: ${id}]`;
}
