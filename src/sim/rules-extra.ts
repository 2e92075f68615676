import type { Folio } from './objects/folio.ts';
import type { Pte } from './objects/page_table.ts';
import { type RuleScenario, swapSharedWithMover } from './rules.ts';
import type { ScenarioBuilder } from './scenario.ts';

/**
 * Further models of a rule, beside its racy scenario in `RULES`: a second mutation of the same
 * rule whose harm needs no race (`sequential` says why). They are run by the same tests as
 * `RULES` (spec-tests/sim/rules.test.ts: holds exhaustively; the serial runs of the mutation break
 * too; the full search breaks on the harm; the guard fires), but are not the rule's scenario: the
 * rule boxes and the benchmark use `RULES`.
 *
 * R16's two fork halves: fork itself leaving PageAnonExclusive or pte_swp_exclusive set breaks
 * the rule in any order. R16's scenario in `RULES` is the race the kernel guards against:
 * do_swap_page() trusting the exclusive bit without checking it under the PTL.
 *
 * GUP pins and mprotect (issue 11): R15's mprotect() optimization (can_change_pte_writable()
 * maps only PageAnonExclusive pages writable) and R16's fork of a pinned page
 * (copy_present_page()); both harms need no race (`sequential` says why).
 *
 * R17's other half (issue 11): the SWP_SYNCHRONOUS_IO swapin that skips the swap cache must
 * claim SWAP_HAS_CACHE (swapcache_prepare) before reading. Unlike the fork halves this one is a
 * race, reached only with a preemption: two faults read one entry into two folios.
 *
 * R7 in era 2023 (v6.3–v6.12): get_mctgt_type() trylocks a non-present PTE's folio and skips it
 * if mapped elsewhere, so a swapin (0→1) cannot map it mid-move. R7's own scenario (a zap,
 * 1→0) breaks in era 2023 as the kernel code stands (the stat window of why-locks.mdx); this
 * one, with no unmap, holds. Its mutation was never kernel code (variants.ts).
 */
