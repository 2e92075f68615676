/**
 * The twenty-two rules of kernel-rules.md as the chapters state them: one record per rule, read by
 * <Rule id> in the chapters and by the rules index, so a statement, a status or a block name is
 * written once. `holds` / `breaks` are the names of the rule's spec blocks in its chapter (the
 * anchor is `#spec-<slug(name)>`); null while the rule has no block yet (say why in `missing`).
 */

export type Status = 'holds today' | 'historical' | 'superseded';

export interface KernelRef {
  readonly file: string;
  readonly fn: string;
}

export interface RuleRecord {
  readonly id: string;
  readonly title: string;
  readonly statement: string;
  readonly chapter: { readonly slug: string; readonly title: string };
  readonly seed: string;
  readonly kernel: readonly KernelRef[];
  /** Where the kernel names were read: a mirror commit, or a released tag for removed code. */
  readonly at: string;
  readonly status: Status;
  /** The rule's status in today's kernel: holds / historical (versions) / superseded, and its config. */
  readonly today: string;
  /** History: what changed since the thread (fields renamed, code moved or removed). */
  readonly statusNote: string;
  readonly invariant: string;
  readonly holds: string | null;
  readonly breaks: string | null;
  readonly missing?: string;
}

/** The tree the "today" references were read in (see the history chapter, "Sources"). */
export const TODAY = 'linux-mm 9b3bb8e2226a / 91883f9ea22a';

const ANON = { slug: 'anon-vma', title: 'anon_vma lifetime and rmap walks' };
const PTE = { slug: 'pte-rmap', title: 'Teardown, the PTE lock and mapcounts' };
const LOCK = { slug: 'folio-lock', title: 'The folio lock and mapped-ness' };
const MEMCG = { slug: 'memcg', title: 'The life of a memcg charge' };
const UNCHARGE = { slug: 'memcg-uncharge', title: 'Where a memcg charge ends: uncharge and migration' };
const MEMCG_SWAP = { slug: 'memcg-swap', title: "Swap charges: swap-out, swapin, the slot's free" };
const STABLE = { slug: 'memcg-stable', title: 'Stable folio_memcg() and lockless lookups' };
const SWAPCACHE = { slug: 'swap-cache', title: 'Swap cache' };
const COW = { slug: 'cow', title: 'COW: reuse or copy' };
const FORK = { slug: 'fork', title: 'Fork and exclusivity' };
const TLB = { slug: 'tlb-rmap', title: 'TLB flush and rmap' };
const PTRCU = { slug: 'pt-rcu', title: 'Page tables under RCU' };
const MMLOCKS = { slug: 'mm-locks', title: 'Locks on mm and VMA' };
const STABLE_WB = { slug: 'stable-writeback', title: 'Swap writeback and stable pages' };
/** Where the R19/R21 functions were read: several mainline copies found with the search tool. */
const V6 = 'mainline v6.x (copies read with the search tool)';

