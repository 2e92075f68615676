/**
 * Variants: the buggy patches from the threads (mutations), and the kernel eras whose behaviour
 * differs. A scenario runs the correct model of its era unless a mutation is switched on.
 *
 * Every mutation names the rule it breaks (kernel-rules.md R1–R22), the seed it comes from, and
 * the commit or posting where known.
 */

export type Era = '2008' | '2014' | '2022' | '2023' | 'today';

export const ERAS: Record<Era, string> = {
  '2008':
    "v2.6.27-rc (KAMEZAWA lockless page_cgroup, seed 001): a swap-cache page is charged at its first map in do_swap_page, under lock_page() (before it with charge_before_lock_page); the page_cgroup is found under RCU. Uncharge at last unmap is modelled only as R10's mutation; migration and charge moving are not modelled for this era.",
  '2014':
    'v3.17 (0a31bc97c8 "mm: memcontrol: rewrite uncharge API", seed 002): charge before the folio is visible, uncharge at the final put, mem_cgroup_migrate and mem_cgroup_swapout transfer charges.',
  '2022':
    'v6.1/v6.2 (seeds 000, 003, 004): memcg v1 charge moving where rmap takes lock_page_memcg() around the mapcount transition and its stats (v6.1 took it on the remove and file-add paths, and on the anon add path only for KSM pages, where the folio lock the mover holds serialised 0→1; the model takes it on every path, the same serialisation for its scenarios) and mem_cgroup_move_account() trylocks the folio; do_wp_page refcount-based reuse with PG_anon_exclusive (v5.19).',
  '2023':
    'v6.3–v6.12 (seed 000; Johannes Weiner\'s 2022-12 series "mm: memcontrol: skip moving non-present pages that are mapped elsewhere", "mm: rmap: remove lock_page_memcg()"): charge moving trylocks the folio in get_mctgt_type() and skips a non-present PTE\'s folio mapped elsewhere; rmap takes no memcg lock. The last kernels with charge moving (removed in v6.13, 6b611388b626).',
  today:
    'mainline after v6.18 (read from the AMDESE/linux-mm mirror, softleaf_t era): charge moving removed (v6.13), delayed rmap only for dirty file folios (5df397dec7c4).',
};

export type Mutation =
  | 'delayed_anon_rmap'
  | 'no_recheck_mapped_after_pin'
  | 'free_pgtables_before_unlink'
  | 'rmap_after_ptl_drop'
  | 'page_zap_pte_rmap'
  | 'map_without_folio_lock'
  | 'move_charge_without_trylock'
  | 'memcg_switch_on_lru'
  | 'memcg_lock_before_stats_only'
  | 'charge_before_lock_page'
  | 'uncharge_at_last_unmap'
  | 'migrate_keeps_old_memcg'
  | 'swapout_before_freeze'
  | 'free_without_grace_period'
  | 'free_swap_ignores_swapcount'
  | 'mapcount_based_reuse'
  | 'fork_keeps_anon_exclusive'
  | 'fork_keeps_swp_exclusive'
  | 'swp_exclusive_read_before_ptl'
  | 'no_swapcache_recheck'
  | 'cow_drops_rmap_before_pte_switch'
  | 'mmget_after_exit'
  | 'folio_lock_under_ptl'
  | 'fork_skips_anon_vma_clone'
  | 'pin_without_unshare'
  | 'reuse_ignores_anon_exclusive'
  | 'fork_shares_pinned_page'
  | 'mprotect_ignores_anon_exclusive'
  | 'large_reuse_ignores_mapped_shared'
  | 'memcg1_swapin_keeps_memsw'
  | 'swap_free_keeps_swap_charge'
  | 'sync_swapin_without_swapcache_prepare'
  | 'rmap_before_tlb_flush'
  | 'swapin_exclusive_under_writeback'
  | 'no_pmd_same_recheck'
  | 'fork_without_vma_start_write';