export const EXTRA_RULE_SCENARIOS: readonly RuleScenario[] = [
  {
    id: 'R16',
    title: 'fork revokes PageAnonExclusive',
    mutation: 'fork_keeps_anon_exclusive',
    harm: 'I13',
    guard: 'I14',
    sequential:
      "fork itself leaves the parent's page marked exclusive: the parent's next write reuses it in place, so the child reads it in any order",
    build: (k) => {
      const P = k.process('P', { pages: 1 });
      const F = k.anonFolio(P, 0, { content: 1 });
      const C = k.child(P, 'C');
      k.thread('P', (t) => t.fork(P, C).store(P, 0, 2));
      k.thread('C', (t) =>
        t.after('wait for fork to populate the child', () => C.pt.peekPte(0).t !== 'none').load(C, 0),
      );
      k.sometimes(
        'P wrote while C still maps the shared folio',
        () => P.mm.expect(0) === 2 && maps(C.pt.peekPte(0), F),
        [P.mm, C.pt.pteObjects()[0]],
      );
    },
  },
  {
    id: 'R16',
    title: "fork revokes exclusivity of a swap PTE too: the parent's pte_swp_exclusive is cleared",
    mutation: 'fork_keeps_swp_exclusive',
    harm: 'I14',
    guard: 'I14',
    sequential:
      "fork itself leaves the parent's swap PTE marked exclusive: the parent's swapin maps the shared folio PageAnonExclusive and writable, and the child's swapin of it is do_swap_page()'s BUG_ON(PageAnonExclusive) in any order (with a preemption, the child instead reads the parent's write)",
    build: (k) => {
      const P = k.process('P', { pages: 1 });
      k.swapped(P, 0, { cached: true, written: true, content: 5, exclusive: true });
      const C = k.child(P, 'C');
      k.thread('P', (t) => t.fork(P, C).store(P, 0, 9));
      k.thread('C', (t) =>
        t.after('wait for fork to populate the child', () => C.pt.peekPte(0).t !== 'none').load(C, 0),
      );
      k.sometimes(
        "P wrote its swapped-in page while C's PTE still holds the shared swap entry",
        () => P.mm.expect(0) === 9 && C.pt.peekPte(0).t === 'swap',
        [P.mm, C.pt.pteObjects()[0]],
      );
    },
  },
  {
    id: 'R15',
    title: 'the mprotect() optimization maps only a PageAnonExclusive page writable',
    mutation: 'mprotect_ignores_anon_exclusive',
    harm: 'I13',
    guard: 'I14',
    sequential:
      'the mutated mprotect(PROT_READ|PROT_WRITE) itself maps the page the child still shares writable, so the parent\'s next store lands in it in any order (cow.c "Basic COW after fork() with mprotect() optimization")',
    build: (k) => {
      const P = k.process('P', { pages: 1 });
      const F = k.anonFolio(P, 0, { content: 1 });
      const C = k.forked(P, 'C');
      k.thread('P', (t) => t.mprotect(P, 'r').mprotect(P, 'rw').store(P, 0, 2), { alloc: 1 });
      k.thread('C', (t) => t.load(C, 0).store(C, 0, 3).load(C, 0), { alloc: 1 });
      k.sometimes(
        'P stored while C still maps the shared page',
        () => P.mm.expect(0) === 2 && maps(C.pt.peekPte(0), F),
        [P.mm, C.pt.pteObjects()[0]],
      );
    },
  },
  {
    id: 'R16',
    title: 'fork copies a maybe-pinned exclusive page for the child (copy_present_page)',
    mutation: 'fork_shares_pinned_page',
    harm: 'I13',
    guard: 'I13',
    sequential:
      'the mutated fork itself shares the pinned page and write-protects the parent\'s PTE, so the parent\'s next store copies the page away from its pin in any order (cow.c "fork() with an iouring fixed buffer")',
    build: (k) => {
      const P = k.process('P', { pages: 1 });
      const F = k.anonFolio(P, 0, { content: 1 });
      const C = k.child(P, 'C');
      k.thread(
        'P',
        (t) =>
          t
            .pin_user_pages(P, 0, { write: true, longterm: true })
            .fork(P, C)
            .store(P, 0, 9)
            .readGupPage('mapped', 'Longterm R/W pin is reliable')
            .unpin_user_page(),
        { alloc: 2 },
      );
      k.thread('C', (t) => t.after('forked', () => C.pt.peekPte(0).t !== 'none').load(C, 0));
      k.sometimes('P stored into its pinned page, still writable and exclusive, while C maps its own copy', () => {
        const p = P.pt.peekPte(0);
        return (
          P.mm.expect(0) === 9 &&
          maps(p, F) &&
          p.t === 'present' &&
          p.write &&
          F.exclusive &&
          C.pt.peekPte(0).t === 'present' &&
          !maps(C.pt.peekPte(0), F)
        );
      }, [P.mm, P.pt.pteObjects()[0], C.pt.pteObjects()[0], ...F.fields('exclusive')]);
    },
  },
  {
    id: 'R17',
    title:
      'a swapin that skips the swap cache claims the entry first: two faults on a SWP_SYNCHRONOUS_IO entry',
    mutation: 'sync_swapin_without_swapcache_prepare',
    harm: 'I13',
    guard: 'I13',
    build: (k) => {
      const P = k.process('P', { pages: 1 });
      k.swapped(P, 0, { cached: false, written: true, content: 5, synchronous: true });
      // T1 and T2 are threads of P faulting the same address; T2 then writes and reclaim swaps
      // the page out again, to the lowest free slot: the entry T1 read.
      k.thread('T1', (t) => t.load(P, 0), { alloc: 3 });
      k.thread('T2', (t) => t.store(P, 0, 7).reclaim(P, 0), { alloc: 3 });
      k.sometimes('both faults hold a folio for the one swap entry', () => {
        const a = k.allocated('T1');
        const b = k.allocated('T2');
        return a !== null && b !== null && !a.freed && !b.freed && P.pt.peekPte(0).t === 'swap';
      }, ['folio#T1.1', 'folio#T2.1', P.pt.pteObjects()[0]]);
    },
  },
  {
    id: 'R7',
    title: "charge moving vs a swapin elsewhere (0→1): v6.3's trylock in get_mctgt_type() (2023)",
    mutation: 'move_charge_without_trylock',
    harm: 'I8',
    guard: 'I8',
    opts: { era: '2023' },
    build: (k) => {
      // R7's world (P's swap PTE, its folio in the swap cache, the child Q, P's charges moving to B)
      const { F, Q } = swapSharedWithMover(k);
      k.thread('Q', (t) => t.load(Q, 0), { alloc: 1 });
      const mc = k.mc();
      k.sometimes('Q maps the folio while charges are moving', () => F.mapcount === 1 && mc.to !== null, [
        F.mapcountObject(),
        mc,
      ]);
    },
  },
];