export const RULES: readonly RuleRecord[] = [
  {
    id: 'R1',
    title: 'folio_mapped() guards the anon_vma',
    statement:
      'While an anonymous folio is mapped, the anon_vma its mapping points to cannot be freed. Teardown must clear the PTEs and drop their mapcounts before free_pgtables() unlinks the anon_vma and drops its last reference.',
    chapter: ANON,
    seed: '004_02c1a82d333a6d5f.txt',
    kernel: [
      { file: 'mm/rmap.c', fn: 'folio_get_anon_vma' },
      { file: 'mm/memory.c', fn: 'zap_present_folio_ptes' },
    ],
    at: TODAY,
    status: 'holds today',
    today:
      'Holds in all configs. The only code that broke it, the delayed anon rmap, stayed in mm-unstable (Nov 2022) and never reached a release.',
    statusNote: 'Delayed rmap was merged only for dirty file folios (5df397dec7c4).',
    invariant: 'I4',
    holds: 'R1 holds: exit_mmap vs folio_referenced',
    breaks: "R1 breaks: delayed anon rmap frees a mapped folio's anon_vma",
  },
  {
    id: 'R2',
    title: 'pin the anon_vma, then re-check folio_mapped()',
    statement:
      'A lockless rmap reader may trust the anon_vma it read from folio->mapping only if, inside rcu_read_lock(), it saw folio_mapped(), pinned the anon_vma (trylock of the root rwsem or atomic_inc_not_zero), and then saw folio_mapped() again and folio->mapping unchanged. Otherwise it backs off.',
    chapter: ANON,
    seed: '004_02c1a82d333a6d5f.txt',
    kernel: [
      { file: 'mm/rmap.c', fn: 'folio_lock_anon_vma_read' },
      { file: 'mm/rmap.c', fn: 'folio_get_anon_vma' },
    ],
    at: TODAY,
    status: 'holds today',
    today: 'Holds in all configs.',
    statusNote: 'The folio->mapping re-check for UFFDIO_MOVE was added in v6.8.',
    invariant: 'I4',
    holds: 'R2 holds: folio_lock_anon_vma_read re-checks folio_mapped after pinning',
    breaks: 'R2 breaks: no re-check after the pin walks a freed anon_vma',
  },
  {
    id: 'R3',
    title: 'zap, then unlink from rmap, then free the page tables',
    statement:
      'VMA teardown zaps every PTE (rmap removal included), then hides the VMA from every reverse map, and only then frees its page tables; no PTE may be installed in between. Outside teardown, a PTE table still reachable through an rmap tree may only be detached under the PMD lock and the PTL and freed after an RCU grace period.',
    chapter: PTE,
    seed: '004_02c1a82d333a6d5f.txt',
    kernel: [
      { file: 'mm/memory.c', fn: 'free_pgtables' },
      { file: 'mm/rmap.c', fn: 'unlink_anon_vmas' },
    ],
    at: TODAY,
    status: 'holds today',
    today:
      'The teardown order holds in all configs. Outside teardown, PTE tables of live VMAs are detached and RCU-freed (khugepaged retraction since v6.6, CONFIG_PT_RECLAIM since v6.14; both inferred), and walkers re-check them under the PTL.',
    statusNote: 'process_addrs.rst documents the zap → free_pgtables window.',
    invariant: 'I17',
    holds: 'R3 holds: zap, unlink, then free the page tables',
    breaks: 'R3 breaks: page tables freed while the VMA is still in the rmap tree',
  },
  {
    id: 'R4',
    title: 'the PTE lock covers the PTE and its rmap',
    statement:
      'Changing a PTE and adjusting the mapcount of the folio behind it happen in the same PTE-lock critical section: map adds the rmap before set_pte_at(), unmap removes it after the PTE is cleared, before the PTL is dropped.',
    chapter: PTE,
    seed: '004_02c1a82d333a6d5f.txt',
    kernel: [
      { file: 'mm/rmap.c', fn: 'folio_remove_rmap_ptes' },
      { file: 'mm/memory.c', fn: 'zap_pte_range' },
    ],
    at: TODAY,
    status: 'holds today',
    today:
      "Holds in all configs. Since v6.2 a dirty file folio's rmap removal waits for the TLB flush, but still happens before the PTL is dropped.",
    statusNote: 'A delayed file rmap is flushed by tlb_flush_rmaps() before the PTL is dropped.',
    invariant: 'I3b',
    holds: 'R4 holds: PTE and mapcount change under one PTL',
    breaks: 'R4 breaks: mapcount dropped after the PTL is released',
  },
  {
    id: 'R5',
    title: 'large-folio mapcount aggregates follow every rmap change',
    statement:
      'Every rmap add or remove on a large folio updates the per-page mapcount and the folio-wide aggregates together, through the common __folio_add_rmap() / __folio_remove_rmap() helpers. No fast path may skip the aggregates.',
    chapter: PTE,
    seed: '004_02c1a82d333a6d5f.txt',
    kernel: [
      { file: 'mm/rmap.c', fn: '__folio_add_rmap' },
      { file: 'mm/rmap.c', fn: '__folio_remove_rmap' },
    ],
    at: TODAY,
    status: 'holds today',
    today:
      'Holds for every large folio. Under CONFIG_NO_PAGE_MAPCOUNT (EXPERIMENTAL, v6.15 inferred) the per-page _mapcount is no longer kept; only the folio-wide counts remain.',
    statusNote:
      'The field is superseded: subpages_mapcount (v6.2) became _nr_pages_mapped, then _large_mapcount (v6.10).',
    invariant: 'I16',
    holds: 'R5 holds: two partial zaps keep the large-folio aggregates',
    breaks: 'R5 breaks: page_zap_pte_rmap skips the aggregates',
  },
  {
    id: 'R6',
    title: 'the folio lock blocks !mapped → mapped',
    statement:
      'Holding the lock of a page-cache or swap-cache folio guarantees it cannot go from unmapped to mapped. It does not stop the mapcount rising from 1 (fork) or falling to 0 (zap takes no folio lock).',
    chapter: LOCK,
    seed: '000_562aa84da29c2f4b.txt',
    kernel: [
      { file: 'mm/filemap.c', fn: 'next_uptodate_folio' },
      { file: 'mm/memory.c', fn: 'unmap_mapping_folio' },
    ],
    at: TODAY,
    status: 'holds today',
    today: 'Holds in all configs.',
    statusNote: 'do_swap_page() likewise locks the folio before set_ptes().',
    invariant: 'I3b',
    holds: 'R6 holds: truncate vs fault-around',
    breaks: 'R6 breaks: fault-around maps without folio_trylock',
  },
  {
    id: 'R7',
    title: 'charge moving needs a stable folio_mapped()',
    statement:
      'mem_cgroup_move_account() moved the mapped-page stats only if folio_mapped(), so it could move a folio only while mapped-ness was stable: a present PTE under its PTL, or a non-present one whose folio was trylocked and skipped when mapped elsewhere.',
    chapter: LOCK,
    seed: '000_562aa84da29c2f4b.txt',
    kernel: [
      { file: 'mm/memcontrol-v1.c', fn: 'get_mctgt_type' },
      { file: 'mm/memcontrol-v1.c', fn: 'mem_cgroup_move_account' },
    ],
    at: 'v6.12 (removed in v6.13)',
    status: 'historical',
    today:
      "Historical: this form applied in v6.3–v6.12, cgroup v1 only (memory.move_charge_at_immigrate; CONFIG_MEMCG_V1 from v6.11). Before v6.3 the mover's own folio_trylock() and rmap's lock_page_memcg() gave the guarantee. Charge moving was removed in v6.13.",
    statusNote: 'Charge moving was removed by 6b611388b626 "memcg-v1: remove charge move code" (v6.13).',
    invariant: 'I8',
    holds: 'R7 holds: lock_page_memcg() covers the mapcount transition (2022)',
    breaks: 'R7 breaks: a zap elsewhere puts the stat on the wrong memcg (2022)',
  },
  {
    id: 'R8',
    title: 'folio_memcg(): a reader holds one guard, a writer excludes them all',
    statement:
      'A reader that derives a memcg or lruvec from a folio may rely on folio_memcg() while it holds any one of: the folio lock, an LRU isolation of the folio, an exclusive reference. A writer of folio->memcg_data must therefore exclude them all: it holds the folio lock and has the folio off the LRU, or it holds the only reference.',
    chapter: STABLE,
    seed: '002_e900c981f0a87c3f.txt',
    kernel: [{ file: 'mm/memcontrol.c', fn: 'commit_charge' }],
    at: TODAY,
    status: 'holds today',
    today:
      'Holds (CONFIG_MEMCG). Writers today: commit_charge() on an exclusive folio, uncharge at refcount 0, mem_cgroup_migrate() on locked folios off the LRU; up to v6.12 also mem_cgroup_move_account().',
    statusNote: 'lock_page_memcg() was once a fourth guard; it left rmap in v6.3 and the kernel in v6.13.',
    invariant: 'I10',
    holds: 'R8 holds: the memcg switch happens off the LRU (2023)',
    breaks: 'R8 breaks: memcg_data switched on the LRU',
  },
  {
    id: 'R9',
    title: 'charge exactly once, before anyone else can see the folio',
    statement:
      'A folio is charged exactly once, while no other thread can reach it: at allocation (anon, COW), or before insertion into the page cache or swap cache. commit_charge() asserts it was not charged already.',
    chapter: MEMCG,
    seed: '001_8c0d70ad379c4b6c.txt',
    kernel: [
      { file: 'mm/memcontrol.c', fn: 'commit_charge' },
      { file: 'mm/filemap.c', fn: 'filemap_add_folio' },
    ],
    at: TODAY,
    status: 'holds today',
    today:
      'Holds (CONFIG_MEMCG). Swap-cache folios are charged at swap-cache insertion since v5.8; before that at first map in do_swap_page(), where a check under a lock made the loser of a race back out.',
    statusNote:
      'No released kernel double-charged: 2.6.27 backed out under lock_page_cgroup(), later kernels cancelled or (from 2012) skipped the second charge. The swap-cache charge moved from first map to insertion in v5.8.',
    invariant: 'I6',
    holds: 'R9 holds: the 2008 swapin charges under lock_page()',
    breaks: 'R9 breaks: the 2008 swapin charges before lock_page()',
  },
  {
    id: 'R10',
    title: 'uncharge only at the final put',
    statement:
      'The memory charge is released only when the last reference is dropped, off the LRU; never at unmap, truncation or swap-cache deletion.',
    chapter: UNCHARGE,
    seed: '002_e900c981f0a87c3f.txt',
    kernel: [
      { file: 'mm/memcontrol.c', fn: 'uncharge_folio' },
      { file: 'mm/swap.c', fn: '__folio_put' },
    ],
    at: TODAY,
    status: 'holds today',
    today:
      'Holds since v3.17 (CONFIG_MEMCG). On cgroup v1 (CONFIG_MEMCG_V1) swap-out uncharges memory in memcg1_swapout(), at the frozen refcount, just before the folio is freed.',
    statusNote: 'Since 0a31bc97c8 "mm: memcontrol: rewrite uncharge API" (v3.17).',
    invariant: 'I19',
    holds: 'R10 holds: migration that backs out keeps the charge',
    breaks: 'R10 breaks: migration backs out and remaps an uncharged folio',
  },
  {
    id: 'R11',
    title: 'migration hands the charge to the new folio',
    statement:
      "After a successful migration the charge belongs to the new folio (both folios locked), and the page counters still equal the charged folios. Today (v6.7+) memcg_data is transferred and the old folio's cleared, so its free does not uncharge; in v4.6–v6.6 the new folio was charged and the old one uncharged when freed.",
    chapter: UNCHARGE,
    seed: '002_e900c981f0a87c3f.txt',
    kernel: [{ file: 'mm/memcontrol.c', fn: 'mem_cgroup_migrate' }],
    at: TODAY,
    status: 'holds today',
    today:
      'Holds (CONFIG_MEMCG), in three eras: transfer in v3.17–v4.5; charge the new folio and uncharge the old one when freed in v4.6–v6.6; transfer again since v6.7.',
    statusNote: "The transfer-only form (no charge, no uncharge) is Nhat Pham's 85ce2c517ade (v6.7).",
    invariant: 'I6',
    holds: 'R11 holds: mem_cgroup_migrate() moves the charge',
    breaks: 'R11 breaks: mem_cgroup_migrate() leaves the old folio charged',
  },
  {
    id: 'R12',
    title: 'swapout moves the charge to the swap entry only once frozen',
    statement:
      "On cgroup v1, swap-out moves the folio's memory+swap charge to the swap entry only once reclaim owns the folio outright: unmapped, isolated, locked, and its refcount frozen, so no lookup can map it again.",
    chapter: MEMCG_SWAP,
    seed: '002_e900c981f0a87c3f.txt',
    kernel: [
      { file: 'mm/memcontrol-v1.c', fn: 'memcg1_swapout' },
      { file: 'mm/vmscan.c', fn: '__remove_mapping' },
    ],
    at: TODAY,
    status: 'holds today',
    today:
      'Holds only for the cgroup v1 controller: CONFIG_MEMCG_V1, default n since v6.11. On cgroup v2 nothing is transferred: swap is charged at folio_alloc_swap(), memory uncharged at the final put.',
    statusNote:
      'Both orders against swap-cache removal have shipped (before it up to v6.1, after it since v6.2); the frozen refcount is the guard.',
    invariant: 'I19',
    holds: 'R12 holds: swap-out transfers the charge after the freeze',
    breaks: 'R12 breaks: charge moved before the refcount freeze',
  },
  {
    id: 'R13',
    title: 'RCU grace period before lockless-reachable memory is reused',
    statement:
      'An object that lockless readers can reach under rcu_read_lock() must not be freed or retyped until a grace period has passed, and readers must confirm identity after taking a reference.',
    chapter: STABLE,
    seed: '001_8c0d70ad379c4b6c.txt',
    kernel: [
      { file: 'mm/rmap.c', fn: 'anon_vma_init' },
      { file: 'mm/rmap.c', fn: 'folio_get_anon_vma' },
    ],
    at: TODAY,
    status: 'holds today',
    today:
      'The principle holds in all configs (anon_vma, page-cache folios, RCU-freed PTE tables). Its 2008 example, an RCU-freed page_cgroup, was an RFC that was never merged.',
    statusNote:
      'Merged kernels locked page_cgroup with lock_page_cgroup() until 2014; today the memcg is folio->memcg_data.',
    invariant: 'I20',
    holds: 'R13 holds: anon_vma memory waits for a grace period',
    breaks: 'R13 breaks: anon_vma freed to the page allocator at once',
  },
  {
    id: 'R14',
    title: 'freeing the swap cache needs the lock and no swap users',
    statement:
      'A folio may leave the swap cache only when the caller holds its lock, it is not under writeback, and no swap PTE still uses its entry (swap count 0). Mapcount and refcount play no part.',
    chapter: SWAPCACHE,
    seed: '003_859f4d202f500720.txt',
    kernel: [{ file: 'mm/swapfile.c', fn: 'folio_free_swap' }],
    at: TODAY,
    status: 'holds today',
    today: 'Holds (CONFIG_SWAP).',
    statusNote: "Linus's (a) and (b) of 2022-01-13, as folio_swapcache_freeable() + folio_swapped().",
    invariant: 'I12',
    holds: 'R14 holds: the swap cache stays while a swap PTE uses the entry',
    breaks: 'R14 breaks: folio_free_swap ignores the swap count',
  },
  {
    id: 'R15',
    title: 'COW reuse needs exclusivity or the sole reference',
    statement:
      'A write fault may reuse a read-only anonymous page in place only if it is PageAnonExclusive, or, with the folio trylocked and its swap cache freed, it is not KSM and its refcount is 1. For a small folio the mapcount is the wrong question; an exclusive large folio is reused only if its mapcount equals its refcount.',
    chapter: COW,
    seed: '003_859f4d202f500720.txt',
    kernel: [
      { file: 'mm/memory.c', fn: 'wp_can_reuse_anon_folio' },
      { file: 'mm/memory.c', fn: 'do_wp_page' },
    ],
    at: TODAY,
    status: 'holds today',
    today:
      'Holds in all configs: the refcount test since v5.9, PageAnonExclusive since v5.19. Since v6.15 (inferred) an exclusive large folio is reused when folio_large_mapcount() == folio_ref_count() (CONFIG_MM_ID, selected by THP).',
    statusNote: 'reuse_swap_page() (mapcount + swapcount) is superseded: removed in v5.18.',
    invariant: 'I13',
    holds: 'R15 holds: vmsplice then unmap in the child, parent writes',
    breaks: "R15 breaks: mapcount-based reuse leaks into the child's pipe",
  },
  {
    id: 'R16',
    title: 'fork revokes exclusivity (or copies a pinned page)',
    statement:
      'fork clears PageAnonExclusive on every anonymous page it shares, write-protects both PTEs, and copies at once a page that may be pinned; shared swap entries lose their exclusive bit, and do_swap_page() trusts that bit only as checked under the PTL (pte_same() on the whole PTE).',
    chapter: FORK,
    seed: '003_859f4d202f500720.txt',
    kernel: [
      { file: 'mm/memory.c', fn: 'copy_present_ptes' },
      { file: 'mm/memory.c', fn: 'copy_nonpresent_pte' },
      { file: 'mm/memory.c', fn: 'do_swap_page' },
    ],
    at: TODAY,
    status: 'holds today',
    today:
      'Holds in all configs: PageAnonExclusive since v5.19, the swap-PTE exclusive bit on every architecture with swap PTEs since v6.3, the fork-time copy of pinned pages since 2020.',
    statusNote: 'PG_anon_exclusive arrived in v5.19, after the seed.',
    invariant: 'I13',
    holds: 'R16 holds: swapin checks the exclusive bit under the PTL',
    breaks: 'R16 breaks: swapin trusts the exclusive bit it read before the PTL',
  },
  {
    id: 'R17',
    title: 'swapin re-validates after taking its locks',
    statement:
      'do_swap_page() finds a swap-cache folio without locks, so after folio_lock() it must re-check that the folio is still in the swap cache for the same entry, and under the PTL that the PTE is unchanged.',
    chapter: SWAPCACHE,
    seed: '001_8c0d70ad379c4b6c.txt',
    kernel: [{ file: 'mm/memory.c', fn: 'do_swap_page' }],
    at: TODAY,
    status: 'holds today',
    today: 'Holds (CONFIG_SWAP). The swap-cache and entry re-check dates from 2010 (2.6.36, inferred).',
    statusNote: 'pte_same() alone cannot see a recycled swap entry (ABA).',
    invariant: 'I13',
    holds: 'R17 holds: do_swap_page re-checks the swap cache entry',
    breaks: 'R17 breaks: pte_same alone misses a recycled swap entry',
  },
  {
    id: 'R18',
    title: 'the COW copy drops the old rmap after the PTE switch',
    statement:
      "wp_page_copy() holds its own reference on the old folio throughout, and removes the old folio's rmap only after the PTE points at the new folio.",
    chapter: COW,
    seed: '003_859f4d202f500720.txt',
    kernel: [{ file: 'mm/memory.c', fn: 'wp_page_copy' }],
    at: TODAY,
    status: 'holds today',
    today: 'Holds in all configs, since the 2008 COW race fix (2.6.26, inferred).',
    statusNote: 'The wp_page_copy() comment has said so since 2.6.',
    invariant: 'I13',
    holds: 'R18 holds: wp_page_copy drops the old rmap after the PTE switch',
    breaks: 'R18 breaks: old rmap dropped before the PTE switch',
  },
  {
    id: 'R19',
    title: "a dirty shared page's rmap goes after the TLB flush",
    statement:
      'When zap clears a dirty PTE of a shared file mapping, the folio keeps its mapcount until the TLB has been flushed, still under the PTL (delay_rmap, force_flush, tlb_flush_rmaps). Otherwise folio_mkclean() sees the folio unmapped, does not wait, and writeback cleans it while another CPU can still write it through its TLB.',
    chapter: TLB,
    seed: '004_02c1a82d333a6d5f.txt',
    kernel: [
      { file: 'mm/memory.c', fn: 'zap_present_folio_ptes' },
      { file: 'mm/mmu_gather.c', fn: 'tlb_flush_rmaps' },
      { file: 'mm/rmap.c', fn: 'folio_mkclean' },
    ],
    at: V6,
    status: 'holds today',
    today:
      'Holds since v6.2 (5df397dec7c4), in all configs where the mmu_gather defers TLB flushes (tlb_delay_rmap()).',
    statusNote:
      'Before v6.2 page_remove_rmap() ran right after the PTE was cleared; since 2014 (1cf35d47712d) the flush was inside the PTL, which did not help once the mapcount was 0.',
    invariant: 'I22',
    holds: 'R19 holds: the rmap of a dirty shared page goes after the TLB flush',
    breaks: 'R19 breaks: rmap removed before the TLB flush loses a write',
  },
  {
    id: 'R20',
    title: 'PTE tables are walked under RCU and re-checked under their PTL',
    statement:
      "A PTE table may be detached from a live VMA (PT reclaim on MADV_DONTNEED, khugepaged's retract_page_tables) and freed after an RCU grace period, so it is walked under rcu_read_lock(), pte_offset_map_lock() may fail, and a writer that took the PTL re-checks pmd_same() before changing an entry; the freer detaches only under the PMD lock and the PTL, after checking the table is empty.",
    chapter: PTRCU,
    seed: 'derived (Documentation/mm/process_addrs.rst)',
    kernel: [
      { file: 'mm/pgtable-generic.c', fn: '__pte_offset_map_lock' },
      { file: 'mm/pt_reclaim.c', fn: 'try_to_free_pte' },
    ],
    at: V6,
    status: 'holds today',
    today:
      'Holds: pte_offset_map_lock() may fail since v6.5; RCU-freed retracted tables since v6.6 (THP, file/shmem); PT reclaim since v6.14 (CONFIG_PT_RECLAIM).',
    statusNote:
      "Before v6.5 a PTE table of a live VMA was freed only with the mmap lock held for writing; 8d3c106e19e8 (khugepaged's retraction locks) and Qi Zheng's 2025 fix of PT reclaim's emptiness check are bugs of this class.",
    invariant: 'I17',
    holds: 'R20 holds: the fault re-checks pmd_same and retries',
    breaks: 'R20 breaks: without pmd_same a fault maps into a detached table',
  },
  {
    id: 'R21',
    title: 'no writable reuse of a swap-cache folio under stable writeback',
    statement:
      'A swap-cache folio under writeback to a SWP_STABLE_WRITES device (zram) is not made writable in place: do_swap_page() drops its exclusive marker and maps it read-only, and folio_free_swap() refuses it, so a write fault copies.',
    chapter: STABLE_WB,
    seed: '003_859f4d202f500720.txt',
    kernel: [
      { file: 'mm/memory.c', fn: 'do_swap_page' },
      { file: 'mm/page_io.c', fn: 'swap_writeout' },
    ],
    at: V6,
    status: 'holds today',
    today: 'Holds (CONFIG_SWAP); it matters only for swap devices with stable writes.',
    statusNote:
      'Since f05714293a59 (2017); before, reuse_swap_page() reused a page under writeback on any device. Since v5.19 the check is on the exclusive marker in do_swap_page().',
    invariant: 'I23',
    holds: 'R21 holds: swapin under stable writeback maps read-only and copies',
    breaks: 'R21 breaks: swapin maps a folio writable under stable writeback',
  },
  {
    id: 'R22',
    title: "fork write-locks the parent's VMAs",
    statement:
      "Since page faults can run under the per-VMA read lock alone, mmap_write_lock() no longer excludes them: an operation that needs no concurrent fault on a VMA must vma_start_write() it. fork's dup_mmap() does so for every parent VMA before anon_vma_fork() and copy_page_range(); a fault that finds the VMA write-locked falls back to mmap_read_lock().",
    chapter: MMLOCKS,
    seed: 'derived (Documentation/mm/process_addrs.rst)',
    kernel: [
      { file: 'kernel/fork.c', fn: 'dup_mmap' },
      { file: 'mm/memory.c', fn: 'lock_vma_under_rcu' },
      { file: 'mm/rmap.c', fn: '__anon_vma_prepare' },
    ],
    at: 'kernel-rules.md R22 (fb49c455323f; not re-read here)',
    status: 'holds today',
    today: 'Holds since v6.5-rc1 and 6.4.y (fb49c455323f), with CONFIG_PER_VMA_LOCK.',
    statusNote:
      'v6.4 shipped per-VMA-lock faults without it (bugzilla 217624); "mm: disable CONFIG_PER_VMA_LOCK until its fixed" went in meanwhile. Recent trees moved dup_mmap() to mm/mmap.c.',
    invariant: 'I21',
    holds: 'R22 holds: fork write-locks the VMA and the fault waits',
    breaks: 'R22 breaks: fork without vma_start_write copies a PTE rmap cannot find',
  },
];

export const RULES_BY_ID: Readonly<Record<string, RuleRecord>> = Object.fromEntries(
  RULES.map((r) => [r.id, r]),
);

/** The block anchor, exactly as the spec-block extractor makes it. */
export { slug as blockSlug } from '../live/shared/extract.ts';
