import type { Model } from '../explorer/index.ts';
import type { InvariantId } from './invariants/names.ts';
import type { Folio } from './objects/folio.ts';
import type { MemCgroup } from './objects/mem_cgroup.ts';
import type { Pte } from './objects/page_table.ts';
import { type ScenarioBuilder, type ScenarioOptions, scenario } from './scenario.ts';
import type { Mutation } from './variants.ts';

/**
 * The racy scenario of each rule R1–R18 of kernel-rules.md: the smallest setup and threads that
 * reach the rule's window (proved by a `sometimes` witness), run as the correct model (the rule
 * holds) or with the rule's mutation (a counterexample violating the named invariant). Chapters,
 * tests and the benchmark use these.
 */
export interface RuleScenario {
  readonly id: string;
  readonly title: string;
  readonly mutation: Mutation;
  /** The invariant the mutation's counterexample violates. */
  readonly breaks: InvariantId;
  readonly build: (k: ScenarioBuilder) => void;
  readonly opts?: ScenarioOptions;
}

const read = (k: ScenarioBuilder, obj: string, field: string) => k.k.mem.read(k.k.mem.key(obj, field));
const pte = (k: ScenarioBuilder, pt: string, a: number) => read(k, pt, `pte[${a}]`) as Pte;
const maps = (p: Pte, f: Folio) => p.t === 'present' && p.folio === f.name;