export interface MutationInfo {
  /** The rule of kernel-rules.md it breaks. */
  readonly rule: string;
  /** The harm its counterexample reaches with guards off (RULES' `harm`; I18's is lockdep's report). */
  readonly breaks: string;
  /**
   * Whether the mutation was ever kernel code: 'real' (in a release), 'unreleased' (posted or in
   * mm-unstable, never released), 'hypothetical' (never existed as code; the model's what-if).
   */
  readonly existed: 'real' | 'unreleased' | 'hypothetical';
  readonly source: string;
  readonly description: string;
  /** False while no op consults the switch yet (asking for it is refused, never silently ignored). */
  readonly modelled?: false;
  /** The only era whose code the mutation applies to (another era is refused). */
  readonly era?: Era;
}

export const MUTATIONS: Record<Mutation, MutationInfo> = {
  delayed_anon_rmap: {
    rule: 'R1',
    breaks: 'I4',
    existed: 'unreleased',
    source:
      "004_02c1a82d333a6d5f.txt: Linus's page_zap_pte_rmap() series (backed out of mm-unstable, 2022-11); merged form 5df397dec7c4 delays only dirty file rmaps",
    description:
      'zap_pte_range clears an anon PTE but queues the mapcount decrement in the mmu_gather until tlb_finish_mmu(), after free_pgtables() has unlinked and freed the anon_vma.',
  },
  no_recheck_mapped_after_pin: {
    rule: 'R2',
    breaks: 'I4',
    existed: 'hypothetical',
    source: '004_02c1a82d333a6d5f.txt (folio_lock_anon_vma_read / folio_get_anon_vma comments)',
    description:
      'folio_lock_anon_vma_read() trusts the anon_vma once it is pinned (down_read_trylock or atomic_inc_not_zero) without re-checking folio_mapped().',
  },
  free_pgtables_before_unlink: {
    rule: 'R3',
    breaks: 'I17',
    existed: 'hypothetical',
    source:
      'hypothetical for free_pgtables(); the real bug of this class is khugepaged\'s, 8d3c106e19e8 "mm/khugepaged: take the right locks for page table retraction"',
    description: 'free_pgtables() frees the page table before unlink_anon_vmas() hides the VMA from rmap.',
  },
  rmap_after_ptl_drop: {
    rule: 'R4',
    breaks: 'I3b',
    existed: 'unreleased',
    source:
      '004_02c1a82d333a6d5f.txt ("he delays the mapcount decrementation until long after pte was removed and page table lock dropped")',
    description: 'zap_pte_range() drops the PTL, then decrements the mapcount of the folios it unmapped.',
  },
  page_zap_pte_rmap: {
    rule: 'R5',
    breaks: 'I16',
    existed: 'unreleased',
    source:
      '004_02c1a82d333a6d5f.txt ("page_zap_pte_rmap() now needs to handle the PageCompound ... case too")',
    description:
      'A slimmed zap rmap that decrements only page->_mapcount of a large folio, not _large_mapcount / _nr_pages_mapped.',
  },
  map_without_folio_lock: {
    rule: 'R6',
    breaks: 'I3b',
    existed: 'hypothetical',
    source:
      '000_562aa84da29c2f4b.txt ("Page/folio lock prevents a !page_mapped(page) becoming a page_mapped(page)")',
    description:
      'Hypothetical: fault-around (filemap_map_pages) maps a page-cache folio without folio_trylock() (fault-around has always trylocked; the real bug of this class is the mirror image, 7b7387650dcf: hugetlbfs hole punch checked folio_mapped() without the lock).',
  },
  move_charge_without_trylock: {
    era: '2023',
    rule: 'R7',
    breaks: 'I8',
    existed: 'hypothetical',
    source:
      '000_562aa84da29c2f4b.txt (pre-v6.3 mc_handle_swap_pte; fixed by "mm: memcontrol: skip moving non-present pages that are mapped elsewhere")',
    description:
      "Never kernel code (not used by RULES): charge moving handles a swap PTE whose folio is in the swap cache without folio_trylock() and without skipping folios mapped elsewhere. Before v6.3 mem_cgroup_move_account() trylocked the folio itself, so the 0→1 race this allows (a swapin mapping the folio mid-move) existed in no release; R7's real 1→0 hazard is memcg_lock_before_stats_only.",
  },
  memcg_lock_before_stats_only: {
    era: '2022',
    rule: 'R7',
    breaks: 'I8',
    existed: 'unreleased',
    source:
      '004_02c1a82d333a6d5f.txt (Hugh: "I currently believe that Linus is right, that the lock_page_memcg()s could and should be moved just before the stats updates. But I am not 100% certain"); answered by 000_562aa84da29c2f4b.txt and the v6.3 trylock',
    description:
      "R7's 1→0 hazard (mm-unstable, Nov 2022; also v6.3 rmap without the v6.3 \"mapped elsewhere\" skip): rmap takes lock_page_memcg() just before the stats update instead of before the mapcount transition, while charge moving still moves a swap PTE's folio that is mapped elsewhere: a zap elsewhere drops the mapcount 1→0, the mover sees it unmapped and moves no stat, and the zap's stat then lands on the new memcg.",
  },
  memcg_switch_on_lru: {
    rule: 'R8',
    breaks: 'I10',
    existed: 'hypothetical',
    source:
      '002_e900c981f0a87c3f.txt ("page_cgroup changes are now protected by whatever protection the page itself offers")',
    description: 'folio->memcg_data is switched on a folio that is still on the LRU and not isolated.',
  },
  charge_before_lock_page: {
    era: '2008',
    rule: 'R9',
    breaks: 'I6',
    existed: 'unreleased',
    source: '001_8c0d70ad379c4b6c.txt ("There will be race because charge is done before lock_page()")',
    description: '2008 do_swap_page: mem_cgroup_charge() of a swap-cache page before lock_page().',
  },
  uncharge_at_last_unmap: {
    rule: 'R10',
    breaks: 'I19',
    existed: 'hypothetical',
    source:
      '002_e900c981f0a87c3f.txt ("On page migration, the old page might be unmapped but then reused"); pre-3.17 MEM_CGROUP_CHARGE_TYPE_MAPPED uncharge',
    description: 'An anon folio is uncharged when its last mapping goes away, not at the final put.',
  },
  migrate_keeps_old_memcg: {
    rule: 'R11',
    breaks: 'I6',
    existed: 'hypothetical',
    source:
      '002_e900c981f0a87c3f.txt ("Because the old page is no longer uncharged after migration, prevent double charges")',
    description: 'mem_cgroup_migrate() gives new the charge but leaves old->memcg_data set.',
  },
  swapout_before_freeze: {
    rule: 'R12',
    breaks: 'I19',
    existed: 'hypothetical',
    source: '002_e900c981f0a87c3f.txt (mem_cgroup_swapout "before the final put_page() in page reclaim")',
    description:
      'Reclaim transfers the charge to the swap entry (memcg1_swapout) before folio_ref_freeze() has succeeded.',
  },
  free_without_grace_period: {
    rule: 'R13',
    breaks: 'I20',
    existed: 'hypothetical',
    source:
      '001_8c0d70ad379c4b6c.txt ("freeing page_cgroup is done under RCU"); 004 ("It looked like a page table")',
    description:
      'The last put_anon_vma() returns the memory to the page allocator at once instead of after an RCU grace period (no SLAB_TYPESAFE_BY_RCU).',
  },
  free_swap_ignores_swapcount: {
    rule: 'R14',
    breaks: 'I12',
    existed: 'hypothetical',
    source: '003_859f4d202f500720.txt (Linus: "(b) there are no swapcount() users of this page")',
    description:
      'folio_free_swap() removes the folio from the swap cache although swap PTEs still use its entry.',
  },
  mapcount_based_reuse: {
    rule: 'R15',
    breaks: 'I13',
    existed: 'real',
    source:
      '003_859f4d202f500720.txt (David: "check if it\'s mapped somewhere else"); pre-v5.9 reuse_swap_page()/mapcount logic, CVE-2020-29374',
    description:
      'do_wp_page() reuses an anon folio when its mapcount is 1, ignoring refcount and GUP references.',
  },
  fork_keeps_anon_exclusive: {
    rule: 'R16',
    breaks: 'I13',
    existed: 'hypothetical',
    source: '003_859f4d202f500720.txt (derived; PG_anon_exclusive v5.19)',
    description: 'copy_pte_range() write-protects the parent PTE but leaves PageAnonExclusive set.',
  },
  fork_keeps_swp_exclusive: {
    rule: 'R16',
    breaks: 'I14',
    existed: 'hypothetical',
    source:
      '003_859f4d202f500720.txt (derived); mm/memory.c copy_nonpresent_pte(): swap_duplicate(), then "Mark the swap entry as shared" (pte_swp_clear_exclusive)',
    description:
      "copy_pte_range() duplicates a swap PTE (swap_duplicate) but leaves pte_swp_exclusive set on the parent's entry, so the parent's swapin maps the shared folio writable.",
  },
  swp_exclusive_read_before_ptl: {
    rule: 'R16',
    breaks: 'I13',
    existed: 'hypothetical',
    source:
      'hypothetical: no release trusted the bit without the PTL check. Read: AMDESE/linux-mm 91883f9ea22a mm/memory.c do_swap_page() ("Check under PT lock (to protect against concurrent fork() sharing the swap entry concurrently) for certainly exclusive pages": exclusive = pte_swp_exclusive(vmf->orig_pte) right after pte_same(ptep_get(vmf->pte), vmf->orig_pte) under the PTL), as added by 1493a1913e34 "mm/swap: remember PG_anon_exclusive via a swp pte bit" (v5.19, read in its 2022-03 posting); mm/swapfile.c pte_same_as_swp() (in unuse_pte(), swapoff; read in a mainline-derived folio-era copy) is the flag-blind compare the mutation uses',
    description:
      "do_swap_page() decides exclusivity from pte_swp_exclusive() of the swap PTE it read before pte_offset_map_lock(), and its re-check under the PTL compares the swap entry without the flag bits (pte_same_as_swp-style) instead of the whole value: a fork() that shared the entry in between (swap_duplicate, then pte_swp_clear_exclusive on the parent's PTE) goes unnoticed, and the parent maps the shared swap-cache folio writable and PageAnonExclusive. The kernel's pte_same() compares the whole PTE, bit included, so reading the bit early is safe only because of that compare.",
  },
  no_swapcache_recheck: {
    rule: 'R17',
    breaks: 'I13',
    existed: 'real',
    source:
      '001_8c0d70ad379c4b6c.txt ("Back out if somebody else already faulted in this pte"); do_swap_page comment',
    description:
      'do_swap_page() relies on pte_same() alone after folio_lock(), without re-checking that the folio is still in the swap cache for the same entry.',
  },
  cow_drops_rmap_before_pte_switch: {
    rule: 'R18',
    breaks: 'I13',
    existed: 'real',
    source:
      '003_859f4d202f500720.txt (derived); wp_page_copy() comment "Only after switching the pte to the new page"',
    description:
      'wp_page_copy() removes the old folio rmap and drops its references before set_pte_at() of the new folio.',
  },
  mmget_after_exit: {
    rule: 'R3',
    breaks: 'I17',
    existed: 'hypothetical',
    source:
      'hypothetical (kernel-rules.md R3(b) "a fault installs a PTE ... in the window"); include/linux/sched/mm.h: remote accessors use mmget_not_zero(), mmget() only with a reference held',
    description:
      "access_remote_vm()'s caller takes mm_users with mmget() (atomic_inc) instead of mmget_not_zero(), so a remote access can fault into an mm whose exit_mmap() already runs.",
  },
  folio_lock_under_ptl: {
    rule: 'I18',
    breaks: 'I18',
    existed: 'hypothetical',
    source:
      'hypothetical; mm/rmap.c "Lock ordering in mm": folio_lock before mm->page_table_lock or pte_lock',
    description:
      "do_swap_page() takes the PTE lock before folio_lock() (a sleeping lock under a spinlock, and the inverse of reclaim's folio_lock → PTL in try_to_unmap).",
  },
  fork_skips_anon_vma_clone: {
    rule: 'R1',
    breaks: 'I4',
    existed: 'hypothetical',
    source:
      'hypothetical; mm/rmap.c anon_vma_fork() @ AMDESE/linux-mm 448bccf6cf9e: "First, attach the new VMA to the parent VMA\'s anon_vmas, so rmap can find non-COWed pages in child processes" (anon_vma_clone(vma, pvma, VMA_OP_FORK)); tools/testing/selftests/mm/rmap.c migrate.anon checks exactly that reach',
    description:
      "dup_mmap()'s anon_vma_fork() gives the child VMA an anon_vma of its own but skips anon_vma_clone(): the child's PTEs of the parent's folios are invisible to rmap (try_to_migrate / try_to_unmap cannot reach them, so migration of a shared folio always backs out), and the child holds no reference on the anon_vma its mapped folios point to (R1: the parent's exit frees it under the child's mappings).",
  },
  pin_without_unshare: {
    rule: 'R15',
    breaks: 'I13',
    existed: 'hypothetical',
    source:
      'hypothetical; mm/internal.h gup_must_unshare() ("return !PageAnonExclusive(page)") and mm/gup.c follow_page_pte() -EMLINK → FAULT_FLAG_UNSHARE; tools/testing/selftests/mm/cow.c "R/O GUP pin on R/O-mapped shared page"',
    description:
      'gup_must_unshare() never asks for unsharing: a R/O FOLL_PIN is taken on a shared (not PageAnonExclusive) anon page, so the next write fault of the process copies the page and the pin keeps reading the old one.',
  },
  reuse_ignores_anon_exclusive: {
    rule: 'R15',
    breaks: 'I13',
    existed: 'real',
    source:
      'kernel-rules.md R15 history: do_wp_page() reused by refcount alone from v5.9 ("mm: do_wp_page() simplification") until PG_anon_exclusive (v5.19); the old code itself was not re-read here',
    description:
      "do_wp_page() decides reuse by wp_can_reuse_anon_folio() alone, ignoring PageAnonExclusive: a pinned exclusive page (refcount ≥ GUP_PIN_COUNTING_BIAS) is copied on the next write fault, and the pin no longer sees the process's data.",
  },
  fork_shares_pinned_page: {
    rule: 'R16',
    breaks: 'I13',
    existed: 'hypothetical',
    source:
      'hypothetical; include/linux/rmap.h __folio_try_dup_anon_rmap() ("If this folio may have been pinned by the parent process, don\'t allow to duplicate the mappings") and mm/memory.c copy_present_ptes() → copy_present_page(); kernel-rules.md R16 (70e806e4e645, early COW of pinned pages at fork); cow.c "fork() with an iouring fixed buffer"',
    description:
      "folio_try_dup_anon_rmap_pte() ignores folio_needs_cow_for_dma(): fork shares a pinned exclusive page with the child, write-protecting the parent's PTE, so the parent's next write copies the page away from its pin.",
  },
  mprotect_ignores_anon_exclusive: {
    rule: 'R15',
    breaks: 'I13',
    existed: 'hypothetical',
    source:
      'hypothetical; mm/mprotect.c can_change_private_pte_writable() ("We can only special-case on exclusive anonymous pages"); cow.c "Basic COW after fork() with mprotect() optimization"',
    description:
      "mprotect(PROT_READ|PROT_WRITE)'s optimization maps any anon page writable, PageAnonExclusive or not: after fork the parent writes into the page its child still maps.",
  },
  large_reuse_ignores_mapped_shared: {
    era: 'today',
    rule: 'R15',
    breaks: 'I13',
    existed: 'hypothetical',
    source:
      'hypothetical; mm/memory.c __wp_can_reuse_large_anon_folio() (1da190f4d0a6, v6.15 inferred): "If all folio references are from mappings, and all mappings are in the page tables of this MM, then this folio is exclusive to this MM" — the refcount test alone cannot tell whose mappings they are',
    description:
      'COW reuse of a PTE-mapped large anon folio checks only folio_large_mapcount == folio_ref_count and skips the "maybe mapped shared" bit: after fork() parent and child each map every page, mapcount equals refcount, and the parent\'s write lands in the page the child still maps.',
  },
  memcg1_swapin_keeps_memsw: {
    rule: 'I6',
    breaks: 'I6',
    existed: 'hypothetical',
    source:
      'issue 11 (the model before it: "a swap entry\'s memory+swap charge is never released ... at swapin, memcg1_swapin"); mm/memcontrol-v1.c memcg1_swapin() ("we\'d count the page twice the entire time")',
    description:
      "cgroup v1: a swapin charges the new folio to memory+swap but memcg1_swapin() does not drop the entry's memsw charge: memsw counts the page twice for as long as the slot lives (the issue's trace ends at memsw 2, the kernel's code at 1).",
  },
  swap_free_keeps_swap_charge: {
    rule: 'I6',
    breaks: 'I6',
    existed: 'hypothetical',
    source:
      'issue 11 ("not when the slot is freed"); mm/swapfile.c swap_entries_free(): mem_cgroup_uncharge_swap(entry, nr_pages)',
    description:
      'A swap slot is freed without mem_cgroup_uncharge_swap(): its memsw (cgroup v1) or swap (cgroup v2) charge stays on the memcg after nothing uses the slot (memory.swap.current never returns to 0).',
  },
  sync_swapin_without_swapcache_prepare: {
    rule: 'R17',
    breaks: 'I13',
    existed: 'real',
    source:
      'the SWP_SYNCHRONOUS_IO swap-cache bypass of 0bcac06f27d7 "mm, swap: skip swapcache for swapin of synchronous device" (the Fixes: tag of the fix) until 13ddaf26be32 "mm/swap: fix race when skipping swapcache" (Kairui Song, 2024-02; the id as cited in later list mail, the patch read in its v3 posting 20240216095105.14502-1-ryncsn@gmail.com)',
    description:
      "do_swap_page() skips the swap cache for a synchronous device without claiming SWAP_HAS_CACHE (swapcache_prepare): two faults read the entry into two folios; the first maps its folio and frees the entry, the page is written and swapped out again to the same entry, and the second fault's pte_same() passes: it maps its stale folio and the write is lost.",
  },
  rmap_before_tlb_flush: {
    rule: 'R19',
    breaks: 'I22',
    existed: 'real',
    source:
      '004_02c1a82d333a6d5f.txt (the delayed-rmap series); 5df397dec7c4 "mm: delay page_remove_rmap() until after the TLB has been flushed" (Linus Torvalds, v6.2) fixed it; since 1cf35d47712d (2014) the flush was already inside the PTL section',
    description:
      "zap_pte_range() removes a dirty shared file folio's rmap (page_remove_rmap) right after clearing its PTE, and flushes the TLB later in the same PTL section (every kernel before v6.2): folio_mkclean() then sees the folio unmapped, skips the walk that would wait for the PTL, and writeback cleans the folio while another CPU can still write it through its stale TLB entry.",
  },
  swapin_exclusive_under_writeback: {
    rule: 'R21',
    breaks: 'I23',
    existed: 'real',
    source:
      '003_859f4d202f500720.txt (David\'s sketch keeps the SWP_STABLE_WRITES exception; Liang Zhang: "a very important check -- stable page requirement, see Fixes: f05714293a59"); before f05714293a59 "mm: support anonymous stable page" (2017) reuse_swap_page() reused a page under writeback on any device; v2 of "mm/swap: remember PG_anon_exclusive via a swp pte bit" (2022-03) had the test inverted, caught in review',
    description:
      'do_swap_page() keeps the exclusive marker of a swap-cache folio under writeback to a SWP_STABLE_WRITES device, so it maps the folio writable and the task writes it while the device (zram) is still reading it.',
  },
  no_pmd_same_recheck: {
    rule: 'R20',
    breaks: 'I17',
    existed: 'hypothetical',
    source:
      'hypothetical in mainline since v6.5: __pte_offset_map_lock() has re-checked pmd_same() under the PTL since 0d940a9b270b "mm/pgtable: allow pte_offset_map[_lock]() to fail" (Hugh Dickins); the class of bug is real: 8d3c106e19e8 "mm/khugepaged: take the right locks for page table retraction", and Qi Zheng\'s "mm: pgtable: fix incorrect reclaim of non-empty PTE pages" (2025, Fixes 6375e95f381e)',
    description:
      'pte_offset_map_lock() takes the PTL of the PTE table it found through the PMD and trusts it without re-checking pmd_same(): a fault that read the PMD before PT reclaim detached the table installs its PTE into the detached table, which is then freed with the folio still mapped in it (the folio is leaked).',
  },
  fork_without_vma_start_write: {
    rule: 'R22',
    breaks: 'I21',
    existed: 'real',
    source:
      'v6.4 as released: per-VMA-lock page faults without fb49c455323f "fork: lock VMAs of the parent process when forking" (Suren Baghdasaryan, v6.5-rc1, also 6.4.y; bugzilla 217624; "mm: disable CONFIG_PER_VMA_LOCK until its fixed" meanwhile), as kernel-rules.md R22 quotes it',
    description:
      "dup_mmap() holds mmap_write_lock() but does not vma_start_write() the parent's VMAs, while page faults run under the per-VMA read lock only: a write fault's anon_vma_prepare() gives the parent VMA an anon_vma after anon_vma_fork() saw none, and copy_page_range() then copies the new anonymous folio's PTE into a child VMA that no anon_vma tree links (the commit: \"defeating the anon_vma_clone() that wasn't done because the parent vma originally didn't have an anon_vma\").",
  },
};

export interface Variant {
  readonly era: Era;
  readonly mutations: ReadonlySet<Mutation>;
}

export function variantOf(opts: { era?: Era; mutate?: Mutation | readonly Mutation[] }): Variant {
  const era = opts.era ?? 'today';
  if (!(era in ERAS)) throw new Error(`unknown era '${era}' (one of ${Object.keys(ERAS).join(', ')})`);
  const list = opts.mutate === undefined ? [] : typeof opts.mutate === 'string' ? [opts.mutate] : opts.mutate;
  for (const m of list) {
    if (!(m in MUTATIONS))
      throw new Error(`unknown mutation '${m}' (one of ${Object.keys(MUTATIONS).join(', ')})`);
    const only = MUTATIONS[m].era;
    if (only !== undefined && only !== era)
      throw new Error(
        `mutation '${m}' (${MUTATIONS[m].rule}) changes the code of era '${only}': use { era: '${only}' }`,
      );
    if (MUTATIONS[m].modelled === false)
      throw new Error(
        `mutation '${m}' (${MUTATIONS[m].rule}) is catalogued but not modelled yet: no op consults it`,
      );
  }
  return { era, mutations: new Set(list) };
}