const maps = (p: Pte, f: Folio) => p.t === 'present' && p.folio === f.name;

/**
 * Further racy scenarios of a rule's own mutation: another reader reaching the same broken
 * window, run by the same tests as `RULES` (exhaustive holds with witnesses; serial runs of the
 * mutation do not break; the full search breaks on the harm, through the race; the guard fires).
 *
 * R1, seen from migration and after the grace period — the two ways Hugh's kernel crashed in
 * seed 004, in its setting (era '2022': kswapd's folio_referenced() walked anon folios unlocked):
 * - migrate_folio_unmap()'s VM_BUG_ON_FOLIO(folio_test_anon(src) && !folio_test_ksm(src) &&
 *   !anon_vma): the folio still counts as mapped, but folio_get_anon_vma()'s
 *   atomic_inc_not_zero() finds the anon_vma freed ("BUG at mm/migrate.c:1105!"). With guards
 *   on (CONFIG_DEBUG_VM) that BUG is the guard, I5; without, try_to_migrate() walks the freed
 *   anon_vma (I4).
 * - the freed anon_vma's slab page goes back to the page allocator after an RCU grace period
 *   and becomes a page table; kswapd, trusting the stale folio_mapped(), finds it only then
 *   ("It looked like a page table when I peeped at it"; "after nearly five hours of load, BUG
 *   NULL dereference (address 8) in down_read_trylock() in rmap_walk_anon()").
 */
export const EXTRA_RULE_RACES: readonly RuleScenario[] = [
  {
    id: 'R1',
    title: 'folio_mapped() guards the anon_vma: exit_mmap vs migration (migrate_folio_unmap)',
    mutation: 'delayed_anon_rmap',
    harm: 'I4',
    guard: 'I5',
    opts: { era: '2022' },
    build: (k) => {
      const A = k.process('A', { pages: 1 });
      const F = k.anonFolio(A, 0);
      const av = A.anon_vma!;
      k.thread('exit', (t) => t.exit_mmap(A));
      k.thread('migrate', (t) => t.migrate(F), { alloc: 1 });
      k.sometimes(
        'migration holds the folio lock after exit freed the anon_vma',
        () => F.lock.holder() === 1 && av.state === 'freed',
        [F.lock, av],
      );
    },
  },
  {
    id: 'R1',
    title: "folio_mapped() guards the anon_vma: the freed anon_vma's memory becomes a page table",
    mutation: 'delayed_anon_rmap',
    harm: 'I4',
    guard: 'I5',
    opts: { era: '2022' },
    build: (k) => {
      const A = k.process('A', { pages: 1 });
      const F = k.anonFolio(A, 0);
      const av = A.anon_vma!;
      k.thread('exit', (t) => t.exit_mmap(A));
      k.thread('slab', (t) => t.rcu_free_slab(av));
      // kswapd reaches the folio only after the anon_vma's memory has been reused
      k.thread('reclaim', (t) =>
        t
          .after("the anon_vma's slab page is a page table", () => av.state === 'pagetable')
          .folio_referenced(F),
      );
      k.sometimes(
        "reclaim holds the folio after the anon_vma's memory became a page table",
        () => av.state === 'pagetable' && !F.lru && !F.freed,
        [F, av, ...F.fields('lru')],
      );
    },
  },
  {
    // R3 with a file mapping (issue 14): truncation reaches P's page table through the i_mmap
    // tree. mm/memory.c unmap_mapping_folio() @ AMDESE/linux-mm 91883f9ea22a walks the tree
    // under i_mmap_lock_read() (memory.c:unmap_mapping_folio:i_mmap_lock_read); free_pgtables()
    // hides the VMA from it (unlink_file_vma, under i_mmap_lock_write) before free_pgd_range().
    // Either elided, or the order swapped (the mutation), truncation zaps through a freed table.
    id: 'R3',
    title: 'teardown vs truncation: the file VMA leaves the i_mmap tree before its page table is freed',
    mutation: 'free_pgtables_before_unlink',
    harm: 'I17',
    guard: 'I17',
    build: (k) => exitVsFileRmapWalk(k, 'truncate'),
  },
  {
    // R3 with a file mapping, from writeback (issue 14): folio_mkclean() → rmap_walk_file() walks
    // the i_mmap tree under i_mmap_lock_read() (rmap.c:rmap_walk_file:i_mmap_lock_read) to
    // write-protect P's PTE while P exits.
    id: 'R3',
    title:
      "teardown vs writeback's folio_mkclean(): the file VMA leaves the i_mmap tree before its page table is freed",
    mutation: 'free_pgtables_before_unlink',
    harm: 'I17',
    guard: 'I17',
    build: (k) => exitVsFileRmapWalk(k, 'writeback'),
  },
  {
    // R13 with the slab's afterlife (issue 14): reclaim's folio_lock_anon_vma_read() reads
    // folio->mapping and trylocks the anon_vma inside rcu_read_lock()
    // (rmap.c:folio_lock_anon_vma_read:rcu); exit frees the anon_vma meanwhile, and its slab page
    // goes back to the page allocator only after a grace period (mm/slub.c free_slab():
    // call_rcu(&slab->rcu_head, rcu_free_slab); slub.c:free_slab:call_rcu), which waits for that
    // reader. Without either, the reader's down_read_trylock() lands in a page table (seed 004).
    id: 'R13',
    title: "a reader inside its read section at the anon_vma's free keeps the slab page an anon_vma",
    mutation: 'free_without_grace_period',
    harm: 'I20',
    guard: 'I20',
    build: (k) => {
      anonVmaAfterlife(k);
    },
  },
];