export const RULES: readonly RuleScenario[] = [
  {
    id: 'R1',
    title: 'folio_mapped() guards the anon_vma: exit_mmap vs folio_referenced',
    mutation: 'delayed_anon_rmap',
    breaks: 'I5',
    build: (k) => {
      const A = k.process('A', { pages: 1 });
      const F = k.anonFolio(A, 0);
      k.thread('exit', (t) => t.exit_mmap(A));
      k.thread('reclaim', (t) => t.folio_referenced(F));
      k.sometimes(
        'reclaim holds the anon_vma pointer under RCU after exit freed it',
        () => read(k, 'rcu#reclaim', 'reader') === true && A.anon_vma?.state === 'freed',
        ['rcu#reclaim', A.anon_vma!],
      );
    },
  },
  {
    id: 'R2',
    title: 'an rmap reader re-checks folio_mapped() after pinning the anon_vma',
    mutation: 'no_recheck_mapped_after_pin',
    breaks: 'I4',
    build: (k) => {
      const A = k.process('A', { pages: 1 });
      const F = k.anonFolio(A, 0);
      k.thread('exit', (t) => t.exit_mmap(A));
      k.thread('other', (t) => t.anon_vma_alloc(A.anon_vma!));
      k.thread('reclaim', (t) => t.folio_referenced(F));
      k.sometimes(
        'reclaim holds the pointer under RCU while the anon_vma is reallocated',
        () => read(k, 'rcu#reclaim', 'reader') === true && A.anon_vma?.state === 'reused',
        ['rcu#reclaim', A.anon_vma!],
      );
    },
  },
  {
    id: 'R3',
    title: 'teardown: zap, then unlink from rmap, then free the page tables',
    mutation: 'free_pgtables_before_unlink',
    breaks: 'I17',
    build: (k) => {
      const A = k.process('A', { pages: 1 });
      const F = k.anonFolio(A, 0);
      k.forked(A, 'C');
      k.thread('exit', (t) => t.exit_mmap(A));
      k.thread('reclaim', (t) => t.folio_referenced(F));
      const av = A.anon_vma!;
      k.sometimes(
        "reclaim walks the anon_vma tree after exit zapped A's PTE",
        () =>
          av.rwsem.rwsem_is_locked() &&
          av.k.mem.read(av.rwsem.kReaders) === 1 &&
          pte(k, 'pt#A', 0).t === 'none',
        [av, 'pt#A'],
      );
    },
  },
  {
    id: 'R3b',
    title: 'teardown: no PTE is installed between zap and free_pgtables (a remote access pins the mm first)',
    mutation: 'mmget_after_exit',
    breaks: 'I17',
    build: (k) => {
      const A = k.process('A', { pages: 1 });
      k.thread('exit', (t) => t.exit_mmap(A));
      k.thread('remote', (t) => t.access_remote_vm(A, 0, 5), { alloc: 4 });
      k.sometimes(
        "the remote access faulted A's page in after the owner's mmput(), and its own mmput() tears A down",
        () => A.mm.mm_users === 0 && pte(k, 'pt#A', 0).t === 'present',
        [A.mm, 'pt#A.pte[0]'],
      );
    },
  },
  {
    id: 'R4',
    title: 'the PTE and its mapcount change in one PTL section',
    mutation: 'rmap_after_ptl_drop',
    breaks: 'I2',
    build: (k) => {
      const A = k.process('A', { pages: 1 });
      const F = k.anonFolio(A, 0);
      k.thread('munmap', (t) => t.zap(A, [0]));
      k.thread('reclaim', (t) => t.folio_referenced(F));
      k.sometimes(
        'reclaim is in its rmap walk after the zap cleared the PTE',
        () => read(k, 'rcu#reclaim', 'reader') === true && pte(k, 'pt#A', 0).t === 'none',
        ['rcu#reclaim', 'pt#A'],
      );
    },
  },
  {
    id: 'R5',
    title: 'large-folio mapcount aggregates follow every rmap change',
    mutation: 'page_zap_pte_rmap',
    breaks: 'I16',
    build: (k) => {
      const A = k.process('A', { pages: 4 });
      const F = k.anonFolio(A, 0, { nr: 4 });
      k.thread('dontneed1', (t) => t.zap(A, [0, 1]));
      k.thread('dontneed2', (t) => t.zap(A, [2, 3]));
      k.sometimes('the folio is half mapped', () => F.nr_pages_mapped === 2, [F]);
    },
  },
  {
    id: 'R6',
    title: 'the folio lock blocks !mapped → mapped: truncate vs fault-around',
    mutation: 'map_without_folio_lock',
    breaks: 'I9',
    build: (k) => {
      const file = k.file(1);
      const F = k.fileFolio(file, 0);
      const A = k.process('A', { pages: 1, file });
      k.thread('truncate', (t) => t.truncate(file, 0));
      k.thread('fault', (t) => t.load(A, 0));
      k.sometimes(
        'truncate holds the lock of a mapped folio',
        () => F.mapcount > 0 && F.lock.holder() === 0,
        F.objects(),
      );
    },
  },
  {
    id: 'R7',
    title: "charge moving trylocks a non-present PTE's folio and skips it if mapped elsewhere",
    mutation: 'move_charge_without_trylock',
    breaks: 'I8',
    opts: { era: '2023' },
    build: (k) => {
      const { F, Q } = swapSharedWithMover(k);
      k.thread('Q', (t) => t.load(Q, 0), { alloc: 1 });
      k.sometimes(
        "the mover holds the lock of P's swap-cache folio while Q's swap PTE still points at it",
        () => F.lock.holder() === 0 && F.mapcount === 0 && pte(k, 'pt#Q', 0).t === 'swap',
        [F.name, F.mapcountObject(), 'pt#Q.pte[0]'],
      );
    },
  },
  {
    id: 'R8',
    title: 'folio_memcg() changes only under the folio lock, LRU isolation or exclusivity',
    mutation: 'memcg_switch_on_lru',
    breaks: 'I10',
    opts: { era: '2023' },
    build: (k) => {
      const A = k.memcg('A');
      const B = k.memcg('B');
      const P = k.process('P', { pages: 1, memcg: A });
      const F = k.anonFolio(P, 0);
      k.thread('move', (t) => t.move_charge(P, B));
      k.thread('reclaim', (t) => t.folio_referenced(F));
      k.sometimes(
        'charge moving skipped the folio because reclaim held it (isolated or locked)',
        () => read(k, 'mc', 'to') === null && read(k, 'mm#P', 'memcg') === B.name && F.memcg === A.name,
        ['mc', 'mm#P', `${F.name}.memcg`],
      );
    },
  },
  {
    id: 'R8',
    title: 'lock_page_memcg() before the mapcount transition, not just before the stats update (2022)',
    mutation: 'memcg_lock_before_stats_only',
    breaks: 'I8',
    opts: { era: '2022' },
    build: (k) => {
      const { F, Q, B } = swapSharedWithMover(k);
      k.thread('Q', (t) => t.load(Q, 0).zap(Q, [0]), { alloc: 1 });
      k.sometimes('the folio is moved to B while Q maps it', () => F.memcg === B.name && F.mapcount === 1, [
        `${F.name}.memcg`,
        F.mapcountObject(),
      ]);
    },
  },
  {
    id: 'R9',
    title: 'a folio is charged exactly once: 2008 swapin charges under lock_page()',
    mutation: 'charge_before_lock_page',
    breaks: 'I7',
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
        [F.name, `${F.name}.memcg`],
      );
    },
  },
  {
    id: 'R10',
    title: 'uncharge only at the final put: migration that backs out keeps the charge',
    mutation: 'uncharge_at_last_unmap',
    breaks: 'I19',
    opts: { era: '2014' },
    build: (k) => {
      const X = k.memcg('X');
      const P = k.process('P', { pages: 1, memcg: X });
      const F = k.anonFolio(P, 0, { content: 1 });
      k.thread('migrate', (t) => t.migrate(F), { alloc: 1 });
      k.thread('gup', (t) => t.gup(P, 0).readGup());
      k.sometimes(
        "the folio is unmapped into a migration entry while GUP's reference is held (migration backs out)",
        () => pte(k, 'pt#P', 0).t === 'migration' && F.refcount === 2,
        [F.name, 'pt#P.pte[0]'],
      );
    },
  },
  {
    id: 'R11',
    title: 'migration transfers the charge from the old folio to the new one',
    mutation: 'migrate_keeps_old_memcg',
    breaks: 'I6',
    build: (k) => {
      const X = k.memcg('X');
      const P = k.process('P', { pages: 1, memcg: X });
      const F = k.anonFolio(P, 0, { content: 1 });
      k.thread('migrate', (t) => t.migrate(F), { alloc: 1 });
      k.thread('P', (t) => t.load(P, 0));
      const dst = 'folio#migrate.1';
      k.sometimes('the new folio is mapped and charged while the old one is not yet freed', () => {
        const key = k.k.mem.key(dst, 'mapcount');
        return !F.freed && k.k.mem.isLive(key) && k.k.mem.read(key) === 1;
      }, [F.name, `${dst}.mapcount`]);
      void X;
    },
  },
  {
    id: 'R12',
    title: 'swapout moves the charge to the swap entry only once the refcount is frozen',
    mutation: 'swapout_before_freeze',
    breaks: 'I19',
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
        [F.name],
      );
    },
  },
  {
    id: 'R13',
    title: 'an object reachable under rcu_read_lock() is freed only after a grace period',
    mutation: 'free_without_grace_period',
    breaks: 'I20',
    build: (k) => {
      const A = k.process('A', { pages: 1 });
      const F = k.anonFolio(A, 0);
      k.thread('exit', (t) => t.exit_mmap(A));
      k.thread('reclaim', (t) => t.folio_referenced(F));
      k.sometimes(
        'reclaim holds the anon_vma pointer under RCU after the last put_anon_vma()',
        () => read(k, 'rcu#reclaim', 'reader') === true && A.anon_vma?.refcount === 0,
        ['rcu#reclaim', A.anon_vma!],
      );
    },
  },
  {
    id: 'R14',
    title: 'the swap cache is freed only under the folio lock with a zero swap count',
    mutation: 'free_swap_ignores_swapcount',
    breaks: 'I12',
    build: (k) => {
      const P = k.process('P', { pages: 1 });
      k.swapped(P, 0, { cached: true, written: false, content: 5 });
      const Cp = k.forked(P, 'C');
      k.thread('P', (t) => t.store(P, 0, 9));
      k.thread('C', (t) => t.load(Cp, 0));
      k.sometimes(
        "P wrote while C's PTE still holds the swap entry",
        () => read(k, 'mm#P', 'expect[0]') === 9 && pte(k, 'pt#C', 0).t === 'swap',
        ['mm#P', 'pt#C'],
      );
    },
  },
  {
    id: 'R15',
    title: 'COW reuse needs an exclusive page or the only reference',
    mutation: 'mapcount_based_reuse',
    breaks: 'I13',
    build: (k) => {
      const P = k.process('P', { pages: 1 });
      const F = k.anonFolio(P, 0, { content: 1 });
      const Cp = k.forked(P, 'C');
      k.thread('C', (t) => t.gup(Cp, 0).zap(Cp, [0]).readGup());
      k.thread('P', (t) => t.store(P, 0, 2));
      k.sometimes(
        "P wrote after C unmapped, while C's GUP reference is held",
        () => read(k, 'mm#P', 'expect[0]') === 2 && pte(k, 'pt#C', 0).t === 'none' && !F.freed,
        ['mm#P', 'pt#C', F],
      );
    },
  },
  {
    id: 'R16',
    title: 'fork revokes PageAnonExclusive',
    mutation: 'fork_keeps_anon_exclusive',
    breaks: 'I14',
    build: (k) => {
      const P = k.process('P', { pages: 1 });
      const F = k.anonFolio(P, 0, { content: 1 });
      const Cp = k.child(P, 'C');
      k.thread('P', (t) => t.fork(P, Cp).store(P, 0, 2));
      k.thread('C', (t) =>
        t.after('wait for fork to populate the child', () => pte(k, 'pt#C', 0).t !== 'none').load(Cp, 0),
      );
      k.sometimes(
        'P wrote while C still maps the shared folio',
        () => read(k, 'mm#P', 'expect[0]') === 2 && maps(pte(k, 'pt#C', 0), F),
        ['mm#P', 'pt#C'],
      );
    },
  },
  {
    id: 'R16',
    title: "fork revokes exclusivity of a swap PTE too: the parent's pte_swp_exclusive is cleared",
    mutation: 'fork_keeps_swp_exclusive',
    breaks: 'I14',
    build: (k) => {
      const P = k.process('P', { pages: 1 });
      k.swapped(P, 0, { cached: true, written: true, content: 5, exclusive: true });
      const Cp = k.child(P, 'C');
      k.thread('P', (t) => t.fork(P, Cp).store(P, 0, 9));
      k.thread('C', (t) =>
        t.after('wait for fork to populate the child', () => pte(k, 'pt#C', 0).t !== 'none').load(Cp, 0),
      );
      k.sometimes(
        "P wrote its swapped-in page while C's PTE still holds the shared swap entry",
        () => read(k, 'mm#P', 'expect[0]') === 9 && pte(k, 'pt#C', 0).t === 'swap',
        ['mm#P', 'pt#C'],
      );
    },
  },
  {
    id: 'R17',
    title: 'swapin re-validates the swap cache entry after folio_lock',
    mutation: 'no_swapcache_recheck',
    breaks: 'I13',
    build: (k) => {
      const P = k.process('P', { pages: 1 });
      const { folio: F } = k.swapped(P, 0, { cached: true, written: true, content: 5 });
      k.thread('T1', (t) => t.load(P, 0), { alloc: 2 });
      k.thread('T2', (t) => t.zap(P, [0]).store(P, 0, 7).reclaim(P, 0), { alloc: 2 });
      const f = F as Folio;
      k.sometimes(
        'T1 holds the lock of a folio whose entry was recycled',
        () => f.lock.holder() === 0 && !f.swapcache && pte(k, 'pt#P', 0).t === 'swap',
        [f, 'pt#P'],
      );
    },
  },
  {
    id: 'R18',
    title: 'COW copy drops the old rmap only after switching the PTE',
    mutation: 'cow_drops_rmap_before_pte_switch',
    breaks: 'I13',
    build: (k) => {
      const P = k.process('P', { pages: 1 });
      const F = k.anonFolio(P, 0, { content: 1 });
      const Cp = k.forked(P, 'C');
      k.thread('P1', (t) => t.store(P, 0, 2));
      k.thread('C', (t) => t.store(Cp, 0, 3));
      k.thread('P2', (t) => t.load(P, 0));
      k.sometimes(
        "C faults while P1's COW holds its extra reference",
        () => F.refcount === 3 && read(k, 'pt#C', 'ptl') === 1,
        [F, 'pt#C'],
      );
    },
  },
];

/**
 * R7/R8's world: P (memcg A) has a swap PTE whose folio F sits in the swap cache, charged to A;
 * its forked child Q holds the same entry; a thread moves P's charges to B.
 */
function swapSharedWithMover(k: ScenarioBuilder): {
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

/** The rule's scenario as a model: correct (`holds`) or with its mutation (`breaks`). */
export function ruleModel(r: RuleScenario, variant: 'holds' | 'breaks'): Model {
  const opts: ScenarioOptions = { ...r.opts, ...(variant === 'breaks' ? { mutate: r.mutation } : {}) };
  return scenario(`${r.id} ${r.title}${variant === 'breaks' ? ` (${r.mutation})` : ''}`, r.build, opts);
}
