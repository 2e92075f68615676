import type { Model } from '../explorer/index.ts';
import type { InvariantId } from './invariants/names.ts';
import type { Folio } from './objects/folio.ts';
import type { MemCgroup } from './objects/mem_cgroup.ts';
import type { Pte } from './objects/page_table.ts';
import { type ScenarioBuilder, type ScenarioOptions, scenario } from './scenario.ts';
import type { Mutation } from './variants.ts';

/**
 * The racy scenario of each rule R1–R22 of kernel-rules.md: the smallest setup and threads that
 * reach the rule's window (proved by a `sometimes` witness), run as the correct model (the rule
 * holds: guards and harms checked in every interleaving) or with the rule's mutation (its
 * counterexample is the rule's *harm* — what a user of the kernel suffers — found with the guards
 * off). Chapters, tests and the benchmark use these.
 */
export interface RuleScenario {
  readonly id: string;
  readonly title: string;
  readonly mutation: Mutation;
  /**
   * The harm: the check the mutated model's counterexample violates with guards off (a
   * use-after-free or reuse, lost or leaked data, a charge or stat wrong at rest, an oops every
   * kernel config has). Reached only through the race, unless `sequential` says why not.
   */
  readonly harm: InvariantId;
  /** With guards on, the assertion that fires first (what lockdep or a VM_BUG_ON would say). */
  readonly guard: InvariantId;
  /** Only where the harm needs no race: one line saying why (serial runs then break too). */
  readonly sequential?: string;
  readonly build: (k: ScenarioBuilder) => void;
  readonly opts?: ScenarioOptions;
}