/**
 * R13's race with the slab's afterlife, shared with spec-tests/sim/anon-vma-afterlife.test.ts:
 * exit frees A's anon_vma, reclaim's folio_referenced() reads it under RCU, and the slab page goes
 * back to the page allocator after a grace period. Its witness: the grace period waits for a
 * read section open since before the free.
 */
export function anonVmaAfterlife(k: ScenarioBuilder) {
  const A = k.process('A', { pages: 1 });
  const F = k.anonFolio(A, 0);
  const av = A.anon_vma!;
  const reclaim = k.rcuReader('reclaim');
  k.thread('exit', (t) => t.exit_mmap(A));
  k.thread('reclaim', (t) => t.folio_referenced(F));
  k.thread('slab', (t) => t.rcu_free_slab(av));
  k.sometimes(
    "the slab page waits for reclaim's read section, open since before the free",
    () => reclaim.reader && av.state === 'freed',
    [reclaim, av],
  );
  return { F, av, reclaim };
}

/**
 * R3's file races: P exits while `walker` reaches P's page table through the file's i_mmap tree
 * (truncation: unmap_mapping_folio(); writeback: folio_mkclean() → rmap_walk_file(), on a
 * writable mapping of a file with a disk). Witness: the walk holds i_mmap_rwsem after exit zapped
 * P's PTE and before its table is freed.
 */
function exitVsFileRmapWalk(k: ScenarioBuilder, walker: 'truncate' | 'writeback'): void {
  const writeback = walker === 'writeback';
  const file = k.file(1, writeback ? { disk: true } : {});
  const F = k.fileFolio(file, 0);
  const P = k.process('P', { pages: 1, file });
  k.mapFile(P, F, 0, writeback ? { writable: true } : {});
  k.thread('exit', (t) => t.exit_mmap(P));
  if (writeback) k.thread('writeback', (t) => t.writeback(file, 0));
  else k.thread('truncate', (t) => t.truncate(file, 0));
  k.sometimes(
    `${writeback ? 'writeback' : 'truncation'} walks the i_mmap tree after exit zapped P's PTE`,
    () => file.i_mmap_rwsem.readers === 1 && P.pt.peekPte(0).t === 'none' && !P.pt.freed,
    [file.i_mmap_rwsem, P.pt, P.pt.pteObjects()[0]],
  );
}