export const RULES: readonly RuleScenario[] = [
  {
    id: 'R1',
    title: 'folio_mapped() guards the anon_vma: exit_mmap vs folio_referenced',
    mutation: 'delayed_anon_rmap',
    harm: 'I4',
    guard: 'I5',
    build: (k) => {
      const A = k.process('A', { pages: 1 });
      const F = k.anonFolio(A, 0);
      const reclaim = k.rcuReader('reclaim');
      k.thread('exit', (t) => t.exit_mmap(A));
      k.thread('reclaim', (t) => t.folio_referenced(F));
      k.sometimes(
        'reclaim holds the anon_vma pointer under RCU after exit freed it',
        () => reclaim.reader && A.anon_vma?.state === 'freed',
        [reclaim, A.anon_vma!],
      );
    },
  },
  {
    id: 'R2',
    title: 'an rmap reader re-checks folio_mapped() after pinning the anon_vma',
    mutation: 'no_recheck_mapped_after_pin',
    harm: 'I4',
    guard: 'I4',
    build: (k) => {
      const A = k.process('A', { pages: 1 });
      const F = k.anonFolio(A, 0);
      const av = A.anon_vma!;
      const reclaim = k.rcuReader('reclaim');
      k.thread('exit', (t) => t.exit_mmap(A));
      k.thread('other', (t) =>
        t.after('the slab holds the freed anon_vma', () => av.state === 'freed').anon_vma_alloc(av),
      );
      k.thread('reclaim', (t) => t.folio_referenced(F));
      k.sometimes(
        'reclaim holds the pointer under RCU while the anon_vma is reallocated',
        () => reclaim.reader && av.state === 'reused',
        [reclaim, av],
      );
    },
  },
  {
    id: 'R3',
    title: 'teardown: zap, then unlink from rmap, then free the page tables',
    mutation: 'free_pgtables_before_unlink',
    harm: 'I17',
    guard: 'I17',
    build: (k) => {
      const A = k.process('A', { pages: 1 });
      const F = k.anonFolio(A, 0);
      k.forked(A, 'C');
      k.thread('exit', (t) => t.exit_mmap(A));
      k.thread('reclaim', (t) => t.folio_referenced(F));
      const av = A.anon_vma!;
      k.sometimes(
        "reclaim walks the anon_vma tree after exit zapped A's PTE",
        () => av.rwsem.rwsem_is_locked() && av.rwsem.readers === 1 && A.pt.peekPte(0).t === 'none',
        [av.rwsem, A.pt.pteObjects()[0]],
      );
    },
  },
  {
    id: 'R3b',
    title: 'teardown: no PTE is installed between zap and free_pgtables (a remote access pins the mm first)',
    mutation: 'mmget_after_exit',
    harm: 'I17',
    guard: 'I17',
    build: (k) => {
      const A = k.process('A', { pages: 1 });
      k.thread('exit', (t) => t.exit_mmap(A));
      k.thread('remote', (t) => t.access_remote_vm(A, 0, 5), { alloc: 4 });
      k.sometimes(
        "the remote access faulted A's page in after the owner's mmput(), and its own mmput() tears A down",
        () => A.mm.mm_users === 0 && A.pt.peekPte(0).t === 'present',
        [A.mm, A.pt.pteObjects()[0]],
      );
    },
  },
  {
    id: 'R4',
    title: 'the PTE and its mapcount change in one PTL section: munmap vs truncate',
    mutation: 'rmap_after_ptl_drop',
    harm: 'I3b',
    guard: 'I2',
    build: (k) => {
      const file = k.file(1);
      const F = k.fileFolio(file, 0);
      const A = k.process('A', { pages: 1, file });
      k.mapFile(A, F, 0);
      k.thread('munmap', (t) => t.zap(A, [0]));
      k.thread('truncate', (t) => t.truncate(file, 0));
      k.sometimes(
        "truncate holds the folio lock after munmap cleared A's PTE",
        () => F.lock.holder() === 1 && A.pt.peekPte(0).t === 'none',
        [F.lock, A.pt.pteObjects()[0]],
      );
    },
  },
  {
    id: 'R5',
    title: 'large-folio mapcount aggregates follow every rmap change',
    mutation: 'page_zap_pte_rmap',
    harm: 'I16',
    guard: 'I16',
    sequential:
      'the mutated zap leaves _nr_pages_mapped behind on its own, so freeing the folio is "Bad page state" in any order (Hugh hit it before the first login)',
    build: (k) => {
      const A = k.process('A', { pages: 4 });
      const F = k.anonFolio(A, 0, { nr: 4 });
      k.thread('dontneed1', (t) => t.zap(A, [0, 1]));
      k.thread('dontneed2', (t) => t.zap(A, [2, 3]));
      k.sometimes('the folio is half mapped', () => F.nr_pages_mapped === 2, F.fields('nr_pages_mapped'));
    },
  },
  {
    id: 'R6',
    title: 'the folio lock blocks !mapped → mapped: truncate vs fault-around',
    mutation: 'map_without_folio_lock',
    harm: 'I3b',
    guard: 'I9',
    build: (k) => {
      const file = k.file(1);
      const F = k.fileFolio(file, 0);
      const A = k.process('A', { pages: 1, file });
      k.thread('truncate', (t) => t.truncate(file, 0));
      k.thread('fault', (t) => t.load(A, 0));
      k.sometimes(
        'truncate holds the lock of a mapped folio',
        () => F.mapcount > 0 && F.lock.holder() === 0,
        [F.mapcountObject(), F.lock],
      );
    },
  },
  {
    id: 'R7',
    title: 'charge moving needs a stable folio_mapped(): a zap elsewhere (1→0) while the folio moves (2022)',
    mutation: 'memcg_lock_before_stats_only',
    harm: 'I8',
    guard: 'I8',
    opts: { era: '2022' },
    build: (k) => {
      const { F, Q, B } = swapSharedWithMover(k);
      k.thread('Q', (t) => t.load(Q, 0).zap(Q, [0]), { alloc: 1 });
      k.sometimes('the folio is moved to B while Q maps it', () => F.memcg === B.name && F.mapcount === 1, [
        F.memcgObject(),
        F.mapcountObject(),
      ]);
    },
  },
  {
    id: 'R8',
    title: 'folio_memcg() changes only under the folio lock and LRU isolation, or exclusivity',
    mutation: 'memcg_switch_on_lru',
    harm: 'I10',
    guard: 'I10',
    opts: { era: '2023' },
    build: (k) => {
      const A = k.memcg('A');
      const B = k.memcg('B');
      const P = k.process('P', { pages: 1, memcg: A });
      const F = k.anonFolio(P, 0);
      const R = k.process('R', { pages: 1, memcg: A });
      const G = k.anonFolio(R, 0); // F's neighbour on A's LRU list
      k.thread('move', (t) => t.move_charge(P, B));
      k.thread('reclaim', (t) => t.isolate_lru(F));
      k.thread('reclaimA', (t) => t.isolate_lru(G));
      const mc = k.mc();
      k.sometimes(
        'charge moving skipped the folio because reclaim held it (isolated or locked)',
        () => mc.to === null && P.mm.owner_memcg === B.name && F.memcg === A.name,
        [mc, P.mm, F.memcgObject()],
      );
    },
  },
  {
    id: 'R9',
    title: 'a folio is charged exactly once: 2008 swapin charges under lock_page()',
    mutation: 'charge_before_lock_page',
    harm: 'I6',
    guard: 'I7',
    opts: { era: '2008' },
    build: (k) => {
      const X = k.memcg('X');
      const Y = k.memcg('Y');
      const P = k.process('P', { pages: 1, memcg: X });
      const { folio } = k.swapped(P, 0, { cached: true, written: true, content: 5 });
      const C = k.forked(P, 'C', { memcg: Y });
      const F = folio as Folio;
      k.thread('P', (t) => t.load(P, 0));
      k.thread('C', (t) => t.load(C, 0));
      k.sometimes(
        'both faults found the swap-cache folio before either charged it',
        () => F.refcount === 3 && F.memcg === null,
        [F, F.memcgObject()],
      );
    },
  },
  {
    id: 'R10',
    title: 'uncharge only at the final put: migration that backs out keeps the charge',
    mutation: 'uncharge_at_last_unmap',
    harm: 'I19',
    guard: 'I19',
    opts: { era: '2014' },
    build: (k) => {
      const X = k.memcg('X');
      const P = k.process('P', { pages: 1, memcg: X });
      const F = k.anonFolio(P, 0, { content: 1 });
      k.thread('migrate', (t) => t.migrate(F), { alloc: 1 });
      k.thread('gup', (t) => t.gup(P, 0).readGup());
      k.sometimes(
        "the folio is unmapped into a migration entry while GUP's reference is held (migration backs out)",
        () => P.pt.peekPte(0).t === 'migration' && F.refcount === 2,
        [F, P.pt.pteObjects()[0]],
      );
    },
  },
  {
    id: 'R11',
    title: 'migration transfers the charge from the old folio to the new one',
    mutation: 'migrate_keeps_old_memcg',
    harm: 'I6',
    guard: 'I6',
    sequential:
      'the mutated mem_cgroup_migrate() miscounts on its own: every migration uncharges the old folio at its free while the new one stays charged',
    build: (k) => {
      const X = k.memcg('X');
      const P = k.process('P', { pages: 1, memcg: X });
      const F = k.anonFolio(P, 0, { content: 1 });
      k.thread('migrate', (t) => t.migrate(F), { alloc: 1 });
      k.thread('P', (t) => t.load(P, 0));
      k.sometimes(
        'the new folio is mapped and charged while the old one is not yet freed',
        () => !F.freed && k.allocated('migrate')?.mapcount === 1,
        [F, 'folio#migrate.1.mapcount', 'folio#migrate.1'],
      );
      void X;
    },
  },
  {
    id: 'R12',
    title: 'swapout moves the charge to the swap entry only once the refcount is frozen',
    mutation: 'swapout_before_freeze',
    harm: 'I19',
    guard: 'I19',
    build: (k) => {
      const X = k.memcg('X');
      const P = k.process('P', { pages: 1, memcg: X });
      const { folio } = k.swapped(P, 0, { cached: true, written: true, content: 5 });
      const F = folio as Folio;
      k.thread('reclaim', (t) => t.shrink_folio_list(F));
      k.thread('P', (t) => t.load(P, 0));
      k.sometimes(
        'the fault holds a reference while reclaim has the folio isolated and locked',
        () => F.lock.holder() === 0 && !F.lru && F.refcount === 3,
        [F, F.lock, ...F.fields('lru')],
      );
    },
  },
  {
    id: 'R13',
    title: 'an object reachable under rcu_read_lock() is freed only after a grace period',
    mutation: 'free_without_grace_period',
    harm: 'I20',
    guard: 'I20',
    build: (k) => {
      const A = k.process('A', { pages: 1 });
      const F = k.anonFolio(A, 0);
      const reclaim = k.rcuReader('reclaim');
      k.thread('exit', (t) => t.exit_mmap(A));
      k.thread('reclaim', (t) => t.folio_referenced(F));
      k.sometimes(
        'reclaim holds the anon_vma pointer under RCU after the last put_anon_vma()',
        () => reclaim.reader && A.anon_vma?.refcount === 0,
        [reclaim, ...A.anon_vma!.fields('refcount')],
      );
    },
  },
  {
    id: 'R14',
    title: 'the swap cache is freed only under the folio lock with a zero swap count',
    mutation: 'free_swap_ignores_swapcount',
    harm: 'I12',
    guard: 'I12',
    sequential:
      "P's own write fault drops the only copy of C's data (the swap cache folio; the slot was never written): no second thread is needed to lose it",
    build: (k) => {
      const P = k.process('P', { pages: 1 });
      k.swapped(P, 0, { cached: true, written: false, content: 5 });
      const C = k.forked(P, 'C');
      k.thread('P', (t) => t.store(P, 0, 9));
      k.thread('C', (t) => t.load(C, 0));
      k.sometimes(
        "P wrote while C's PTE still holds the swap entry",
        () => P.mm.expect(0) === 9 && C.pt.peekPte(0).t === 'swap',
        [P.mm, C.pt.pteObjects()[0]],
      );
    },
  },
  {
    id: 'R15',
    title: 'COW reuse needs an exclusive page or the only reference',
    mutation: 'mapcount_based_reuse',
    harm: 'I13',
    guard: 'I13',
    build: (k) => {
      const P = k.process('P', { pages: 1 });
      const F = k.anonFolio(P, 0, { content: 1 });
      const C = k.forked(P, 'C');
      k.thread('C', (t) => t.gup(C, 0).zap(C, [0]).readGup());
      k.thread('P', (t) => t.store(P, 0, 2));
      k.sometimes(
        "P wrote after C unmapped, while C's GUP reference is held",
        () => P.mm.expect(0) === 2 && C.pt.peekPte(0).t === 'none' && !F.freed,
        [P.mm, F, C.pt.pteObjects()[0]],
      );
    },
  },
  {
    id: 'R16',
    title:
      "fork revokes a swap PTE's exclusivity, and swapin checks the bit under the PTL: fork vs do_swap_page",
    mutation: 'swp_exclusive_read_before_ptl',
    harm: 'I13',
    guard: 'I14',
    build: (k) => {
      const P = k.process('P', { pages: 1 });
      const { folio } = k.swapped(P, 0, { cached: true, written: true, content: 5, exclusive: true });
      const F = folio as Folio;
      const C = k.child(P, 'C');
      k.thread('P', (t) => t.store(P, 0, 9));
      // Another thread of P forks C; the child task runs only once fork has returned, so its
      // first access follows the fork in the same thread.
      k.thread('fork', (t) => t.fork(P, C).load(C, 0));
      k.sometimes("P's swapin holds the folio lock after fork shared the entry and C mapped the folio", () => {
        const p = P.pt.peekPte(0);
        return F.lock.holder() === 0 && p.t === 'swap' && !p.excl && maps(C.pt.peekPte(0), F);
      }, [F.lock, P.pt.pteObjects()[0], C.pt.pteObjects()[0]]);
    },
  },
  {
    id: 'R17',
    title: 'swapin re-validates the swap cache entry after folio_lock',
    mutation: 'no_swapcache_recheck',
    harm: 'I13',
    guard: 'I13',
    build: (k) => {
      const P = k.process('P', { pages: 1 });
      const { folio } = k.swapped(P, 0, { cached: true, written: true, content: 5 });
      const F = folio as Folio;
      k.thread('T1', (t) => t.load(P, 0), { alloc: 2 });
      k.thread('T2', (t) => t.zap(P, [0]).store(P, 0, 7).reclaim(P, 0), { alloc: 2 });
      k.sometimes(
        'T1 holds the lock of a folio whose entry was recycled',
        () => F.lock.holder() === 0 && !F.swapcache && P.pt.peekPte(0).t === 'swap',
        [F.lock, ...F.fields('swapcache'), P.pt.pteObjects()[0]],
      );
    },
  },
  {
    id: 'R18',
    title: 'COW copy drops the old rmap only after switching the PTE',
    mutation: 'cow_drops_rmap_before_pte_switch',
    harm: 'I13',
    guard: 'I13',
    build: (k) => {
      const P = k.process('P', { pages: 1 });
      const F = k.anonFolio(P, 0, { content: 1 });
      const C = k.forked(P, 'C');
      k.thread('P1', (t) => t.store(P, 0, 2));
      k.thread('C', (t) => t.store(C, 0, 3));
      k.thread('P2', (t) => t.load(P, 0));
      k.sometimes(
        "C faults while P1's COW holds its extra reference",
        () => F.refcount === 3 && C.pt.ptl.holder() === 1,
        [F, C.pt.ptl],
      );
    },
  },
  {
    id: 'R19',
    title:
      "a dirty shared page's rmap goes only after the TLB flush: MADV_DONTNEED vs writeback vs a stale TLB",
    mutation: 'rmap_before_tlb_flush',
    harm: 'I22',
    guard: 'I22',
    build: (k) => {
      const file = k.file(1, { disk: true });
      const F = k.fileFolio(file, 0, { content: 1 });
      const A = k.process('A', { pages: 1, file });
      k.mapFile(A, F, 0, { writable: true });
      k.tlbEntry(A, 0); // another CPU of A wrote page 0 and still caches the translation
      k.thread('zap', (t) => t.zap(A, [0]));
      k.thread('writeback', (t) => t.writeback(file, 0));
      k.thread('W', (t) => t.store(A, 0, 2));
      k.sometimes(
        'writeback holds the folio lock while the zap has cleared the PTE and holds the PTL',
        () => F.lock.holder() === 1 && A.pt.peekPte(0).t === 'none' && A.pt.ptl.holder() === 0,
        [F.lock, A.pt.ptl, A.pt.pteObjects()[0]],
      );
    },
  },
  {
    id: 'R20',
    title:
      'a PTE table is found under RCU and re-checked under its PTL: a fault vs MADV_DONTNEED reclaiming the table',
    mutation: 'no_pmd_same_recheck',
    harm: 'I17',
    guard: 'I17',
    build: (k) => {
      const A = k.process('A', { pages: 2 });
      k.anonFolio(A, 0, { content: 1 });
      k.pmd(A); // faults find the PTE table through the PMD; PT reclaim may detach it
      k.thread('dontneed', (t) => t.madvise_dontneed(A, [0, 1]));
      k.thread('T', (t) => t.store(A, 1, 5), { alloc: 3 });
      k.sometimes(
        'T holds the PTL of the table PT reclaim detached',
        () => A.pt.ptl.holder() === 1 && A.mm.pmd !== A.pt.name,
        [A.pt.ptl, A.mm],
      );
    },
  },
  {
    id: 'R21',
    title: 'no writable reuse of a swap-cache folio under stable writeback: swapin vs zram writeout',
    mutation: 'swapin_exclusive_under_writeback',
    harm: 'I23',
    guard: 'I23',
    build: (k) => {
      k.swapDevice({ stableWrites: true }); // zram
      k.swapSlot(); // a free slot for add_to_swap()
      const P = k.process('P', { pages: 1 });
      const F = k.anonFolio(P, 0, { content: 5 });
      k.thread('reclaim', (t) => t.shrink_folio_list(F));
      k.thread('P', (t) => t.store(P, 0, 9), { alloc: 1 });
      k.sometimes(
        "P's swapin holds the folio lock while the folio is under writeback",
        () => F.lock.holder() === 1 && F.writeback,
        [F.lock, ...F.fields('writeback')],
      );
    },
  },
  {
    id: 'R22',
    title: "fork write-locks the parent's VMAs: dup_mmap vs a write fault under the per-VMA lock",
    mutation: 'fork_without_vma_start_write',
    harm: 'I21',
    guard: 'I21',
    build: (k) => {
      const P = k.process('P', { pages: 1 });
      k.lazyAnonVma(P); // never written: no anon_vma yet
      const C = k.child(P, 'C');
      k.thread('fork', (t) => t.fork(P, C));
      k.thread('T', (t) => t.store(P, 0, 7), { alloc: 2 }); // another thread of P
      k.sometimes(
        'fork holds mmap_lock and the VMA write lock while the VMA has no anon_vma yet',
        () => P.mm.mmap_writer === 0 && P.vma.vma_writer === 0 && !P.vma.anon_vma_set,
        [P.mm, P.vma],
      );
    },
  },
];

const maps = (p: Pte, f: Folio) => p.t === 'present' && p.folio === f.name;

/**
 * R7/R8's world: P (memcg A) has a swap PTE whose folio F sits in the swap cache, charged to A;
 * its forked child Q holds the same entry; a thread moves P's charges to B.
 */
export function swapSharedWithMover(k: ScenarioBuilder): {
  F: Folio;
  Q: ReturnType<ScenarioBuilder['process']>;
  B: MemCgroup;
} {
  const A = k.memcg('A');
  const B = k.memcg('B');
  const P = k.process('P', { pages: 1, memcg: A });
  const { folio } = k.swapped(P, 0, { cached: true, written: true, content: 5 });
  const Q = k.forked(P, 'Q');
  k.thread('move', (t) => t.move_charge(P, B));
  return { F: folio as Folio, Q, B };
}

/**
 * The rule's scenario as a model: correct (`holds`, guards and harms checked) or with its
 * mutation (`breaks`, harms only unless `{ guards: true }`, which shows where the kernel's
 * assertion would have fired first).
 */
export function ruleModel(r: RuleScenario, variant: 'holds' | 'breaks', o: { guards?: boolean } = {}): Model {
  const breaks = variant === 'breaks';
  const opts: ScenarioOptions = {
    ...r.opts,
    ...(breaks ? { mutate: r.mutation, guards: o.guards ?? false } : { guards: o.guards ?? true }),
  };
  return scenario(`${r.id} ${r.title}${breaks ? ` (${r.mutation})` : ''}`, r.build, opts);
}
